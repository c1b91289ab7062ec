/**
 * The field errors of a 400 from the API (`issues`: [{path: "body.routingNumber", message}]) by
 * field name, so a form shows each one next to its input; other errors give none.
 */
import { ApiError } from './api';

export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  const issues = (error.details as { issues?: Array<{ path?: unknown; message?: unknown }> } | undefined)?.issues;
  const found: Record<string, string> = {};
  for (const issue of Array.isArray(issues) ? issues : []) {
    if (typeof issue.path !== 'string' || typeof issue.message !== 'string') continue;
    const field = issue.path.replace(/^body\.?/, '').split('.')[0] ?? '';
    if (field && !(field in found)) found[field] = issue.message;
  }
  return found;
}

export function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}
