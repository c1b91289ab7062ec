import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/list-billing-runs';
import { runToItem } from '../../../shared/adapters/run-store';
import type { BillingRun } from '../../../shared/domain/runs';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const list = (query?: Record<string, string>, claims: Record<string, unknown> = staffClaims('[csr]')) =>
  httpEvent({ routeKey: 'GET /staff/billing-runs', claims, ...(query ? { queryStringParameters: query } : {}) });

const run = (runId: string, startedAt: string, overrides: Partial<BillingRun> = {}): BillingRun => ({
  runId,
  cycle: 'C1',
  periodStart: '2026-01-01',
  periodEnd: '2026-01-31',
  status: 'SUCCEEDED',
  counts: { segments: 2, billed: 180, held: 3, skipped: 1, failed: 1 },
  startedAt,
  startedBy: 'dana',
  plannedSegments: 2,
  finishedAt: '2026-02-01T08:01:00.000Z',
  errors: [{ accountId: 'A0009', reason: 'no-reads' }],
  ...overrides,
});

describe('list-billing-runs', () => {
  beforeEach(() => ddb.reset());

  it('queries the runs partition of GSI2 newest first (no scan) and answers the runs without their error sample', async () => {
    const newer = run('run-2', '2026-02-01T08:00:00.000Z', { status: 'RUNNING', counts: { segments: 0, billed: 0, held: 0, skipped: 0, failed: 0 }, finishedAt: undefined, errors: [] });
    delete newer.finishedAt;
    const older = run('run-1', '2026-01-01T08:00:00.000Z');
    ddb.on(QueryCommand).resolves({ Items: [runToItem(newer), runToItem(older)] });
    const response = await createHandler(tableDeps())(list({ limit: '2' }), context);
    expect(response.statusCode).toBe(200);
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': 'TYPE#RUN' }, ScanIndexForward: false, Limit: 2 });
    const { errors: _newerErrors, ...newerSummary } = newer;
    const { errors: _olderErrors, ...olderSummary } = older;
    expect(bodyOf(response)).toEqual({ items: [newerSummary, olderSummary], nextCursor: null });
  });

  it('pages with the cursor of the previous page, and refuses a cursor of another partition', async () => {
    const last = { PK: 'RUN#run-1', SK: 'RUN', GSI2PK: 'TYPE#RUN', GSI2SK: '2026-01-01T08:00:00.000Z#run-1' };
    ddb.on(QueryCommand).resolvesOnce({ Items: [runToItem(run('run-1', '2026-01-01T08:00:00.000Z'))], LastEvaluatedKey: last }).resolves({ Items: [] });
    const first = bodyOf(await createHandler(tableDeps())(list({ limit: '1' }), context));
    expect(first['nextCursor']).toEqual(expect.any(String));
    const second = await createHandler(tableDeps())(list({ limit: '1', cursor: first['nextCursor'] as string }), context);
    expect(second.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(last);

    const foreign = Buffer.from(JSON.stringify({ ...last, GSI2PK: 'TYPE#ACCOUNT' })).toString('base64url');
    const refused = await createHandler(tableDeps())(list({ cursor: foreign }), context);
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(refused))).toContain('cursor');
  });

  it('answers 400 naming the limit, and 403 to a customer', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const bad = await createHandler(tableDeps())(list({ limit: '0' }), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(bad))).toContain('limit');
    expect((await createHandler(tableDeps())(list(undefined, customerClaims('C0001')), context)).statusCode).toBe(403);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
