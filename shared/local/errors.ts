/** An error of the local platform whose message is one line that says what to do. */
export class PlatformError extends Error {
  override name = 'PlatformError';
}

/** Maps a listen error to a one-line PlatformError (port in use, permission denied). */
export function listenError(error: unknown, port: number, option: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new PlatformError(`port ${port} is in use: stop what uses it or choose another with ${option}`);
  if (code === 'EACCES') return new PlatformError(`port ${port} needs privileges: choose a port above 1024 with ${option}`);
  return error instanceof Error ? error : new Error(String(error));
}
