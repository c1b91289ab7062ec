/** Inputs and outputs of the billing state machine's tasks (see stepfunctions/billing-cycle.asl.json). */
import { z } from 'zod';
import { SHARD_COUNT } from '../domain/segments';
import { MAX_SEGMENT_ERRORS } from '../domain/runs';
import { CalendarDate, CycleCode, Id, RunId } from './common';

const Count = z.number().int().min(0);

export const PlanSegmentsInput = z.object({
  runId: RunId,
  cycle: CycleCode,
  periodStart: CalendarDate('periodStart'),
  periodEnd: CalendarDate('periodEnd'),
});
export type PlanSegmentsInput = z.infer<typeof PlanSegmentsInput>;

export const SegmentSchema = z
  .object({
    segmentIndex: Count,
    shardFrom: z.number().int().min(0).max(SHARD_COUNT - 1),
    shardTo: z.number().int().min(0).max(SHARD_COUNT - 1),
  })
  .refine((segment) => segment.shardFrom <= segment.shardTo, { error: 'segment.shardFrom must not be after segment.shardTo', path: ['shardTo'] });

export const BillSegmentInput = z.object({
  runId: RunId,
  cycle: CycleCode,
  periodStart: CalendarDate('periodStart'),
  periodEnd: CalendarDate('periodEnd'),
  segment: SegmentSchema,
});
export type BillSegmentInput = z.infer<typeof BillSegmentInput>;

export const SegmentResultSchema = z.object({
  segmentIndex: Count,
  billed: Count,
  /** Absent in the results of segments billed before bills could be held. */
  held: Count.default(0),
  skipped: Count,
  failed: Count,
  errors: z.array(z.object({ accountId: z.string(), reason: z.string() })).max(MAX_SEGMENT_ERRORS * 4),
});

/** FinalizeRun gets {runId, segmentResults}; MarkRunFailed gets {runId, error} (a Catch's {Error, Cause}). */
export const FinalizeRunInput = z.union([
  z.object({ runId: RunId, segmentResults: z.array(SegmentResultSchema) }),
  z.object({ runId: RunId, error: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }) }),
]);
export type FinalizeRunInput = z.infer<typeof FinalizeRunInput>;

/** GET .../accounts/{accountId}/bills/{billId}/document?format=pdf|html */
export const BillDocumentRequest = z.object({
  path: z.object({ accountId: Id('accountId'), billId: Id('billId') }),
  query: z.object({ format: z.enum(['pdf', 'html'], { error: 'format must be pdf or html' }).default('pdf') }),
});
export type BillDocumentRequest = z.infer<typeof BillDocumentRequest>;
