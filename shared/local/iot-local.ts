/**
 * IoT Core for the local platform: an MQTT broker (aedes) on 127.0.0.1, the template's topic
 * rules (SELECT * FROM '<topic filter>' with SQS actions and an SQS error action), and an IoT
 * Data Plane shim so that `IoTDataPlaneClient` `PublishCommand` (pointed at it with
 * AWS_ENDPOINT_URL_IOT_DATA_PLANE) publishes into the broker.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import { PlatformError } from './errors';
import { closeServer, listen, LOCAL_HOST, localClientConfig } from './ports';
import { localQueueUrl } from './sqs-local';
import { resourcesOfType, type LocalResolver } from './template';

export interface SqsRuleAction {
  queueUrl: string;
  useBase64: boolean;
}

export interface LocalTopicRule {
  logicalId: string;
  ruleName: string;
  sql: string;
  /** The MQTT topic filter of the FROM clause (may hold + and #). */
  topicFilter: string;
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

const SELECT_ALL = /^\s*select\s+\*\s+from\s+'([^']*)'\s*$/i;

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
 * The topic filter of a rule's SQL. The local platform supports `SELECT * FROM '<filter>'`
 * only; anything else (projections, WHERE, functions) is a PlatformError naming the rule.
 */
export function parseTopicRuleSql(sql: string, ruleName: string): string {
  const match = SELECT_ALL.exec(sql);
  if (!match) {
    throw new PlatformError(`IoT topic rule ${ruleName}: the local platform supports only SQL of the form SELECT * FROM 'topic/filter', not: ${sql.replace(/\s+/g, ' ').trim()}`);
  }
  const filter = match[1]!;
  if (!isValidTopicFilter(filter)) throw new PlatformError(`IoT topic rule ${ruleName}: '${filter}' is not a valid MQTT topic filter`);
  return filter;
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
    const topicFilter = parseTopicRuleSql(sql, ruleName);
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
    rules.push({ logicalId, ruleName, sql, topicFilter, actions, ...(errorAction ? { errorAction } : {}) });
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
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const failures: Array<{ failedAction: string; failedResource: string; errorMessage: string }> = [];
    await Promise.all(
      rule.actions.map(async (action) => {
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl: action.queueUrl, MessageBody: action.useBase64 ? payload.toString('base64') : payload.toString('utf8') }));
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
      base64OriginalPayload: payload.toString('base64'),
      failures,
    };
    const body = JSON.stringify(report);
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: rule.errorAction.queueUrl, MessageBody: rule.errorAction.useBase64 ? Buffer.from(body).toString('base64') : body }));
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
