/** zod issues as the API reports them: [{ path: "body.periodStart", message }]. */
import type { z } from 'zod';
import { InvalidInput } from '../domain/errors';

export function issuesOf(error: z.ZodError, root = ''): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: [root, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)', message: issue.message }));
}

/** Parses or throws InvalidInput whose message names the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, root = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesOf(result.error, root);
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new InvalidInput(`invalid ${what}: ${first ? `${first.path}: ${first.message}` : 'does not match the schema'}${more}`, issues);
}
