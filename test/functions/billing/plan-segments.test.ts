import { createHandler } from '../../../functions/billing/plan-segments';
import { context } from '../helpers';

const input = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31' };

describe('plan-segments', () => {
  it('splits the 1024 shards into BILLING_SEGMENTS segments', async () => {
    const { segments } = await createHandler({ segmentCount: 32 })(input, context);
    expect(segments).toHaveLength(32);
    expect(segments[0]).toEqual({ segmentIndex: 0, shardFrom: 0, shardTo: 31 });
    expect(segments[31]).toEqual({ segmentIndex: 31, shardFrom: 992, shardTo: 1023 });
  });

  it('ignores extra state fields and refuses a bad period', async () => {
    expect((await createHandler({ segmentCount: 3 })({ ...input, extra: true } as typeof input, context)).segments).toHaveLength(3);
    await expect(createHandler({ segmentCount: 3 })({ ...input, periodEnd: '2025-12-31' }, context)).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(createHandler({ segmentCount: 3 })({ ...input, periodStart: 'soon' }, context)).rejects.toThrow(/periodStart/);
  });
});
