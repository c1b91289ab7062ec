/** One JSON object per line on stdout/stderr (CloudWatch Logs Insights reads the fields). */
import type { Logger } from '../app/ports';

export function jsonLogger(base: Record<string, unknown> = {}): Logger {
  const write = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ level, message, ...base, ...fields });
    if (level === 'info') console.log(line);
    else if (level === 'warn') console.warn(line);
    else console.error(line);
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
