import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import mqtt, { type MqttClient } from 'mqtt';
import { PlatformError } from '../../shared/local/errors';
import { isValidTopicFilter, parseTopicRule, parseTopicRuleSql, selectMessage, startIot, topicMatches, topicRules, type IotHandle } from '../../shared/local/iot-local';
import { listen, localClientConfig } from '../../shared/local/ports';
import { createQueues, startSqs, type SqsHandle } from '../../shared/local/sqs-local';
import { LocalResolver, type CfnTemplate } from '../../shared/local/template';

const template = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/templates/local-parts.template.json'), 'utf8')) as CfnTemplate;

describe('topic filters and rule SQL', () => {
  it.each([
    ['cis/meters/+/reads', 'cis/meters/M1/reads', true],
    ['cis/meters/+/reads', 'cis/meters/M1/status', false],
    ['cis/meters/+/reads', 'cis/meters/M1/x/reads', false],
    ['cis/meters/+/reads', 'cis/meters//reads', true],
    ['cis/events/#', 'cis/events', true],
    ['cis/events/#', 'cis/events/M1/tamper', true],
    ['cis/events/#', 'cis/eventsX', false],
    ['#', 'anything/at/all', true],
    ['a/b', 'a/b/c', false],
  ])('%s matches %s: %s', (filter, topic, matches) => {
    expect(topicMatches(filter, topic)).toBe(matches);
  });

  it.each([
    ['cis/+/reads', true],
    ['cis/#', true],
    ['cis/#/reads', false],
    ['cis/m+/reads', false],
    ['', false],
  ])('%s is a valid filter: %s', (filter, valid) => {
    expect(isValidTopicFilter(filter)).toBe(valid);
  });

  it('reads the topic filter of SELECT * FROM', () => {
    expect(parseTopicRuleSql("SELECT * FROM 'cis/meters/+/reads'", 'R')).toBe('cis/meters/+/reads');
    expect(parseTopicRuleSql("  select *   from 'cis/#'  ", 'R')).toBe('cis/#');
  });

  it('reads a SELECT list of the payload in base64, the topic or one of its levels, the client id and the time', () => {
    expect(parseTopicRule("SELECT encode(*, 'base64') AS payload, topic() AS topic, topic(3) AS meterId, clientid() AS client, timestamp() AS at FROM 'cis/meters/+/reads'", 'R')).toEqual({
      topicFilter: 'cis/meters/+/reads',
      select: [
        { kind: 'base64', as: 'payload' },
        { kind: 'topic', as: 'topic' },
        { kind: 'topic', level: 3, as: 'meterId' },
        { kind: 'clientid', as: 'client' },
        { kind: 'timestamp', as: 'at' },
      ],
    });
    expect(parseTopicRule("SELECT *, topic(3) AS meterId FROM 'cis/meters/+/reads'", 'R').select).toEqual([{ kind: 'all' }, { kind: 'topic', level: 3, as: 'meterId' }]);
  });

  it.each([
    "SELECT temperature FROM 'sensors/#'",
    "SELECT * FROM 'sensors/#' WHERE temperature > 50",
    "SELECT *, upper(meterId) AS id FROM 'cis/meters/+/reads'",
    "SELECT encode(*, 'base64') AS payload, * FROM 'cis/meters/+/reads'",
    "SELECT encode(*, 'hex') AS payload FROM 'cis/meters/+/reads'",
    'SELECT * FROM sensors',
  ])('rejects %s naming the rule', (sql) => {
    expect(() => parseTopicRuleSql(sql, 'HotMeters')).toThrow(PlatformError);
    expect(() => parseTopicRuleSql(sql, 'HotMeters')).toThrow(/^IoT topic rule HotMeters: the local platform supports only SQL of the form SELECT \* FROM 'topic\/filter' \(or a list of .*\), not: /);
  });

  it.each([
    ['SELECT * passes any bytes as they are', "SELECT * FROM 'a/+/b'", Buffer.from([0xff, 0x00, 0x41]), Buffer.from([0xff, 0x00, 0x41])],
    ['base64 and topic make a JSON object of any payload', "SELECT encode(*, 'base64') AS payload, topic() AS topic FROM 'a/+/b'", Buffer.from('not json'), JSON.stringify({ payload: Buffer.from('not json').toString('base64'), topic: 'a/M1/b' })],
    ['* adds the fields of a JSON object payload', "SELECT *, topic(2) AS meterId FROM 'a/+/b'", Buffer.from('{"x":1}'), JSON.stringify({ x: 1, meterId: 'M1' })],
    ['* with other items cannot take a payload that is not a JSON object', "SELECT *, topic(2) AS meterId FROM 'a/+/b'", Buffer.from('[1]'), undefined],
  ])('selectMessage: %s', (_case, sql, payload, expected) => {
    const message = selectMessage(parseTopicRule(sql, 'R').select, payload, 'a/M1/b', 'meter-1', 1_000);
    expect(message === undefined ? undefined : Buffer.isBuffer(expected) ? message : message.toString('utf8')).toEqual(expected);
  });

  it('rejects an invalid topic filter', () => {
    expect(() => parseTopicRuleSql("SELECT * FROM 'cis/#/reads'", 'R')).toThrow("IoT topic rule R: 'cis/#/reads' is not a valid MQTT topic filter");
  });

  it('reads the enabled rules of the template with their SQS actions', () => {
    const lines: string[] = [];
    const rules = topicRules(new LocalResolver(template), 'http://127.0.0.1:1234', (line) => lines.push(line));
    expect(rules).toEqual([
      {
        logicalId: 'MeterReadsRule',
        ruleName: 'MeterReadsRule',
        sql: "SELECT * FROM 'cis/meters/+/reads'",
        topicFilter: 'cis/meters/+/reads',
        select: [{ kind: 'all' }],
        actions: [{ queueUrl: 'http://127.0.0.1:1234/000000000000/ReadsQueue', useBase64: false }],
      },
      {
        logicalId: 'MeterEventsRule',
        ruleName: 'meter_events',
        sql: "select * from 'cis/events/#'",
        topicFilter: 'cis/events/#',
        select: [{ kind: 'all' }],
        actions: [
          { queueUrl: 'http://127.0.0.1:1234/000000000000/MeterEventsQueue', useBase64: true },
          { queueUrl: 'http://127.0.0.1:1234/000000000000/MissingQueue', useBase64: true },
        ],
        errorAction: { queueUrl: 'http://127.0.0.1:1234/000000000000/RuleErrorsQueue', useBase64: false },
      },
    ]);
    expect(lines).toEqual([]);
  });
});

