/** Step Functions task adapter: the event is the task input, validated with a zod schema. */
import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { parseOrThrow } from '../schemas/issues';

/** Replaces the event with its parsed form; InvalidInput (names the field) when it does not match. */
export function parseTaskInput<S extends z.ZodType>(schema: S, task: string): MiddlewareObj<z.output<S>> {
  return {
    before: (request) => {
      request.event = parseOrThrow(schema, request.event, `${task} input`);
    },
  };
}
