import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/start-billing-run';
import { StepFunctionsBillingWorkflow } from '../../../shared/adapters/sfn-workflow';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, tableDeps, withoutClaims } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:BillingCycle';
const period = { cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31' };

function setup() {
  ddb.reset();
  sfn.reset();
  ddb.on(TransactWriteCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:BillingCycle:x', startDate: new Date() });
  const deps = { ...tableDeps(), workflow: new StepFunctionsBillingWorkflow(new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }), STATE_MACHINE) };
  return { deps, run: createHandler(deps) };
}

const post = (claims: Record<string, unknown>, body: unknown) => httpEvent({ routeKey: 'POST /staff/billing-runs', claims, body });

describe('start-billing-run', () => {
  it('starts the run: record + audit in one transaction, then StartExecution named after the run (202)', async () => {
    const { run } = setup();
    const response = await run(post(staffClaims('[billing]'), period), context);
    expect(response.statusCode).toBe(202);
    const { runId } = bodyOf(response) as { runId: string };
    expect(runId).toMatch(/^run-20260201T080000Z-[0-9a-f]{8}$/);

    const transactions = ddb.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    const items = transactions[0]!.args[0].input.TransactItems!;
    expect(items.map((item) => item.Put?.Item?.['PK'])).toEqual([`RUN#${runId}`, `AUDIT#RUN#${runId}`]);
    expect(items[0]!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { status: 'RUNNING', startedBy: 'dana', ...period, counts: { segments: 0, billed: 0, skipped: 0, failed: 0 } } });
    expect(items[1]!.Put?.Item).toMatchObject({ actor: 'dana', action: 'billing-run.started' });

    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args[0].input).toEqual({ stateMachineArn: STATE_MACHINE, name: runId, input: JSON.stringify({ runId, ...period }) });
  });

  it.each([
    ['admin', '[admin]'],
    ['billing with other groups (array claim)', ['csr', 'billing']],
  ])('lets %s start a run', async (_name, groups) => {
    const { run } = setup();
    expect((await run(post({ ...staffClaims(''), 'cognito:groups': groups }, period), context)).statusCode).toBe(202);
  });

  it.each([
    ['a csr', staffClaims('[csr]')],
    ['an auditor', staffClaims('[auditor]')],
    ['a customer', customerClaims('C0001')],
  ])('refuses %s with 403 and touches nothing', async (_name, claims) => {
    const { run } = setup();
    const response = await run(post(claims, period), context);
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response)).toMatchObject({ code: 'Forbidden' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses a request without a token with 401', async () => {
    const { run } = setup();
    expect((await run(withoutClaims(post({}, period)), context)).statusCode).toBe(401);
  });

  it.each([
    ['periodEnd missing', { cycle: 'C1', periodStart: '2026-01-01' }, 'body.periodEnd'],
    ['impossible date', { ...period, periodStart: '2026-02-30' }, 'body.periodStart'],
    ['date with a time', { ...period, periodEnd: '2026-01-31T00:00:00Z' }, 'body.periodEnd'],
    ['end before start', { ...period, periodStart: '2026-02-01' }, 'body.periodEnd'],
    ['period over 62 days', { ...period, periodEnd: '2026-03-31' }, 'body.periodEnd'],
    ['cycle with a key separator', { ...period, cycle: 'C#1' }, 'body.cycle'],
    ['unknown field', { ...period, periodStrat: '2026-01-01' }, 'body'],
    ['no body', undefined, 'body'],
    ['not JSON', '{"cycle":', 'body'],
  ])('answers 400 naming the field: %s', async (_name, body, field) => {
    const { run } = setup();
    const response = await run(post(staffClaims('[billing]'), body), context);
    expect(response.statusCode).toBe(400);
    const answer = bodyOf(response) as { message: string; code: string; issues: Array<{ path: string }> };
    expect(answer.code).toBe('InvalidInput');
    expect(answer.issues.map((issue) => issue.path)).toContain(field);
    expect(answer.message).toContain(field);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('marks the run FAILED when StartExecution fails, and answers 503 so a retry is safe', async () => {
    const { run } = setup();
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('state machine does not exist'), { name: 'StateMachineDoesNotExist' }));
    const response = await run(post(staffClaims('[billing]'), period), context);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ code: 'BillingRunNotStarted' });
    const transactions = ddb.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(2);
    const [update, audit] = transactions[1]!.args[0].input.TransactItems!;
    expect(update?.Update).toMatchObject({ ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':status': 'FAILED', ':failure': { error: 'StartExecutionFailed' } } });
    expect(audit?.Put?.Item).toMatchObject({ action: 'billing-run.failed' });
  });
});