describe('topicRules', () => {
  it('reports actions it does not emulate', () => {
    const lines: string[] = [];
    const other: CfnTemplate = {
      Resources: {
        Rule: {
          Type: 'AWS::IoT::TopicRule',
          Properties: {
            TopicRulePayload: {
              Sql: "SELECT * FROM 'cis/#'",
              Actions: [{ Lambda: { FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:F' } }],
              ErrorAction: { CloudwatchLogs: { LogGroupName: 'errors', RoleArn: 'arn:aws:iam::000000000000:role/R' } },
            },
          },
        },
      },
    };
    expect(topicRules(new LocalResolver(other), 'http://127.0.0.1:1', (line) => lines.push(line))).toEqual([
      { logicalId: 'Rule', ruleName: 'Rule', sql: "SELECT * FROM 'cis/#'", topicFilter: 'cis/#', select: [{ kind: 'all' }], actions: [] },
    ]);
    expect(lines).toEqual([
      'IoT topic rule Rule: action Lambda is not emulated locally; only Sqs actions are',
      'IoT topic rule Rule: error action CloudwatchLogs is not emulated locally; failed actions are logged here instead',
    ]);
  });
});

describe('local IoT', () => {
  let sqs: SqsHandle;
  let sqsClient: SQSClient;
  let resolver: LocalResolver;
  let iot: IotHandle;
  let lines: string[];
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    sqs = await startSqs();
    sqsClient = new SQSClient(localClientConfig(sqs.endpoint));
    resolver = new LocalResolver(template, { sqsEndpoint: sqs.endpoint });
    await createQueues(sqs.endpoint, resolver);
    lines = [];
    iot = await startIot({ resolver, sqsEndpoint: sqs.endpoint, mqttPort: 0, log: (line) => lines.push(line) });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync()));
    await iot.stop();
    await iot.stop();
    sqsClient.destroy();
    await sqs.stop();
  });

  async function connect(clientId: string): Promise<MqttClient> {
    const client = await mqtt.connectAsync(iot.mqttUrl, { clientId, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  }

  async function bodies(logicalId: string): Promise<string[]> {
    const found: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: resolver.ref(logicalId), MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!Messages.length) return found;
      found.push(...Messages.map((message) => message.Body!));
    }
  }

  it('listens on 127.0.0.1', () => {
    expect(iot.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(iot.dataPlaneEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('sends a meter read published over MQTT to the queue of the rule, as is', async () => {
    const meter = await connect('meter-M1');
    const read = JSON.stringify({ meterId: 'M1', readings: [{ start: '2026-01-01T00:00:00-07:00', durationSec: 3600, value: '1.25', unit: 'kWh' }] });
    await meter.publishAsync('cis/meters/M1/reads', read, { qos: 1 });
    await meter.publishAsync('cis/meters/M1/status', 'online', { qos: 1 });
    await meter.publishAsync('cis/meters/M1/extra/reads', 'too deep', { qos: 0 });
    await meter.publishAsync('cis/meters/M2/reads', 'not json', { qos: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await iot.idle();
    expect((await bodies('ReadsQueue')).sort()).toEqual([read, 'not json'].sort());
  });

  it('sends one SQS message per MQTT message when many arrive at once (sent in batches)', async () => {
    const meter = await connect('meter-M9');
    const reads = Array.from({ length: 27 }, (_, index) => JSON.stringify({ meterId: 'M9', n: index }));
    await Promise.all(reads.map((read) => meter.publishAsync('cis/meters/M9/reads', read, { qos: 1 })));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await iot.idle();
    expect((await bodies('ReadsQueue')).sort()).toEqual([...reads].sort());
  });

  it('sends base64 when UseBase64 is true, and a failing action runs the SQS error action', async () => {
    const meter = await connect('meter-M7');
    await meter.publishAsync('cis/events/M7/tamper', '{"door":"open"}', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await iot.idle();
    expect(await bodies('MeterEventsQueue')).toEqual([Buffer.from('{"door":"open"}').toString('base64')]);
    const errors = (await bodies('RuleErrorsQueue')).map((body) => JSON.parse(body) as Record<string, unknown>);
    expect(errors).toEqual([
      {
        ruleName: 'meter_events',
        topic: 'cis/events/M7/tamper',
        cloudwatchTraceId: expect.any(String),
        clientId: 'meter-M7',
        base64OriginalPayload: Buffer.from('{"door":"open"}').toString('base64'),
        failures: [
          {
            failedAction: 'SqsAction',
            failedResource: `${sqs.endpoint}/000000000000/MissingQueue`,
            errorMessage: expect.stringContaining('Failed to send message to SQS queue.'),
          },
        ],
      },
    ]);
  });

  it('publishes what IoTDataPlaneClient PublishCommand sends to MQTT subscribers and topic rules', async () => {
    const subscriber = await connect('console');
    await subscriber.subscribeAsync('cis/commands/#', { qos: 1 });
    const delivered = new Promise<{ topic: string; payload: string; qos: number }>((resolve) => {
      subscriber.once('message', (topic, payload, packet) => resolve({ topic, payload: payload.toString(), qos: packet.qos }));
    });
    const dataPlane = new IoTDataPlaneClient(localClientConfig(iot.dataPlaneEndpoint));
    try {
      const response = await dataPlane.send(new PublishCommand({ topic: 'cis/commands/M1/disconnect', qos: 1, payload: Buffer.from('{"reason":"nonpayment"}') }));
      expect(response.$metadata.httpStatusCode).toBe(200);
      await expect(delivered).resolves.toEqual({ topic: 'cis/commands/M1/disconnect', payload: '{"reason":"nonpayment"}', qos: 1 });

      await dataPlane.send(new PublishCommand({ topic: 'cis/meters/M3/reads', payload: new TextEncoder().encode('{"meterId":"M3"}') }));
      await iot.idle();
      expect(await bodies('ReadsQueue')).toEqual(['{"meterId":"M3"}']);

      await expect(dataPlane.send(new PublishCommand({ topic: 'cis/meters/+/reads', payload: Buffer.from('x') }))).rejects.toMatchObject({
        name: 'InvalidRequestException',
      });
    } finally {
      dataPlane.destroy();
    }
  });

  it('reports an MQTT port in use in one line, leaving nothing open', async () => {
    const blocker = net.createServer();
    const port = await listen(blocker, 0, '127.0.0.1', '--port');
    try {
      await expect(startIot({ resolver, sqsEndpoint: sqs.endpoint, mqttPort: port, log: () => undefined })).rejects.toThrow(
        new PlatformError(`port ${port} is in use: stop what uses it or choose another with --mqtt-port`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses, before opening a port, a rule whose SQL it cannot run', async () => {
    const unsupported: CfnTemplate = {
      Resources: {
        HotMeters: {
          Type: 'AWS::IoT::TopicRule',
          Properties: { TopicRulePayload: { Sql: "SELECT * FROM 'cis/meters/+/temperature' WHERE value > 50", RuleDisabled: false, Actions: [] } },
        },
      },
    };
    await expect(startIot({ resolver: new LocalResolver(unsupported), sqsEndpoint: sqs.endpoint, mqttPort: 0, log: () => undefined })).rejects.toThrow(
      "IoT topic rule HotMeters: the local platform supports only SQL of the form SELECT * FROM 'topic/filter' (or a list of *, encode(*, 'base64') AS x, topic() AS x, topic(n) AS x, clientid() AS x, timestamp() AS x), not: SELECT * FROM 'cis/meters/+/temperature' WHERE value > 50",
    );
  });
});
