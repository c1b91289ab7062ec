/** State machine task PlanCollections: {runDate?, runAt?} or the schedule's event {time} -> {runDate, runAt, segments}. */
import middy from '@middy/core';
import { planCollections, type PlanDeps } from '../../shared/app/collections/run';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { parseTaskInput } from '../../shared/adapters/task';
import { PlanCollectionsInput } from '../../shared/schemas/collections';

export function createHandler(deps: PlanDeps) {
  return middy<{ runDate?: string; runAt?: string; time?: string }>()
    .use(parseTaskInput(PlanCollectionsInput, 'PlanCollections'))
    .handler(async (input) => planCollections(deps, input));
}

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
