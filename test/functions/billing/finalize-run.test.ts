import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/billing/finalize-run';
import { runToItem } from '../../../shared/adapters/run-store';
import { context, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const run = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'RUNNING' as const, counts: { segments: 0, billed: 0, held: 0, skipped: 0, failed: 0 }, startedAt: 't', startedBy: 'dana', errors: [] };

describe('finalize-run', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: runToItem(run) });
    ddb.on(TransactWriteCommand).resolves({});
  });

  it('sums segment results and marks the run SUCCEEDED', async () => {
    const segmentResults = [
      { segmentIndex: 0, billed: 3, held: 1, skipped: 1, failed: 0, errors: [] },
      { segmentIndex: 1, billed: 2, held: 0, skipped: 0, failed: 1, errors: [{ accountId: 'A0009', reason: 'no-reads' }] },
    ];
    expect(await createHandler(tableDeps())({ runId: 'run-1', segmentResults }, context)).toEqual({ runId: 'run-1', status: 'SUCCEEDED', counts: { segments: 2, billed: 5, held: 1, skipped: 1, failed: 1 } });
    const [update] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(update!.Update!.ExpressionAttributeValues).toMatchObject({ ':status': 'SUCCEEDED', ':counts': { segments: 2, billed: 5, held: 1, skipped: 1, failed: 1 }, ':errors': [{ accountId: 'A0009', reason: 'no-reads' }] });
  });

  it('marks the run FAILED from a Catch ({runId, error})', async () => {
    const result = await createHandler(tableDeps())({ runId: 'run-1', error: { Error: 'TransientStoreError', Cause: '{"errorMessage":"throttled"}' } }, context);
    expect(result.status).toBe('FAILED');
    const [update] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(update!.Update!.ExpressionAttributeValues).toMatchObject({ ':status': 'FAILED', ':failure': { error: 'TransientStoreError', cause: '{"errorMessage":"throttled"}' } });
  });

  it('writes nothing when the run already ended that way', async () => {
    ddb.on(GetCommand).resolves({ Item: runToItem({ ...run, status: 'FAILED', finishedAt: 't2' }) });
    await createHandler(tableDeps())({ runId: 'run-1', error: { Error: 'X' } }, context);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
