/**
 * Small networking helpers of the local platform: free ephemeral ports, listening with a
 * one-line error, and closing servers without leaving sockets behind.
 */
import type { Server as HttpServer } from 'node:http';
import net from 'node:net';
import { listenError } from './errors';
import { LOCAL_REGION } from './template';

export const LOCAL_HOST = '127.0.0.1';

/** Asks the OS for a free TCP port on `host` (for child processes that need a port up front). */
export async function freePort(host = LOCAL_HOST): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, 0, host, '--port');
  await closeServer(server);
  return port;
}

/**
 * Listens on host:port (0 = an ephemeral port) and resolves the port actually bound.
 * A port in use or a privileged port rejects with a one-line PlatformError naming `option`.
 */
export function listen(server: net.Server, port: number, host: string, option: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(listenError(error, port, option));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

/** Closes a server; HTTP servers also drop their idle keep-alive connections. Safe to call twice. */
export function closeServer(server: net.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    const http = server as Partial<HttpServer>;
    http.closeIdleConnections?.();
    http.closeAllConnections?.();
  });
}

/** A promise that resolves after `ms`, or earlier when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** SDK client settings for a local emulator: its endpoint, the local region and dummy credentials. */
export function localClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
