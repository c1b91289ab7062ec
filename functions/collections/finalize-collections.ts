/** State machine task FinalizeCollections: {runDate, segmentResults} or {runDate, error} -> the run record with its summary. */
import middy from '@middy/core';
import type { CollectionsDeps } from '../../shared/app/collections/evaluate-account';
import { finalizeCollections, type SegmentResult } from '../../shared/app/collections/run';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { parseTaskInput } from '../../shared/adapters/task';
import { FinalizeCollectionsInput } from '../../shared/schemas/collections';

export function createHandler(deps: Pick<CollectionsDeps, 'collections' | 'clock' | 'pack'>) {
  return middy<{ runDate: string; segmentResults?: SegmentResult[]; error?: unknown }>()
    .use(parseTaskInput(FinalizeCollectionsInput, 'FinalizeCollections'))
    .handler(async (input) => finalizeCollections(deps, input));
}

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
