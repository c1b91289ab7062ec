/** State machine task EvaluateSegment: {runDate, runAt, segment} -> {segmentIndex, counts, orderIds, failures}; one account's failure never fails the task. */
import middy from '@middy/core';
import type { CollectionsDeps } from '../../shared/app/collections/evaluate-account';
import { evaluateSegment, type CollectionsSegment } from '../../shared/app/collections/run';
import type { Logger } from '../../shared/app/ports';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { parseTaskInput } from '../../shared/adapters/task';
import { EvaluateSegmentInput } from '../../shared/schemas/collections';

export function createHandler(deps: CollectionsDeps & { log: Logger }) {
  return middy<{ runDate: string; runAt: string; segment: CollectionsSegment }>()
    .use(parseTaskInput(EvaluateSegmentInput, 'EvaluateSegment'))
    .handler(async (input) => evaluateSegment(deps, input));
}

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
