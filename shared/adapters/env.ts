/** Environment variables, parsed once with zod; a missing or bad variable fails with its name. */
import type { z } from 'zod';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `environment variable ${issue.path.join('.')} ${issue.message}`);
  throw new ConfigurationError(problems.join('; '));
}
