/**
 * Local Step Functions: runs the template's state machines with aws-local-stepfunctions, Task
 * states invoking the handler modules in this process, and serves the part of the Step Functions
 * API (AWS JSON 1.0 protocol) that the handlers and operators use, so that `SFNClient` with
 * AWS_ENDPOINT_URL_SFN works unchanged.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { listenError, PlatformError } from './errors';
import { functionByArn, localArn, resourcesOfType } from './template';
import type { FunctionHost, LocalFunction, LocalResolver } from './template';

export const DEFAULT_WAIT_TIME_OVERRIDE_MS = 10;
export const DEFAULT_RETRY_INTERVAL_OVERRIDE_MS = 50;
/** Step Functions' limit on the size of a state's input or output (256 KiB). */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// The library's own types for these are not exported.
type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer T> ? T : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Execution input as given to StartExecution (a JSON string). */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  history: HistoryEvent[];
  /** Settles (never rejects) when the execution has ended and its history is complete. */
  done: Promise<LocalExecution>;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  roleArn: string;
  /** The definition after intrinsic functions and DefinitionSubstitutions. */
  definitionString: string;
  definition: StateMachineDefinition;
  creationDate: Date;
}

export interface StepFunctionsOptions {
  resolver: LocalResolver;
  host: FunctionHost;
  /** Port on 127.0.0.1 for the API; default 0 (a free port). */
  port?: number;
  log: (line: string) => void;
  /** Every Wait state waits this many ms locally (default 10). */
  waitTimeOverride?: number;
  /** Every Retry waits this many ms between attempts locally (default 50). */
  retryIntervalOverride?: number;
}

export interface RunningStepFunctions {
  /** Base URL for AWS_ENDPOINT_URL_SFN. */
  endpoint: string;
  port: number;
  stateMachines: Map<string, LocalStateMachine>;
  executions: Map<string, LocalExecution>;
  /** Starts an execution in-process (as StartExecution does); `stateMachine` is an ARN or a logical id. */
  startExecution(stateMachine: string, input?: unknown, name?: string): LocalExecution;
  /** Resolves with the execution once it has ended (rejects after timeoutMs, default 30 s). */
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<LocalExecution>;
  stop(): Promise<void>;
}

/** An API error: `type` is the Step Functions exception name. */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

interface StateInfo {
  name: string;
  state: Record<string, unknown>;
}

/** Every state of a definition, including those inside Map and Parallel states. */
function allStates(definition: { States?: Record<string, unknown> }, into: StateInfo[] = []): StateInfo[] {
  for (const [name, raw] of Object.entries(definition.States ?? {})) {
    const state = raw as Record<string, unknown>;
    into.push({ name, state });
    const processor = (state['ItemProcessor'] ?? state['Iterator']) as { States?: Record<string, unknown> } | undefined;
    if (processor) allStates(processor, into);
    for (const branch of (state['Branches'] as Array<{ States?: Record<string, unknown> }> | undefined) ?? []) allStates(branch, into);
  }
  return into;
}

/** For each state inside a top-level Map state (at any depth), the name of that Map. */
function topLevelMapOf(definition: StateMachineDefinition): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [mapName, raw] of Object.entries(definition.States)) {
    const state = raw as unknown as Record<string, unknown>;
    if (state['Type'] !== 'Map') continue;
    const processor = (state['ItemProcessor'] ?? state['Iterator'] ?? {}) as { States?: Record<string, unknown> };
    for (const { name } of allStates(processor)) owners.set(name, mapName);
  }
  return owners;
}

function substitute(text: string, substitutions: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (placeholder, name: string) => (name in substitutions ? substitutions[name]! : placeholder));
}

