import path from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { PlatformError } from '../../shared/local/errors';
import { startStepFunctions, stateMachinesOf } from '../../shared/local/step-functions-local';
import type { RunningStepFunctions } from '../../shared/local/step-functions-local';
import { FunctionHost, functionsOf, LocalResolver } from '../../shared/local/template';
import type { CfnTemplate } from '../../shared/local/template';
import { invocationsOf } from '../fixtures/local/step-functions/recorder';
import { fixtureTemplate } from '../fixtures/local/step-functions/template';

const rootDir = path.resolve(__dirname, '../..');
const BILLING_CYCLE = 'arn:aws:states:us-east-1:000000000000:stateMachine:BillingCycle';
const PAUSE = 'arn:aws:states:us-east-1:000000000000:stateMachine:Pause';
const SHORT = 'arn:aws:states:us-east-1:000000000000:stateMachine:Short';
const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

let sfn: RunningStepFunctions;
let client: SFNClient;
const log = jest.fn<void, [string]>();

function platformFor(template: CfnTemplate) {
  const resolver = new LocalResolver(template);
  return { resolver, host: new FunctionHost(functionsOf(resolver), rootDir) };
}

beforeAll(async () => {
  sfn = await startStepFunctions({ ...platformFor(fixtureTemplate()), log });
  client = new SFNClient({ endpoint: sfn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client.destroy();
  await sfn.stop();
});

interface Segment {
  id: string;
  fail?: string;
  transient?: number;
  crash?: number;
  delayMs?: number;
}

const runInput = (runId: string, segments: Segment[]) => ({ runId, cycle: '2026-01', periodStart: '2026-01-01', periodEnd: '2026-01-31', segments });

async function start(input: unknown, name?: string, stateMachineArn = BILLING_CYCLE): Promise<string> {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  return executionArn!;
}

async function run(input: unknown, name?: string, stateMachineArn = BILLING_CYCLE) {
  const executionArn = await start(input, name, stateMachineArn);
  await sfn.waitForExecution(executionArn);
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 7, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function apiError(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const error = (await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (thrown: unknown) => thrown,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

describe('state machines from the template', () => {
  it('resolves DefinitionString (Fn::Join) and DefinitionBody with DefinitionSubstitutions', () => {
    const machines = stateMachinesOf(new LocalResolver(fixtureTemplate()));
    expect(machines.map(({ logicalId, name, arn, type }) => ({ logicalId, name, arn, type }))).toEqual([
      { logicalId: 'BillingCycle', name: 'BillingCycle', arn: BILLING_CYCLE, type: 'STANDARD' },
      { logicalId: 'Pause', name: 'Pause', arn: PAUSE, type: 'STANDARD' },
      { logicalId: 'Short', name: 'Short', arn: SHORT, type: 'STANDARD' },
    ]);
    const billing = machines[0]!;
    expect(billing.definitionString).not.toMatch(/\$\{/);
    expect(billing.definition.States['PlanSegments']).toMatchObject({ Resource: lambdaArn('PlanSegmentsFunction') });
    expect(billing.roleArn).toBe('arn:aws:iam:us-east-1:000000000000:role/BillingCycleRole');
    expect(machines[1]!.definition.States['Invoke']).toMatchObject({ Parameters: { FunctionName: lambdaArn('EchoFunction') } });
  });

  it.each([
    [
      'a placeholder without substitution',
      (template: CfnTemplate) => delete (template.Resources['BillingCycle']!.Properties!['DefinitionSubstitutions'] as Record<string, unknown>)['BillSegmentFunctionArn'],
      /^state machine BillingCycle: the definition placeholder \$\{BillSegmentFunctionArn\} has no entry in DefinitionSubstitutions$/,
    ],
    [
      'a definition the interpreter rejects',
      (template: CfnTemplate) => {
        const body = template.Resources['Pause']!.Properties!['DefinitionBody'] as { States: Record<string, { Next?: string }> };
        body.States['WaitAnHour']!.Next = 'Nowhere';
      },
      /^state machine Pause is not valid for the local interpreter: .+/,
    ],
  ])('refuses %s with a one-line message', async (_label, change, message) => {
    const template = fixtureTemplate();
    change(template);
    const outcome = await startStepFunctions({ ...platformFor(template), log: jest.fn() }).then(
      async (started) => {
        await started.stop();
        return undefined;
      },
      (thrown: unknown) => thrown,
    );
    expect(outcome).toBeInstanceOf(PlatformError);
    expect((outcome as Error).message).toMatch(message);
    expect((outcome as Error).message).not.toContain('\n');
  });

  it('lists and describes the state machines through the API', async () => {
    const { stateMachines } = await client.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((machine) => machine.stateMachineArn)).toEqual([BILLING_CYCLE, PAUSE, SHORT]);
    expect(stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
    const page = await client.send(new ListStateMachinesCommand({ maxResults: 1 }));
    expect(page.stateMachines).toHaveLength(1);
    const rest = await client.send(new ListStateMachinesCommand({ maxResults: 2, nextToken: page.nextToken }));
    expect(rest.stateMachines?.map((machine) => machine.name)).toEqual(['Pause', 'Short']);
    expect(rest.nextToken).toBeUndefined();
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: BILLING_CYCLE }));
    expect(described).toMatchObject({ name: 'BillingCycle', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition!)).toMatchObject({ StartAt: 'PlanSegments' });
  });
});

describe('running the billing-cycle ASL', () => {
  it('bills every segment through the DISTRIBUTED Map and gives FinalizeRun the results in order', async () => {
    // Later segments finish first: the results must still come back in item order.
    const segments = Array.from({ length: 25 }, (_, index) => ({ id: `s${index}`, delayMs: (25 - index) * 2 }));
    const execution = await run(runInput('run-ok', segments), 'run-ok');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.startDate).toBeInstanceOf(Date);
    expect(execution.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(execution.output!)).toEqual({ runId: 'run-ok', status: 'COMPLETED', segments: 25 });
    expect(invocationsOf('PlanSegments', 'run-ok')).toEqual([runInput('run-ok', segments)]);
    // ItemSelector with $$.Map.Item.Value gives each BillSegment the run fields and its segment.
    expect(invocationsOf('BillSegment', 'run-ok')).toHaveLength(25);
    expect(invocationsOf('BillSegment', 'run-ok')).toContainEqual({ runId: 'run-ok', cycle: '2026-01', periodStart: '2026-01-01', periodEnd: '2026-01-31', segment: segments[3] });
    // Parameters give FinalizeRun exactly {runId, segmentResults}.
    expect(invocationsOf('FinalizeRun', 'run-ok')).toEqual([
      { runId: 'run-ok', segmentResults: segments.map((segment) => ({ segmentId: segment.id, billed: 2, attempt: 1 })) },
    ]);
  });

  it('sends a failing segment to MarkRunFailed and ends in the Fail state', async () => {
    const execution = await run(runInput('run-fail', [{ id: 'a' }, { id: 'b', fail: 'SegmentBroken' }, { id: 'c' }]));
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'BillingRunFailed',
      cause: 'A billing run step failed; see the run record and the execution history.',
    });
    const finalize = invocationsOf('FinalizeRun', 'run-fail') as Array<{ runId: string; error?: { Error: string; Cause: string } }>;
    expect(finalize).toHaveLength(1);
    expect(finalize[0]).toEqual({ runId: 'run-fail', error: { Error: 'SegmentBroken', Cause: expect.any(String) } });
    // The Cause is the Lambda error document, as in AWS.
    expect(JSON.parse(finalize[0]!.error!.Cause)).toMatchObject({ errorType: 'SegmentBroken', errorMessage: 'segment b cannot be billed', trace: expect.any(Array) });
  });

  it('retries a named error (TransientStoreError) with the shortened local interval', async () => {
    const started = Date.now();
    const execution = await run(runInput('run-retry', [{ id: 'a' }, { id: 'b', transient: 2 }]));
    expect(execution.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(2000); // in AWS the two retries wait 2 s + 4 s
    const billed = invocationsOf('BillSegment', 'run-retry') as Array<{ segment: Segment }>;
    expect(billed.filter((event) => event.segment.id === 'b')).toHaveLength(3);
    expect(invocationsOf('FinalizeRun', 'run-retry')).toEqual([
      { runId: 'run-retry', segmentResults: [{ segmentId: 'a', billed: 2, attempt: 1 }, { segmentId: 'b', billed: 2, attempt: 3 }] },
    ]);
    const failures = (await history(execution.executionArn!)).filter((event) => event.type === 'LambdaFunctionFailed');
    expect(failures.map((event) => event.lambdaFunctionFailedEventDetails?.error)).toEqual(['TransientStoreError', 'TransientStoreError']);
  });

  it('runs a segment whose function crashed again (the segment is idempotent), up to twice', async () => {
    const execution = await run(runInput('run-crash', [{ id: 'a' }, { id: 'b', crash: 1 }]));
    expect(execution.status).toBe('SUCCEEDED');
    expect((invocationsOf('BillSegment', 'run-crash') as Array<{ segment: Segment }>).filter((event) => event.segment.id === 'b')).toHaveLength(2);
    const failures = (await history(execution.executionArn!)).filter((event) => event.type === 'LambdaFunctionFailed');
    expect(failures.map((event) => event.lambdaFunctionFailedEventDetails?.error)).toEqual(['Runtime.ExitError']);
    const gaveUp = await run(runInput('run-crash-3', [{ id: 'a', crash: 3 }]));
    expect(gaveUp.status).toBe('FAILED');
    expect(invocationsOf('BillSegment', 'run-crash-3')).toHaveLength(3); // 1 + MaxAttempts 2
  });

  it('gives up after MaxAttempts and fails the run through MarkRunFailed', async () => {
    const execution = await run(runInput('run-exhausted', [{ id: 'a', transient: 99 }]));
    expect(execution.status).toBe('FAILED');
    expect(invocationsOf('BillSegment', 'run-exhausted')).toHaveLength(5); // 1 + MaxAttempts 4
    expect(invocationsOf('FinalizeRun', 'run-exhausted')).toEqual([{ runId: 'run-exhausted', error: { Error: 'TransientStoreError', Cause: expect.any(String) } }]);
  });

  it('starts no more segments once the Map has failed (as the DISTRIBUTED Map run stops in AWS)', async () => {
    // MaxConcurrency is 20: 30 segments leave 10 queued when the first one fails.
    const segments: Segment[] = [{ id: 's0', fail: 'SegmentBroken' }, ...Array.from({ length: 29 }, (_, index) => ({ id: `s${index + 1}`, delayMs: 30 }))];
    const execution = await run(runInput('run-stray', segments));
    expect(execution.status).toBe('FAILED');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const billed = (invocationsOf('BillSegment', 'run-stray') as Array<{ segment: Segment }>).map((event) => event.segment.id);
    expect(billed).toContain('s0');
    expect(billed.length).toBeLessThanOrEqual(20);
    expect(billed.filter((id) => Number(id.slice(1)) >= 20)).toEqual([]);
    const types = (await history(execution.executionArn!)).map((event) => event.type);
    expect(types.slice(types.indexOf('MapStateFailed'))).toEqual([
      'MapStateFailed',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
  });

  it('records an execution history with Step Functions event types', async () => {
    const execution = await run(runInput('run-history', [{ id: 'a' }, { id: 'b' }]));
    const events = await history(execution.executionArn!);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify(runInput('run-history', [{ id: 'a' }, { id: 'b' }])) } });
    expect(events[0]!.timestamp).toBeInstanceOf(Date);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 6)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited']);
    expect(types.slice(6, 8)).toEqual(['MapStateEntered', 'MapStateStarted']);
    expect(events[7]!.mapStateStartedEventDetails).toEqual({ length: 2 });
    expect(types.filter((type) => type === 'MapIterationStarted')).toHaveLength(2);
    expect(types.filter((type) => type === 'MapIterationSucceeded')).toHaveLength(2);
    expect(types.slice(-8)).toEqual([
      'MapStateSucceeded',
      'MapStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = events.filter((event) => event.type === 'LambdaFunctionScheduled').map((event) => event.lambdaFunctionScheduledEventDetails?.resource);
    expect(scheduled).toEqual([lambdaArn('PlanSegmentsFunction'), lambdaArn('BillSegmentFunction'), lambdaArn('BillSegmentFunction'), lambdaArn('FinalizeRunFunction')]);
    expect(JSON.parse(events.at(-1)!.executionSucceededEventDetails!.output!)).toEqual({ runId: 'run-history', status: 'COMPLETED', segments: 2 });

    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, reverseOrder: true, maxResults: 2 }));
    expect(reversed.events?.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'TaskStateExited']);
    expect(reversed.nextToken).toEqual(expect.any(String));
    const withoutData = await client.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, includeExecutionData: false, maxResults: 1 }));
    expect(withoutData.events?.[0]?.executionStartedEventDetails?.input).toBeUndefined();
  });

  it('records the failure path in the history', async () => {
    const execution = await run(runInput('run-fail-history', [{ id: 'a', fail: 'SegmentBroken' }]));
    const types = (await history(execution.executionArn!)).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['LambdaFunctionFailed', 'MapIterationFailed', 'MapStateFailed', 'FailStateEntered', 'ExecutionFailed']));
    expect(types.at(-1)).toBe('ExecutionFailed');
    expect(types).not.toContain('MapStateExited');
  });
});

