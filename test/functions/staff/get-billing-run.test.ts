import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/get-billing-run';
import { runToItem } from '../../../shared/adapters/run-store';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const get = (runId: string, claims: Record<string, unknown> = staffClaims('[auditor]')) => httpEvent({ routeKey: 'GET /staff/billing-runs/{runId}', claims, pathParameters: { runId } });

describe('get-billing-run', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
  });

  it('returns status, counts, times, who started it and the error sample', async () => {
    const run = {
      runId: 'run-1',
      cycle: 'C1',
      periodStart: '2026-01-01',
      periodEnd: '2026-01-31',
      status: 'SUCCEEDED' as const,
      counts: { segments: 32, billed: 990, held: 0, skipped: 5, failed: 5 },
      startedAt: '2026-02-01T08:00:00.000Z',
      finishedAt: '2026-02-01T08:01:00.000Z',
      startedBy: 'dana',
      errors: [{ accountId: 'A0007', reason: 'no-reads' }],
    };
    ddb.on(GetCommand).resolves({ Item: runToItem(run) });
    const response = await createHandler(tableDeps())(get('run-1'), context);
    expect(response.statusCode).toBe(200);
    const { progress, ...body } = bodyOf(response);
    expect(body).toEqual(run);
    expect(progress).toMatchObject({ segments: { planned: 32, running: 0, done: 0 }, elapsedSeconds: 60 });
  });

  it('shows progress by segment while the run goes on: counts of the segments done, elapsed time to now and bills per second', async () => {
    const run = { runId: 'run-2', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'RUNNING' as const, counts: { segments: 0, billed: 0, held: 0, skipped: 0, failed: 0 }, startedAt: '2026-02-01T07:58:00.000Z', startedBy: 'dana', errors: [] };
    ddb.on(GetCommand).resolves({ Item: runToItem(run) });
    ddb.on(QueryCommand).resolves({
      Items: [
        { PK: 'RUN#run-2', SK: 'SEGMENT#00000', type: 'RUN_SEGMENT', segmentIndex: 0, status: 'DONE', attempts: 2, startedAt: '2026-02-01T07:58:01.000Z', finishedAt: '2026-02-01T07:59:00.000Z', counts: { billed: 230, held: 10, skipped: 1, failed: 2 } },
        { PK: 'RUN#run-2', SK: 'SEGMENT#00001', type: 'RUN_SEGMENT', segmentIndex: 1, status: 'RUNNING', attempts: 1, startedAt: '2026-02-01T07:58:01.000Z' },
      ],
    });
    const response = await createHandler(tableDeps())(get('run-2'), context);
    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': 'RUN#run-2', ':prefix': 'SEGMENT#' } });
    expect(bodyOf(response)['progress']).toEqual({
      segments: { running: 1, done: 1 },
      totals: { billed: 230, held: 10, skipped: 1, failed: 2 },
      // now (08:00:00) - started (07:58:00) = 120 s; (230 + 10) / 120 = 2 bills a second.
      elapsedSeconds: 120,
      billsPerSecond: '2.00',
      bySegment: [
        { segmentIndex: 0, status: 'DONE', attempts: 2, startedAt: '2026-02-01T07:58:01.000Z', finishedAt: '2026-02-01T07:59:00.000Z', counts: { billed: 230, held: 10, skipped: 1, failed: 2 } },
        { segmentIndex: 1, status: 'RUNNING', attempts: 1, startedAt: '2026-02-01T07:58:01.000Z' },
      ],
    });
  });

  it('answers 404, 400 and 403 where it should', async () => {
    ddb.on(GetCommand).resolves({});
    expect((await createHandler(tableDeps())(get('run-x'), context)).statusCode).toBe(404);
    expect((await createHandler(tableDeps())(get('run x'), context)).statusCode).toBe(400);
    expect((await createHandler(tableDeps())(get('run-x', customerClaims('C0001')), context)).statusCode).toBe(403);
  });
});