/** Reads the state machines of the template with their definitions resolved for the local platform. */
export function stateMachinesOf(resolver: LocalResolver): LocalStateMachine[] {
  const machines: LocalStateMachine[] = [];
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::StepFunctions::StateMachine')) {
    const properties = resource.Properties ?? {};
    let text: string;
    if (properties['DefinitionString'] !== undefined) {
      text = resolver.resolveString(properties['DefinitionString']);
    } else if (properties['DefinitionBody'] !== undefined) {
      text = JSON.stringify(resolver.resolve(properties['DefinitionBody']));
    } else {
      throw new PlatformError(`state machine ${logicalId} has no DefinitionString or DefinitionBody: define it with DefinitionBody.fromString (an S3 definition cannot run locally)`);
    }
    const substitutions = Object.fromEntries(
      Object.entries((properties['DefinitionSubstitutions'] as Record<string, unknown> | undefined) ?? {}).map(([name, value]) => [name, String(resolver.resolve(value))]),
    );
    const definitionString = substitute(text, substitutions);
    const unresolved = /\$\{([^}]+)\}/.exec(definitionString);
    if (unresolved) {
      throw new PlatformError(`state machine ${logicalId}: the definition placeholder \${${unresolved[1]}} has no entry in DefinitionSubstitutions`);
    }
    let definition: StateMachineDefinition;
    try {
      definition = JSON.parse(definitionString) as StateMachineDefinition;
    } catch (error) {
      throw new PlatformError(`state machine ${logicalId}: the definition is not JSON after substitutions (${(error as Error).message})`);
    }
    const type = properties['StateMachineType'] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
    const roleArn = properties['RoleArn'] === undefined ? localArn('iam', `role/${logicalId}Role`) : String(resolver.resolve(properties['RoleArn']));
    machines.push({
      logicalId,
      name: resolver.getAtt(logicalId, 'Name'),
      arn: resolver.getAtt(logicalId, 'Arn'),
      type,
      roleArn: roleArn.startsWith('arn:') ? roleArn : localArn('iam', `role/${roleArn}`),
      definitionString,
      definition,
      creationDate: new Date(),
    });
  }
  return machines;
}

/** Evaluates the simple JSONPaths (`$`, `$.a.b`, `$.a[0]`) used for the Map length in the history. */
function simplePath(pathExpression: unknown, value: unknown): unknown {
  if (typeof pathExpression !== 'string' || !pathExpression.startsWith('$') || pathExpression.startsWith('$$')) return undefined;
  let current = value;
  for (const [, key, index] of pathExpression.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]/g)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key ?? Number(index)];
  }
  return current;
}

/** Thrown into the interpreter when a task fails: `name` is what Retry/Catch match on. */
class TaskFailure extends Error {
  constructor(
    name: string,
    message: string,
    private readonly terminal = false,
  ) {
    super(message);
    this.name = name;
  }
  // aws-local-stepfunctions reads these to decide whether Retry and Catch may match.
  get isRetryable(): boolean {
    return !this.terminal;
  }
  get isCatchable(): boolean {
    return !this.terminal;
  }
}