describe('the Step Functions API', () => {
  it('works through AWS_ENDPOINT_URL_SFN, as the handlers use it', async () => {
    const previous = process.env['AWS_ENDPOINT_URL_SFN'];
    process.env['AWS_ENDPOINT_URL_SFN'] = sfn.endpoint;
    const envClient = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const { executionArn, startDate } = await envClient.send(new StartExecutionCommand({ stateMachineArn: BILLING_CYCLE, input: JSON.stringify(runInput('run-env', [])) }));
      expect(executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:BillingCycle:[0-9a-f-]{36}$/);
      expect(startDate).toBeInstanceOf(Date);
      await sfn.waitForExecution(executionArn!);
      expect((await envClient.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    } finally {
      envClient.destroy();
      if (previous === undefined) delete process.env['AWS_ENDPOINT_URL_SFN'];
      else process.env['AWS_ENDPOINT_URL_SFN'] = previous;
    }
  });

  it('is idempotent on the execution name like a STANDARD workflow', async () => {
    const input = runInput('run-idem', [{ id: 'slow', delayMs: 300 }]);
    const first = await start(input, 'run-idem');
    expect(await start(input, 'run-idem')).toBe(first);
    expect(first).toBe('arn:aws:states:us-east-1:000000000000:execution:BillingCycle:run-idem');
    expect(await apiError(start({ ...input, cycle: 'other' }, 'run-idem'))).toMatchObject({ name: 'ExecutionAlreadyExists', status: 400 });
    await sfn.waitForExecution(first);
    // Once the execution has ended, AWS refuses the name even with the same input.
    expect((await apiError(start(input, 'run-idem'))).name).toBe('ExecutionAlreadyExists');
    expect(invocationsOf('PlanSegments', 'run-idem')).toHaveLength(1);
  });

  it('answers errors like Step Functions', async () => {
    expect(await apiError(start({}, 'has space'))).toMatchObject({ name: 'InvalidName', status: 400 });
    expect((await apiError(start({}, 'x'.repeat(81)))).name).toBe('InvalidName');
    expect((await apiError(start({}, 'a:b'))).name).toBe('InvalidName');
    expect((await apiError(start({}, undefined, 'arn:aws:states:us-east-1:000000000000:stateMachine:Nope'))).name).toBe('StateMachineDoesNotExist');
    expect((await apiError(start({}, undefined, 'not-an-arn'))).name).toBe('InvalidArn');
    expect((await apiError(client.send(new StartExecutionCommand({ stateMachineArn: BILLING_CYCLE, input: '{not json' })))).name).toBe('InvalidExecutionInput');
    const missing = await apiError(client.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:BillingCycle:nope' })));
    expect(missing).toMatchObject({ name: 'ExecutionDoesNotExist', status: 400 });
    expect(missing.message).toContain('nope');
    expect((await apiError(client.send(new ListExecutionsCommand({ stateMachineArn: BILLING_CYCLE, nextToken: 'garbage' })))).name).toBe('InvalidToken');
  });

  it('lists executions newest first, with statusFilter and pagination', async () => {
    const names = ['list-1', 'list-2', 'list-3'];
    for (const name of names) await run(runInput(name, []), name);
    const failed = await run(runInput('list-failed', [{ id: 'x', fail: 'Nope' }]), 'list-failed');
    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: BILLING_CYCLE }));
    const listed = all.executions!.map((execution) => execution.name);
    expect(listed.indexOf('list-failed')).toBeLessThan(listed.indexOf('list-3'));
    expect(listed.indexOf('list-3')).toBeLessThan(listed.indexOf('list-2'));
    expect(listed.indexOf('list-2')).toBeLessThan(listed.indexOf('list-1'));
    expect(all.executions![0]).toMatchObject({ stateMachineArn: BILLING_CYCLE, status: expect.any(String), startDate: expect.any(Date) });
    const onlyFailed = await client.send(new ListExecutionsCommand({ stateMachineArn: BILLING_CYCLE, statusFilter: 'FAILED' }));
    expect(onlyFailed.executions!.map((execution) => execution.executionArn)).toContain(failed.executionArn);
    expect(onlyFailed.executions!.every((execution) => execution.status === 'FAILED')).toBe(true);
    const pages: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn: BILLING_CYCLE, maxResults: 2, nextToken }));
      expect(page.executions!.length).toBeLessThanOrEqual(2);
      pages.push(...page.executions!.map((execution) => execution.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toEqual(listed);
  });

  it('stops a running execution (ABORTED)', async () => {
    const executionArn = await start(runInput('run-stop', [{ id: 'slow', delayMs: 400 }]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { stopDate } = await client.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by a test' }));
    expect(stopDate).toBeInstanceOf(Date);
    await sfn.waitForExecution(executionArn);
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by a test' });
    expect(execution.output).toBeUndefined();
    expect(invocationsOf('FinalizeRun', 'run-stop')).toEqual([]);
    const types = (await history(executionArn)).map((event) => event.type);
    expect(types.at(-1)).toBe('ExecutionAborted');
  });

  it('shortens Wait states and runs lambda:invoke tasks', async () => {
    const started = Date.now();
    const execution = await run({ hello: 'world' }, undefined, PAUSE);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({ echoed: { hello: 'world' } });
    const types = (await history(execution.executionArn!)).map((event) => event.type);
    expect(types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  it('fails a task whose function runs over its Lambda timeout with Sandbox.Timedout', async () => {
    const execution = await run({ sleepMs: 1500 }, undefined, SHORT);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Sandbox.Timedout');
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 1.00 seconds$/) });
    expect(execution.stopDate!.getTime() - execution.startDate!.getTime()).toBeLessThan(1400);
  });

  it('enforces the 256 KiB payload limit on execution input and task output', async () => {
    expect(await apiError(start({ pad: 'x'.repeat(256 * 1024) }, undefined, SHORT))).toMatchObject({ name: 'ValidationException', status: 400 });
    const execution = await run({ padBytes: 300_000 }, undefined, SHORT);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('offers in-process helpers for tests', async () => {
    const execution = sfn.startExecution('BillingCycle', runInput('run-helper', []), 'run-helper');
    expect(sfn.executions.get(execution.executionArn)).toBe(execution);
    expect((await sfn.waitForExecution(execution.executionArn)).status).toBe('SUCCEEDED');
    await expect(sfn.waitForExecution('arn:aws:states:us-east-1:000000000000:execution:BillingCycle:none')).rejects.toThrow(/Does Not Exist/);
  });
});

describe('stop', () => {
  it('aborts running executions, waits for their handlers, and is idempotent', async () => {
    const own = await startStepFunctions({ ...platformFor(fixtureTemplate()), log: jest.fn() });
    const execution = own.startExecution('BillingCycle', runInput('run-shutdown', [{ id: 'slow', delayMs: 200 }]));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await Promise.all([own.stop(), own.stop()]);
    await own.stop();
    expect(execution.status).toBe('ABORTED');
    await expect(fetch(own.endpoint, { method: 'POST' })).rejects.toThrow();
  });
});
