/**
 * IoT Core for the local platform: an MQTT broker (aedes) on 127.0.0.1, the template's topic
 * rules (a small subset of the IoT SQL, see parseTopicRuleSql, with SQS actions and an SQS error
 * action), and an IoT Data Plane shim so that `IoTDataPlaneClient` `PublishCommand` (pointed at
 * it with AWS_ENDPOINT_URL_IOT_DATA_PLANE) publishes into the broker.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import { PlatformError } from './errors';
import { closeServer, listen, LOCAL_HOST, localClientConfig } from './ports';
import { localQueueUrl } from './sqs-local';
import { createSqsSendBatcher } from './sqs-send-batcher';
import { resourcesOfType, type LocalResolver } from './template';

export interface SqsRuleAction {
  queueUrl: string;
  useBase64: boolean;
}

/** One item of a rule's SELECT list. */
export type SelectItem =
  | { kind: 'all' }
  | { kind: 'base64'; as: string }
  | { kind: 'topic'; level?: number; as: string }
  | { kind: 'clientid'; as: string }
  | { kind: 'timestamp'; as: string };

export interface LocalTopicRule {
  logicalId: string;
  ruleName: string;
  sql: string;
  /** The MQTT topic filter of the FROM clause (may hold + and #). */
  topicFilter: string;
  /** The SELECT list; `[{ kind: 'all' }]` for SELECT * (the payload as it is). */
  select: SelectItem[];
  actions: SqsRuleAction[];
  errorAction?: SqsRuleAction;
}

export interface StartIotOptions {
  resolver: LocalResolver;
  sqsEndpoint: string;
  /** MQTT TCP port (0 = an ephemeral port). */
  mqttPort: number;
  /** Interface for MQTT (default 127.0.0.1; 0.0.0.0 to accept meters on the network). */
  mqttHost?: string;
  /** IoT Data Plane shim port on 127.0.0.1 (default: an ephemeral port). */
  dataPlanePort?: number;
  /**
   * How long the rule actions' SQS messages wait to be sent together in one SendMessageBatch
   * (default 0: those of one event-loop turn; a batch of 10 goes at once).
   */
  sendBatchWindowMs?: number;
  log?: (line: string) => void;
}

export interface IotHandle {
  /** e.g. mqtt://127.0.0.1:1883 */
  mqttUrl: string;
  mqttPort: number;
  /** The value for AWS_ENDPOINT_URL_IOT_DATA_PLANE, e.g. http://127.0.0.1:40125 */
  dataPlaneEndpoint: string;
  rules: LocalTopicRule[];
  /** Publishes into the broker as the IoT Data Plane Publish would (topic rules see it too). */
  publish(topic: string, payload: string | Buffer, qos?: 0 | 1): Promise<void>;
  /** Resolves when no topic rule action is running (for tests and scripts). */
  idle(): Promise<void>;
  /** Disconnects clients, closes both servers and waits for running rule actions. Idempotent. */
  stop(): Promise<void>;
}

const RULE_SQL = /^\s*select\s+(.+?)\s+from\s+'([^']*)'\s*$/is;
const ALIAS = '([A-Za-z_][A-Za-z0-9_]*)';
const SELECT_FORMS: Array<[RegExp, (match: RegExpExecArray) => SelectItem]> = [
  [/^\*$/, () => ({ kind: 'all' })],
  [new RegExp(`^encode\\(\\s*\\*\\s*,\\s*'base64'\\s*\\)\\s+as\\s+${ALIAS}$`, 'i'), (m) => ({ kind: 'base64', as: m[1]! })],
  [new RegExp(`^topic\\(\\s*(\\d*)\\s*\\)\\s+as\\s+${ALIAS}$`, 'i'), (m) => ({ kind: 'topic', ...(m[1] ? { level: Number(m[1]) } : {}), as: m[2]! })],
  [new RegExp(`^clientid\\(\\s*\\)\\s+as\\s+${ALIAS}$`, 'i'), (m) => ({ kind: 'clientid', as: m[1]! })],
  [new RegExp(`^timestamp\\(\\s*\\)\\s+as\\s+${ALIAS}$`, 'i'), (m) => ({ kind: 'timestamp', as: m[1]! })],
];