/** A Lambda function error as Step Functions reports it: Error = errorType, Cause = the Lambda error JSON. */
function lambdaFailure(error: unknown): TaskFailure {
  const errorType = error instanceof Error ? error.name || 'Error' : typeof error === 'string' ? 'string' : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function assertPayloadSize(stateName: string, what: 'input' | 'output', value: unknown): void {
  const size = Buffer.byteLength(JSON.stringify(value ?? null));
  if (size > PAYLOAD_LIMIT_BYTES) {
    throw new TaskFailure('States.DataLimitExceeded', `The state/task '${stateName}' ${what} (${size} bytes) exceeds the maximum payload size of ${PAYLOAD_LIMIT_BYTES} bytes.`, true);
  }
}

interface TaskCall {
  kind: 'lambda' | 'task';
  resource: string;
  input: string;
}
interface TaskError {
  error: string;
  cause: string;
}

interface TaskPlan {
  kind: 'lambda' | 'task';
  resource: string;
  run(input: Json): Promise<unknown>;
}

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
/** Lambda's longest timeout: the interpreter's own task timeout must not fire before a function's. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;

/** Invokes a function with its Lambda timeout, failing like Lambda (Sandbox.Timedout) when it runs over. */
function invokeFunction(host: FunctionHost, fn: LocalFunction, payload: unknown, track: (work: Promise<unknown>) => void): Promise<unknown> {
  const invocation = host.invoke(fn.logicalId, payload);
  track(invocation);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const errorMessage = `RequestId: ${randomUUID()} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`;
      reject(new TaskFailure('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage })));
    }, fn.timeoutSeconds * 1000);
  });
  return Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The definition the interpreter runs: Task states without a TimeoutSeconds get one above any Lambda
 * timeout, since aws-local-stepfunctions would otherwise stop every task after 60 s (AWS has no
 * such default; the function's own timeout applies).
 */
function interpreterDefinition(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = structuredClone(definition);
  for (const { state } of allStates(copy)) {
    if (state['Type'] === 'Task' && state['TimeoutSeconds'] === undefined && state['TimeoutSecondsPath'] === undefined) {
      state['TimeoutSeconds'] = MAX_LAMBDA_TIMEOUT_SECONDS + 1;
    }
  }
  return copy;
}

/** How each Task state of a definition runs locally (keyed by state name, as the interpreter does). */
function taskPlans(machine: LocalStateMachine, host: FunctionHost, log: (line: string) => void, track: (work: Promise<unknown>) => void): Map<string, TaskPlan> {
  const plans = new Map<string, TaskPlan>();
  const resources = new Map<string, string>();
  for (const { name, state } of allStates(machine.definition)) {
    if (state['Type'] !== 'Task') continue;
    const resource = String(state['Resource']);
    const previous = resources.get(name);
    if (previous !== undefined && previous !== resource) {
      throw new PlatformError(`state machine ${machine.logicalId} has two Task states named ${name}: state names must be unique in the whole state machine`);
    }
    resources.set(name, resource);
    const fn = functionByArn(host.functions, resource);
    if (fn) {
      plans.set(name, { kind: 'lambda', resource, run: (input) => invokeFunction(host, fn, input, track) });
    } else if (LAMBDA_INVOKE.test(resource)) {
      plans.set(name, {
        kind: 'task',
        resource,
        async run(input) {
          const parameters = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
          const target = parameters.FunctionName ? functionByArn(host.functions, parameters.FunctionName) : undefined;
          if (!target) throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${String(parameters.FunctionName)}`);
          const payload = await invokeFunction(host, target, parameters.Payload ?? {}, track);
          return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
        },
      });
    } else {
      log(`sfn: ${machine.logicalId}: Task state ${name} uses ${resource}, which the local platform cannot run; the state will fail`);
      plans.set(name, {
        kind: 'task',
        resource,
        run: () => Promise.reject(new TaskFailure('States.TaskFailed', `the local platform cannot run the resource ${resource} (only Lambda functions of the template)`)),
      });
    }
  }
  return plans;
}

interface CompiledMachine {
  machine: LocalStateMachine;
  interpreter: StateMachine;
  plans: Map<string, TaskPlan>;
  waitTimeOverrides: Record<string, number>;
  retryIntervalOverrides: Record<string, number>;
  states: Map<string, Record<string, unknown>>;
  /** For each state inside a top-level Map's ItemProcessor: the name of that Map. */
  mapOfState: Map<string, string>;
}

interface ExecutionRecord extends LocalExecution {
  abort?: () => void;
  abortReason?: { error?: string; cause?: string };
  // The interpreter's event log says which state ran, not what the task returned: the task
  // handlers queue calls and results by state name, and the history pairs them with the events.
  calls: Map<string, TaskCall[]>;
  lastCalls: Map<string, TaskCall>;
  outputs: Map<string, string[]>;
  failures: Map<string, TaskError[]>;
  caught: Set<string>;
  /**
   * Top-level Map states by name: whether the Map has ended (leftover iterations must then not run
   * tasks or add history) and which iterations it started while it was running.
   */
  maps: Map<string, { closed: boolean; started: Set<number> }>;
}

const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;

function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken(token: unknown): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new SfnApiError('InvalidToken', `Invalid Token: '${String(token)}'`);
}

function pageSize(maxResults: unknown): number {
  if (maxResults === undefined || maxResults === null || maxResults === 0) return 100;
  const size = Number(maxResults);
  if (!Number.isInteger(size) || size < 0 || size > 1000) {
    throw new SfnApiError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  return size;
}

function required(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new SfnApiError('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}

/** Starts the local Step Functions: one interpreter per state machine of the template and the API. */
export async function startStepFunctions(options: StepFunctionsOptions): Promise<RunningStepFunctions> {
  const { resolver, host, log } = options;
  const waitTime = options.waitTimeOverride ?? DEFAULT_WAIT_TIME_OVERRIDE_MS;
  const retryInterval = options.retryIntervalOverride ?? DEFAULT_RETRY_INTERVAL_OVERRIDE_MS;

  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
  };
  const compiled = new Map<string, CompiledMachine>();
  for (const machine of stateMachinesOf(resolver)) {
    let interpreter: StateMachine;
    try {
      interpreter = new StateMachine(interpreterDefinition(machine.definition), { validationOptions: { checkPaths: true, checkArn: true } });
    } catch (error) {
      throw new PlatformError(`state machine ${machine.logicalId} is not valid for the local interpreter: ${(error as Error).message.replace(/\s+/g, ' ')}`);
    }
    const states = allStates(machine.definition);
    compiled.set(machine.arn, {
      machine,
      interpreter,
      plans: taskPlans(machine, host, log, track),
      waitTimeOverrides: Object.fromEntries(states.filter(({ state }) => state['Type'] === 'Wait').map(({ name }) => [name, waitTime])),
      retryIntervalOverrides: Object.fromEntries(states.filter(({ state }) => Array.isArray(state['Retry'])).map(({ name }) => [name, retryInterval])),
      states: new Map(states.map(({ name, state }) => [name, state])),
      mapOfState: topLevelMapOf(machine.definition),
    });
  }
  const stateMachines = new Map([...compiled].map(([arn, { machine }]) => [arn, machine]));
  const executions = new Map<string, ExecutionRecord>();
  let stopped = false;

  function push<T>(map: Map<string, T[]>, key: string, value: T): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  function handlersFor(record: ExecutionRecord, machine: CompiledMachine): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const [stateName, plan] of machine.plans) {
      const mapName = machine.mapOfState.get(stateName);
      handlers[stateName] = async (input) => {
        // The call is recorded synchronously, in the tick the interpreter enters (or retries) the state.
        const call: TaskCall = { kind: plan.kind, resource: plan.resource, input: JSON.stringify(input) };
        push(record.calls, stateName, call);
        // The interpreter keeps starting queued Map iterations after the Map has failed, and runs
        // the first state of an execution that was stopped: such tasks must not run. The Map's
        // failure reaches the event log within the current burst of microtasks, hence setImmediate.
        if (mapName !== undefined) await new Promise((resolve) => setImmediate(resolve));
        if (record.status !== 'RUNNING' || (mapName !== undefined && record.maps.get(mapName)?.closed)) {
          const queue = record.calls.get(stateName);
          const index = queue?.indexOf(call) ?? -1;
          if (index >= 0) queue!.splice(index, 1);
          throw new TaskFailure('States.Aborted', `the ${mapName ? `Map state ${mapName}` : 'execution'} has ended: task ${stateName} was not run`, true);
        }
        const attempt = (async () => {
          assertPayloadSize(stateName, 'input', input);
          let result: unknown;
          try {
            result = await plan.run(toJson(input));
          } catch (error) {
            throw error instanceof TaskFailure ? error : lambdaFailure(error);
          }
          const output = toJson(result);
          assertPayloadSize(stateName, 'output', output);
          return output;
        })();
        const current = () => mapName === undefined || !record.maps.get(mapName)?.closed;
        try {
          const output = await attempt;
          if (current()) push(record.outputs, stateName, JSON.stringify(output));
          return output;
        } catch (error) {
          const failure = error as TaskFailure;
          if (current()) push(record.failures, stateName, { error: failure.name, cause: failure.message });
          throw failure;
        }
      };
    }
    return handlers;
  }

  function addEvent(record: ExecutionRecord, type: string, details: Record<string, unknown> = {}, timestamp = Date.now()): void {
    const id = record.history.length + 1;
    record.history.push({ id, previousEventId: id - 1, timestamp: new Date(timestamp), type, ...details });
  }

  function recordEvent(record: ExecutionRecord, machine: CompiledMachine, event: EventLog): void {
    const topLevel = (name: string) => machine.machine.definition.States[name]?.Type === 'Map';
    // Events of Map iterations that started after their Map had ended are not part of the history.
    const index = (event as { index?: number }).index;
    const state = 'state' in event ? event.state : undefined;
    const owner =
      'parentState' in event ? (topLevel(event.parentState.name) ? event.parentState.name : undefined) : index !== undefined && state ? machine.mapOfState.get(state.name) : undefined;
    const map = owner === undefined ? undefined : record.maps.get(owner);
    if (map?.closed && (index === undefined || !map.started.has(index))) return;
    if (map && event.type === 'MapIterationStarted') map.started.add(event.index);
    const topLevelMap = state !== undefined && index === undefined && state.type === 'Map' && topLevel(state.name) ? state.name : undefined;
    if (topLevelMap && (event.type === 'StateEntered' || event.type === 'StateRetried')) record.maps.set(topLevelMap, { closed: false, started: new Set() });
    appendHistory(record, machine, event);
    if (topLevelMap && (event.type === 'StateFailed' || event.type === 'StateExited')) {
      record.maps.set(topLevelMap, { closed: true, started: record.maps.get(topLevelMap)?.started ?? new Set() });
      // Outcomes of iterations aborted with the Map will never be paired with an event.
      for (const [stateName, mapName] of machine.mapOfState) {
        if (mapName !== topLevelMap) continue;
        record.outputs.delete(stateName);
        record.failures.delete(stateName);
      }
    }
  }

  function appendHistory(record: ExecutionRecord, machine: CompiledMachine, event: EventLog): void {
    const at = event.timestamp;
    const json = (value: unknown) => JSON.stringify(value ?? null);
    const payload = () => ({ truncated: false });
    switch (event.type) {
      case 'ExecutionStarted':
        addEvent(record, 'ExecutionStarted', { executionStartedEventDetails: { input: record.input, inputDetails: payload(), roleArn: machine.machine.roleArn } }, at);
        return;
      case 'ExecutionSucceeded':
        addEvent(record, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: json(event.output), outputDetails: payload() } }, at);
        return;
      case 'ExecutionFailed':
        addEvent(record, 'ExecutionFailed', { executionFailedEventDetails: { error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause) } }, at);
        return;
      case 'ExecutionAborted':
        addEvent(record, 'ExecutionAborted', { executionAbortedEventDetails: { ...record.abortReason } }, at);
        return;
      case 'ExecutionTimeout':
        addEvent(record, 'ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } }, at);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type[0]!.toLowerCase()}${event.type.slice(1)}EventDetails`;
        addEvent(record, event.type, { [key]: { name: event.parentState.name, index: event.index } }, at);
        return;
      }
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        return;
      default:
        break;
    }
    const { name, type, input } = event.state;
    const scope = `${name}#${event.index ?? ''}`;
    switch (event.type) {
      case 'StateEntered': {
        addEvent(record, `${type}StateEntered`, { stateEnteredEventDetails: { name, input: json(input), inputDetails: payload() } }, at);
        if (type === 'Task') scheduled(record, name, at);
        if (type === 'Map') {
          const state = machine.states.get(name) ?? {};
          const items = simplePath(state['ItemsPath'] ?? '$', simplePath(state['InputPath'] ?? '$', input));
          addEvent(record, 'MapStateStarted', { mapStateStartedEventDetails: Array.isArray(items) ? { length: items.length } : {} }, at);
        }
        if (type === 'Parallel') addEvent(record, 'ParallelStateStarted', {}, at);
        return;
      }
      case 'StateRetried':
        if (type === 'Task') scheduled(record, name, at);
        return;
      case 'StateFailed':
        if (type === 'Task') {
          const failure = record.failures.get(name)?.shift();
          const call = record.lastCalls.get(name);
          const error = failure?.error ?? event.Error;
          const cause = failure?.cause ?? (typeof event.Cause === 'string' ? event.Cause : json(event.Cause));
          if (!failure && record.outputs.get(name)?.length) {
            succeeded(record, name, at);
          } else if (call?.kind === 'lambda') {
            addEvent(record, error === 'States.Timeout' ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', {
              [error === 'States.Timeout' ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: { error, cause },
            }, at);
          } else if (call) {
            addEvent(record, error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed', {
              [error === 'States.Timeout' ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: { ...taskResource(call), error, cause },
            }, at);
          }
        } else if (type === 'Map') {
          addEvent(record, 'MapStateFailed', {}, at);
        } else if (type === 'Parallel') {
          addEvent(record, 'ParallelStateFailed', {}, at);
        }
        return;
      case 'StateCaught':
        record.caught.add(scope);
        return;
      case 'StateExited': {
        if (record.caught.delete(scope)) return; // AWS shows no exit event for a state whose error was caught
        if (type === 'Task') succeeded(record, name, at);
        if (type === 'Map') addEvent(record, 'MapStateSucceeded', {}, at);
        if (type === 'Parallel') addEvent(record, 'ParallelStateSucceeded', {}, at);
        addEvent(record, `${type}StateExited`, { stateExitedEventDetails: { name, output: json(event.state.output), outputDetails: payload() } }, at);
        return;
      }
      default:
        return;
    }
  }

  function taskResource(call: TaskCall): Record<string, string> {
    const [, service = 'states', action = call.resource] = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/.exec(call.resource) ?? [];
    return { resourceType: service, resource: action };
  }

  function scheduled(record: ExecutionRecord, stateName: string, at: number): void {
    const call = record.calls.get(stateName)?.shift();
    if (!call) return;
    record.lastCalls.set(stateName, call);
    if (call.kind === 'lambda') {
      addEvent(record, 'LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: call.resource, input: call.input, inputDetails: { truncated: false } } }, at);
      addEvent(record, 'LambdaFunctionStarted', {}, at);
    } else {
      addEvent(record, 'TaskScheduled', { taskScheduledEventDetails: { ...taskResource(call), region: resolver.ref('AWS::Region'), parameters: call.input } }, at);
      addEvent(record, 'TaskStarted', { taskStartedEventDetails: taskResource(call) }, at);
    }
  }

  function succeeded(record: ExecutionRecord, stateName: string, at: number): void {
    const output = record.outputs.get(stateName)?.shift();
    const call = record.lastCalls.get(stateName);
    if (output === undefined || !call) return;
    if (call.kind === 'lambda') {
      addEvent(record, 'LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output, outputDetails: { truncated: false } } }, at);
    } else {
      addEvent(record, 'TaskSucceeded', { taskSucceededEventDetails: { ...taskResource(call), output, outputDetails: { truncated: false } } }, at);
    }
  }

  function startExecution(stateMachineArn: string, inputText: string, requestedName?: string): LocalExecution {
    if (stopped) throw new SfnApiError('ServiceUnavailable', 'the local Step Functions is stopping');
    const machine = compiled.get(stateMachineArn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const name = requestedName ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    let input: Json;
    try {
      input = JSON.parse(inputText) as Json;
    } catch {
      throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Unexpected token in ${inputText.slice(0, 40)}'`);
    }
    if (Buffer.byteLength(inputText) > PAYLOAD_LIMIT_BYTES) {
      throw new SfnApiError('ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${PAYLOAD_LIMIT_BYTES}`);
    }
    const executionArn = localArn('states', `execution:${machine.machine.name}:${name}`);
    const existing = executions.get(executionArn);
    if (existing) {
      // Standard workflows: the same name and input while running returns the running execution.
      if (existing.status === 'RUNNING' && existing.input === inputText) return existing;
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      status: 'RUNNING',
      input: inputText,
      startDate: new Date(),
      history: [],
      done: Promise.resolve(undefined as unknown as LocalExecution),
      calls: new Map(),
      lastCalls: new Map(),
      outputs: new Map(),
      failures: new Map(),
      caught: new Set(),
      maps: new Map(),
    };
    executions.set(executionArn, record);
    const run = machine.interpreter.run(input, {
      overrides: {
        taskResourceLocalHandlers: handlersFor(record, machine),
        waitTimeOverrides: machine.waitTimeOverrides,
        retryIntervalOverrides: machine.retryIntervalOverrides,
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: machine.machine.roleArn, RedriveCount: 0 },
        StateMachine: { Id: stateMachineArn, Name: machine.machine.name },
      },
    });
    record.abort = run.abort;
    const history = (async () => {
      for await (const event of run.eventLogs) recordEvent(record, machine, event);
    })();
    const finished = run.result.then(
      (output) => {
        if (record.status !== 'RUNNING') return;
        record.status = 'SUCCEEDED';
        record.output = JSON.stringify(output ?? null);
      },
      (error: unknown) => {
        if (record.status !== 'RUNNING') return;
        if (error instanceof ExecutionTimeoutError) {
          record.status = 'TIMED_OUT';
          record.error = 'States.Timeout';
          return;
        }
        const cause = (error as Error & { cause?: unknown }).cause;
        const failure = cause instanceof Error ? cause : (error as Error);
        record.status = 'FAILED';
        record.error = failure.name;
        record.cause = failure.message;
      },
    );
    record.done = finished
      .then(() => history)
      .catch((error: unknown) => log(`sfn: history of ${executionArn} is incomplete: ${(error as Error).message}`))
      .then(() => {
        record.stopDate ??= new Date();
        const took = record.stopDate.getTime() - record.startDate.getTime();
        log(`sfn: ${machine.machine.name} execution ${name} ${record.status} in ${took} ms${record.error ? `: ${record.error}${record.cause ? ` (${record.cause.slice(0, 200)})` : ''}` : ''}`);
        return record as LocalExecution;
      });
    return record;
  }

  function stopExecution(record: ExecutionRecord, error?: string, cause?: string): void {
    if (record.status !== 'RUNNING') return;
    record.status = 'ABORTED';
    record.stopDate = new Date();
    record.abortReason = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
    if (error !== undefined) record.error = error;
    if (cause !== undefined) record.cause = cause;
    record.abort?.();
  }

  function executionOf(body: Record<string, unknown>): ExecutionRecord {
    const executionArn = required(body, 'executionArn');
    if (!EXECUTION_ARN.test(executionArn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    const record = executions.get(executionArn);
    if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  function machineOf(body: Record<string, unknown>): CompiledMachine {
    const arn = required(body, 'stateMachineArn');
    if (!STATE_MACHINE_ARN.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = compiled.get(arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  function describeMachine({ machine }: CompiledMachine): Record<string, unknown> {
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definitionString,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: epochSeconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  function listItem(record: ExecutionRecord): Record<string, unknown> {
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: epochSeconds(record.startDate),
      ...(record.stopDate && record.status !== 'RUNNING' ? { stopDate: epochSeconds(record.stopDate) } : {}),
    };
  }

  const operations: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    StartExecution(body) {
      const machine = machineOf(body);
      const input = body['input'] === undefined || body['input'] === null ? '{}' : String(body['input']);
      const name = body['name'] === undefined || body['name'] === null ? undefined : String(body['name']);
      const record = startExecution(machine.machine.arn, input, name);
      return { executionArn: record.executionArn, startDate: epochSeconds(record.startDate) };
    },
    DescribeExecution(body) {
      const record = executionOf(body);
      return {
        ...listItem(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
        ...(record.error !== undefined ? { error: record.error } : {}),
        ...(record.cause !== undefined ? { cause: record.cause } : {}),
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },
    ListExecutions(body) {
      const machine = machineOf(body);
      const statusFilter = body['statusFilter'] === undefined || body['statusFilter'] === null ? undefined : String(body['statusFilter']);
      if (statusFilter !== undefined && !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(statusFilter)) {
        throw new SfnApiError('ValidationException', `1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set`);
      }
      const size = pageSize(body['maxResults']);
      let offset = 0;
      if (body['nextToken'] !== undefined && body['nextToken'] !== null) {
        const token = decodeToken(body['nextToken']);
        if (token['arn'] !== machine.machine.arn || token['filter'] !== (statusFilter ?? null) || typeof token['offset'] !== 'number') {
          throw new SfnApiError('InvalidToken', `Invalid Token: '${String(body['nextToken'])}'`);
        }
        offset = token['offset'];
      }
      const matching = [...executions.values()]
        .filter((record) => record.stateMachineArn === machine.machine.arn && (statusFilter === undefined || record.status === statusFilter))
        .map((record, order) => ({ record, order }))
        .sort((a, b) => b.record.startDate.getTime() - a.record.startDate.getTime() || b.order - a.order)
        .map(({ record }) => record);
      const page = matching.slice(offset, offset + size);
      const next = offset + size < matching.length ? encodeToken({ arn: machine.machine.arn, filter: statusFilter ?? null, offset: offset + size }) : undefined;
      return { executions: page.map(listItem), ...(next ? { nextToken: next } : {}) };
    },
    GetExecutionHistory(body) {
      const record = executionOf(body);
      const size = pageSize(body['maxResults']);
      const reverse = body['reverseOrder'] === true;
      const includeData = body['includeExecutionData'] !== false;
      let offset = 0;
      if (body['nextToken'] !== undefined && body['nextToken'] !== null) {
        const token = decodeToken(body['nextToken']);
        if (token['arn'] !== record.executionArn || token['reverse'] !== reverse || typeof token['offset'] !== 'number') {
          throw new SfnApiError('InvalidToken', `Invalid Token: '${String(body['nextToken'])}'`);
        }
        offset = token['offset'];
      }
      const ordered = reverse ? [...record.history].reverse() : record.history;
      const page = ordered.slice(offset, offset + size);
      const next = offset + size < ordered.length ? encodeToken({ arn: record.executionArn, reverse, offset: offset + size }) : undefined;
      const strip = (details: unknown): unknown => {
        if (includeData || details === null || typeof details !== 'object') return details;
        const { input: _input, output: _output, parameters: _parameters, ...rest } = details as Record<string, unknown>;
        return rest;
      };
      return {
        events: page.map(({ timestamp, ...event }) => ({
          ...Object.fromEntries(Object.entries(event).map(([key, value]) => [key, key.endsWith('EventDetails') ? strip(value) : value])),
          timestamp: epochSeconds(timestamp),
        })),
        ...(next ? { nextToken: next } : {}),
      };
    },
    StopExecution(body) {
      const record = executionOf(body);
      stopExecution(record, body['error'] === undefined ? undefined : String(body['error']), body['cause'] === undefined ? undefined : String(body['cause']));
      return { stopDate: epochSeconds(record.stopDate ?? new Date()) };
    },
    DescribeStateMachine(body) {
      return describeMachine(machineOf(body));
    },
    DescribeStateMachineForExecution(body) {
      const record = executionOf(body);
      const { stateMachineArn, name, definition, roleArn, loggingConfiguration, tracingConfiguration, creationDate } = describeMachine(compiled.get(record.stateMachineArn)!);
      return { stateMachineArn, name, definition, roleArn, loggingConfiguration, tracingConfiguration, updateDate: creationDate };
    },
    ListStateMachines(body) {
      const size = pageSize(body['maxResults']);
      let offset = 0;
      if (body['nextToken'] !== undefined && body['nextToken'] !== null) {
        const token = decodeToken(body['nextToken']);
        if (typeof token['machinesOffset'] !== 'number') throw new SfnApiError('InvalidToken', `Invalid Token: '${String(body['nextToken'])}'`);
        offset = token['machinesOffset'];
      }
      const all = [...compiled.values()].map(({ machine }) => machine);
      const page = all.slice(offset, offset + size);
      return {
        stateMachines: page.map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: machine.type, creationDate: epochSeconds(machine.creationDate) })),
        ...(offset + size < all.length ? { nextToken: encodeToken({ machinesOffset: offset + size }) } : {}),
      };
    },
  };

  function respond(res: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  }

  function respondError(res: http.ServerResponse, error: SfnApiError, status = 400): void {
    respond(res, status, { __type: `com.amazonaws.states#${error.type}`, message: error.message }, error.type);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operationName = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
      const operation = Object.hasOwn(operations, operationName) ? operations[operationName] : undefined;
      if (req.method !== 'POST' || !operation) {
        respondError(res, new SfnApiError('UnknownOperationException', `the local Step Functions does not support ${target || `${req.method} ${req.url}`}`));
        return;
      }
      let body: Record<string, unknown>;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const parsed = (text ? JSON.parse(text) : {}) as unknown;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        respondError(res, new SfnApiError('SerializationException', 'the request body is not a JSON object'));
        return;
      }
      try {
        respond(res, 200, operation(body));
      } catch (error) {
        if (error instanceof SfnApiError) {
          respondError(res, error);
        } else {
          log(`sfn: ${operationName} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          respondError(res, new SfnApiError('InternalFailure', error instanceof Error ? error.message : String(error)), 500);
        }
      }
    });
  });

  const requestedPort = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(listenError(error, requestedPort, 'another port'));
    server.once('error', onError);
    server.listen(requestedPort, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => log(`sfn: server error: ${error.message}`));
  const port = (server.address() as AddressInfo).port;

  async function waitForExecution(executionArn: string, timeoutMs = 30_000): Promise<LocalExecution> {
    const record = executions.get(executionArn);
    if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`execution ${executionArn} did not end within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([record.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopped = true;
    const running = [...executions.values()].filter((record) => record.status === 'RUNNING');
    for (const record of running) stopExecution(record, 'LocalPlatformStopped', 'the local platform was stopped');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 5000);
    });
    // Let handlers that are still running finish (they may be writing), but not forever.
    await Promise.race([Promise.allSettled([...running.map((record) => record.done), ...inFlight]), grace]);
    clearTimeout(timer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  log(`sfn: ${stateMachines.size} state machine(s) on http://127.0.0.1:${port}`);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stateMachines,
    executions: executions as Map<string, LocalExecution>,
    startExecution(stateMachine, input = {}, name) {
      const byLogicalId = [...compiled.values()].find(({ machine }) => machine.logicalId === stateMachine);
      const arn = byLogicalId ? byLogicalId.machine.arn : stateMachine;
      return startExecution(arn, JSON.stringify(input), name);
    },
    waitForExecution,
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}
