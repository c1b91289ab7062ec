import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/get-billing-run';
import { runToItem } from '../../../shared/adapters/run-store';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const get = (runId: string, claims: Record<string, unknown> = staffClaims('[auditor]')) => httpEvent({ routeKey: 'GET /staff/billing-runs/{runId}', claims, pathParameters: { runId } });

describe('get-billing-run', () => {
  beforeEach(() => ddb.reset());

  it('returns status, counts, times, who started it and the error sample', async () => {
    const run = {
      runId: 'run-1',
      cycle: 'C1',
      periodStart: '2026-01-01',
      periodEnd: '2026-01-31',
      status: 'SUCCEEDED' as const,
      counts: { segments: 32, billed: 990, skipped: 5, failed: 5 },
      startedAt: '2026-02-01T08:00:00.000Z',
      finishedAt: '2026-02-01T08:01:00.000Z',
      startedBy: 'dana',
      errors: [{ accountId: 'A0007', reason: 'no-reads' }],
    };
    ddb.on(GetCommand).resolves({ Item: runToItem(run) });
    const response = await createHandler(tableDeps())(get('run-1'), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual(run);
  });

  it('answers 404, 400 and 403 where it should', async () => {
    ddb.on(GetCommand).resolves({});
    expect((await createHandler(tableDeps())(get('run-x'), context)).statusCode).toBe(404);
    expect((await createHandler(tableDeps())(get('run x'), context)).statusCode).toBe(400);
    expect((await createHandler(tableDeps())(get('run-x', customerClaims('C0001')), context)).statusCode).toBe(403);
  });
});