/** Checks an MQTT topic filter: + and # only as whole levels, # only last. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter === '') return false;
  const levels = filter.split('/');
  return levels.every((level, index) => {
    if (level.includes('#')) return level === '#' && index === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}

/** MQTT topic matching: + is one level, # the rest (including the parent level). */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let index = 0; index < filterLevels.length; index += 1) {
    const level = filterLevels[index]!;
    if (level === '#') return true;
    if (index >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[index]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/**
 * A rule's SQL as the local platform runs it: `SELECT <items> FROM '<filter>'` without WHERE,
 * where an item is `*`, `encode(*, 'base64') AS x`, `topic() AS x`, `topic(n) AS x`,
 * `clientid() AS x` or `timestamp() AS x`. Anything else is a PlatformError naming the rule.
 */
export function parseTopicRule(sql: string, ruleName: string): { topicFilter: string; select: SelectItem[] } {
  const unsupported = () =>
    new PlatformError(
      `IoT topic rule ${ruleName}: the local platform supports only SQL of the form SELECT * FROM 'topic/filter' (or a list of *, encode(*, 'base64') AS x, topic() AS x, topic(n) AS x, clientid() AS x, timestamp() AS x), not: ${sql.replace(/\s+/g, ' ').trim()}`,
    );
  const match = RULE_SQL.exec(sql);
  if (!match) throw unsupported();
  const select: SelectItem[] = [];
  for (const raw of splitTopLevel(match[1]!)) {
    const text = raw.trim();
    const form = SELECT_FORMS.map(([pattern, build]) => {
      const found = pattern.exec(text);
      return found ? build(found) : undefined;
    }).find((item) => item !== undefined);
    if (!form) throw unsupported();
    select.push(form);
  }
  // encode(*, 'base64') takes the payload apart from the rest: with * as well it has no meaning here.
  if (select.filter((item) => item.kind === 'all').length > 1 || (select.some((item) => item.kind === 'all') && select.some((item) => item.kind === 'base64'))) throw unsupported();
  const filter = match[2]!;
  if (!isValidTopicFilter(filter)) throw new PlatformError(`IoT topic rule ${ruleName}: '${filter}' is not a valid MQTT topic filter`);
  return { topicFilter: filter, select };
}

/** Splits a SELECT list at the commas outside parentheses and quotes. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of list) {
    if (char === "'") quoted = !quoted;
    else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')') depth--;
    if (char === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** The topic filter of a rule's SQL (see parseTopicRule). */
export function parseTopicRuleSql(sql: string, ruleName: string): string {
  return parseTopicRule(sql, ruleName).topicFilter;
}

/**
 * The message a rule's SELECT makes of a publish, as AWS IoT does: SELECT * alone passes the
 * payload as it is (any bytes); other items build a JSON object, to which * adds the fields of
 * a JSON object payload. undefined: the rule cannot evaluate (fields added to a payload that is
 * not a JSON object), which AWS IoT reports as a rule error and does not deliver.
 */
export function selectMessage(select: readonly SelectItem[], payload: Buffer, topic: string, clientId: string, nowMs: number): Buffer | undefined {
  if (select.length === 1 && select[0]!.kind === 'all') return payload;
  const out: Record<string, unknown> = {};
  for (const item of select) {
    if (item.kind === 'all') {
      let parsed: unknown;
      try {
        parsed = payload.length ? JSON.parse(payload.toString('utf8')) : {};
      } catch {
        return undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      Object.assign(out, parsed);
    } else if (item.kind === 'base64') out[item.as] = payload.toString('base64');
    else if (item.kind === 'topic') {
      const value = item.level === undefined ? topic : topic.split('/')[item.level - 1];
      if (value !== undefined) out[item.as] = value;
    } else if (item.kind === 'clientid') out[item.as] = clientId;
    else out[item.as] = nowMs;
  }
  return Buffer.from(JSON.stringify(out));
}

interface RuleActionProperties {
  Sqs?: { QueueUrl?: unknown; UseBase64?: unknown };
  [action: string]: unknown;
}

/** The enabled topic rules of the template; actions other than Sqs are reported through log. */
export function topicRules(resolver: LocalResolver, sqsEndpoint: string, log: (line: string) => void = () => undefined): LocalTopicRule[] {
  const rules: LocalTopicRule[] = [];
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::IoT::TopicRule')) {
    const properties = resource.Properties ?? {};
    const ruleName = typeof properties['RuleName'] === 'string' ? properties['RuleName'] : logicalId;
    const payload = (properties['TopicRulePayload'] ?? {}) as Record<string, unknown>;
    const disabled = resolver.resolve(payload['RuleDisabled']);
    if (disabled === true || disabled === 'true') continue;
    const sql = resolver.resolveString(payload['Sql']);
    const { topicFilter, select } = parseTopicRule(sql, ruleName);
    const sqsAction = (action: RuleActionProperties, where: string): SqsRuleAction | undefined => {
      const kinds = Object.keys(action);
      if (!action.Sqs) {
        const instead = where === 'error action' ? 'failed actions are logged here instead' : 'only Sqs actions are';
        log(`IoT topic rule ${ruleName}: ${where} ${kinds.join(', ') || '(empty)'} is not emulated locally; ${instead}`);
        return undefined;
      }
      const useBase64 = resolver.resolve(action.Sqs.UseBase64);
      return {
        queueUrl: localQueueUrl(sqsEndpoint, resolver.resolveString(action.Sqs.QueueUrl)),
        useBase64: useBase64 === true || useBase64 === 'true',
      };
    };
    const actions = ((payload['Actions'] ?? []) as RuleActionProperties[])
      .map((action) => sqsAction(action, 'action'))
      .filter((action): action is SqsRuleAction => action !== undefined);
    const errorAction = payload['ErrorAction'] ? sqsAction(payload['ErrorAction'] as RuleActionProperties, 'error action') : undefined;
    rules.push({ logicalId, ruleName, sql, topicFilter, select, actions, ...(errorAction ? { errorAction } : {}) });
  }
  return rules;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(JSON.stringify(body));
}

export async function startIot(options: StartIotOptions): Promise<IotHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Rules first: a rule the local platform cannot run fails before any port is opened.
  const rules = topicRules(options.resolver, options.sqsEndpoint, log);
  const sqs = new SQSClient(localClientConfig(options.sqsEndpoint));
  // One SQS message per MQTT message and action, as AWS IoT sends; only the requests are batched.
  const sender = createSqsSendBatcher(sqs, { windowMs: options.sendBatchWindowMs ?? 0 });
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const mqttServer = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  const dataPlane = http.createServer((request, response) => {
    handleDataPlane(request, response).catch((error: unknown) => sendJson(response, 500, { message: describeError(error) }, 'InternalFailureException'));
  });
  const running = new Set<Promise<void>>();
  let stopping: Promise<void> | undefined;

  const publish = (topic: string, payload: string | Buffer, qos: 0 | 1 = 0): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos, retain: false, dup: false }, (error) =>
        error ? reject(error) : resolve(),
      );
    });

  async function handleDataPlane(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    if (request.method !== 'POST' || !url.pathname.startsWith('/topics/')) {
      sendJson(response, 404, { message: `the local IoT Data Plane supports only Publish (POST /topics/{topic}), not ${request.method} ${url.pathname}` }, 'ResourceNotFoundException');
      return;
    }
    const topic = decodeURIComponent(url.pathname.slice('/topics/'.length));
    if (topic === '' || topic.includes('+') || topic.includes('#')) {
      sendJson(response, 400, { message: `invalid topic for Publish: ${JSON.stringify(topic)}` }, 'InvalidRequestException');
      return;
    }
    const qos = Number(url.searchParams.get('qos') ?? '0');
    if (qos !== 0 && qos !== 1) {
      sendJson(response, 400, { message: `qos must be 0 or 1, not ${url.searchParams.get('qos')}` }, 'InvalidRequestException');
      return;
    }
    await new Promise<void>((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload: body, qos, retain: url.searchParams.get('retain') === 'true', dup: false }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    sendJson(response, 200, {});
  }

  async function runRule(rule: LocalTopicRule, packet: AedesPublishPacket, clientId: string | undefined): Promise<void> {
    const original = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const payload = selectMessage(rule.select, original, packet.topic, clientId ?? 'iot-data-plane', Date.now());
    if (!payload) {
      log(`IoT topic rule ${rule.ruleName}: message on ${packet.topic} is not a JSON object, which its SQL needs (${rule.sql}); not delivered`);
      return;
    }
    const failures: Array<{ failedAction: string; failedResource: string; errorMessage: string }> = [];
    await Promise.all(
      rule.actions.map(async (action) => {
        try {
          await sender.send(action.queueUrl, action.useBase64 ? payload.toString('base64') : payload.toString('utf8'));
        } catch (error) {
          failures.push({ failedAction: 'SqsAction', failedResource: action.queueUrl, errorMessage: `Failed to send message to SQS queue. ${describeError(error)}` });
        }
      }),
    );
    if (!failures.length) return;
    const summary = failures.map((failure) => `${failure.failedResource}: ${failure.errorMessage}`).join('; ');
    if (!rule.errorAction) {
      log(`IoT topic rule ${rule.ruleName}: message on ${packet.topic} failed: ${summary}`);
      return;
    }
    // The error action message AWS IoT sends.
    const report = {
      ruleName: rule.ruleName,
      topic: packet.topic,
      cloudwatchTraceId: randomUUID(),
      clientId: clientId ?? 'iot-data-plane',
      base64OriginalPayload: original.toString('base64'),
      failures,
    };
    const body = JSON.stringify(report);
    try {
      await sender.send(rule.errorAction.queueUrl, rule.errorAction.useBase64 ? Buffer.from(body).toString('base64') : body);
    } catch (error) {
      log(`IoT topic rule ${rule.ruleName}: message on ${packet.topic} failed (${summary}) and so did the error action: ${describeError(error)}`);
    }
  }

  broker.on('publish', (packet: AedesPublishPacket, client: Client | null) => {
    // $SYS and other reserved topics never reach topic rules.
    if (packet.topic.startsWith('$') || stopping) return;
    for (const rule of rules) {
      if (!topicMatches(rule.topicFilter, packet.topic)) continue;
      const task = runRule(rule, packet, client?.id).catch((error: unknown) => log(`IoT topic rule ${rule.ruleName}: ${describeError(error)}`));
      running.add(task);
      void task.finally(() => running.delete(task));
    }
  });

  const closeBroker = () => new Promise<void>((resolve) => broker.close(() => resolve()));
  const stopAll = async () => {
    await closeBroker();
    for (const socket of sockets) socket.destroy();
    await Promise.all([closeServer(mqttServer), closeServer(dataPlane)]);
    await Promise.allSettled([...running]);
    await sender.flush();
    sqs.destroy();
  };

  const mqttHost = options.mqttHost ?? LOCAL_HOST;
  let mqttPort: number;
  let dataPlanePort: number;
  try {
    mqttPort = await listen(mqttServer, options.mqttPort, mqttHost, '--mqtt-port');
    dataPlanePort = await listen(dataPlane, options.dataPlanePort ?? 0, LOCAL_HOST, '--iot-data-port');
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    mqttUrl: `mqtt://${mqttHost === '0.0.0.0' ? LOCAL_HOST : mqttHost}:${mqttPort}`,
    mqttPort,
    dataPlaneEndpoint: `http://${LOCAL_HOST}:${dataPlanePort}`,
    rules,
    publish,
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    stop: () => (stopping ??= stopAll()),
  };
}
