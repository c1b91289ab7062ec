/** State machine task PlanSegments: {runId, cycle, periodStart, periodEnd} -> {segments}. */
import middy from '@middy/core';
import { planBillingSegments, type PlanSegmentsDeps } from '../../shared/app/plan-segments';
import { lazyHandler, planSegmentsDeps } from '../../shared/adapters/runtime';
import { parseTaskInput } from '../../shared/adapters/task';
import { PlanSegmentsInput } from '../../shared/schemas/billing';

export function createHandler(deps: PlanSegmentsDeps) {
  return middy<PlanSegmentsInput>()
    .use(parseTaskInput(PlanSegmentsInput, 'PlanSegments'))
    .handler((input) => planBillingSegments(deps, input));
}

export const handler = lazyHandler(() => createHandler(planSegmentsDeps()));
