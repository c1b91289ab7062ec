/** State machine task BillSegment (inside the Map): bills the accounts of one segment of shards. */
import middy from '@middy/core';
import { billSegment, type BillSegmentDeps } from '../../shared/app/bill-segment';
import { billSegmentDeps, lazyHandler } from '../../shared/adapters/runtime';
import { parseTaskInput } from '../../shared/adapters/task';
import { BillSegmentInput } from '../../shared/schemas/billing';

export function createHandler(deps: BillSegmentDeps) {
  return middy<BillSegmentInput>()
    .use(parseTaskInput(BillSegmentInput, 'BillSegment'))
    .handler((input) => billSegment(deps, input));
}

export const handler = lazyHandler(() => createHandler(billSegmentDeps()));
