import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHandler, handler } from '../../../functions/ingest/validate-reads';
import { meterToItem } from '../../../shared/adapters/meter-store';
import { DynamoReadExceptionStore } from '../../../shared/adapters/read-exception-store';
import { dayReadsFromItem } from '../../../shared/adapters/read-store';
import malformed from '../../fixtures/reads/malformed-messages.json';
import type { DeadLetterQueue, RejectedMessage } from '../../../shared/app/read-ports';
import { context, sqsEvent, sqsRecord, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const valid = readFileSync(path.join(__dirname, '../../fixtures/reads/valid-hourly.json'), 'utf8');
type Item = Record<string, unknown>;

/** A tiny in-memory table behind GetCommand/PutCommand, honouring the reads' conditions. */
function fakeTable() {
  const table = new Map<string, Item>();
  const hooks: { beforePut?: () => void } = {};
  const id = (key: Record<string, unknown>) => `${String(key['PK'])}|${String(key['SK'])}`;
  table.set(id(meterToItem({ meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 })), meterToItem({ meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 }));
  ddb.on(GetCommand).callsFake(async (input: { Key: Item }) => {
    const item = table.get(id(input.Key));
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb.on(PutCommand).callsFake(async (input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
    const hook = hooks.beforePut;
    delete hooks.beforePut;
    hook?.();
    const current = table.get(id(input.Item));
    const ok = input.ConditionExpression === undefined || (input.ConditionExpression === 'attribute_not_exists(PK)' ? !current : current?.['version'] === input.ExpressionAttributeValues?.[':expected']);
    if (!ok) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    table.set(id(input.Item), structuredClone(input.Item));
    return {};
  });
  ddb.on(QueryCommand).callsFake(async (input: { ExpressionAttributeValues: Item }) => {
    const values = input.ExpressionAttributeValues;
    const items = [...table.values()].filter((item) => item['PK'] === values[':pk'] && String(item['SK']) >= String(values[':from']) && String(item['SK']) <= String(values[':to']));
    return { Items: items.sort((a, b) => String(a['SK']).localeCompare(String(b['SK']))).map((item) => structuredClone(item)) };
  });
  return { table, hooks };
}

/** The reads dead-letter queue: records what it gets; `refuse` makes it fail those message ids. */
function fakeDeadLetters() {
  const sent: RejectedMessage[] = [];
  const refuse = new Set<string>();
  const queue: DeadLetterQueue = {
    send: async (messages) => {
      const unsent = new Set(messages.filter((message) => refuse.has(message.messageId)).map((message) => message.messageId));
      sent.push(...messages.filter((message) => !unsent.has(message.messageId)));
      return unsent;
    },
  };
  return { queue, sent, refuse };
}

function setup() {
  ddb.reset();
  const { table, hooks } = fakeTable();
  const deps = tableDeps('2026-01-10T12:00:00Z');
  const deadLetters = fakeDeadLetters();
  return { table, hooks, deps, deadLetters, run: createHandler({ ...deps, exceptions: new DynamoReadExceptionStore(deps.documentClient, deps.tableName), deadLetters: deadLetters.queue }) };
}

/** The IoT rule's message: the MQTT payload in base64 with its topic. */
const envelope = (payload: string, topic: string) => JSON.stringify({ payload: Buffer.from(payload).toString('base64'), topic });

const dayPuts = () => ddb.commandCalls(PutCommand).filter((call) => String(call.args[0].input.Item?.['SK']).startsWith('DAY#'));
const exceptionsIn = (table: Map<string, Item>) => [...table.values()].filter((item) => item['type'] === 'READ_EXCEPTION');
const day = (table: Map<string, Item>, date: string) => {
  const item = table.get(`METER#M0001|DAY#${date}`);
  return item ? { ...dayReadsFromItem(item), intervals: dayReadsFromItem(item).intervals as Record<string, unknown[]> } : undefined;
};

describe('validate-reads', () => {
  it('sends only the malformed record to the dead-letter queue with its reason, and still writes the valid ones', async () => {
    const { table, run, deadLetters } = setup();
    const other = JSON.stringify({ meterId: 'M0001', readings: [{ start: '2026-01-03T00:00:00-07:00', durationSec: 900, value: '0.25', unit: 'kWh' }] });
    const response = await run(sqsEvent(sqsRecord('ok-1', valid), sqsRecord('bad-1', '{"meterId": "M0001", "readings": ['), sqsRecord('ok-2', other)), context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deadLetters.sent).toEqual([{ messageId: 'bad-1', body: '{"meterId": "M0001", "readings": [', reason: 'malformed-json', error: 'the message body is not valid JSON', receiveCount: 1 }]);
    // both valid messages are of M0001: ingested together, one write per day
    expect(dayPuts()).toHaveLength(2);
    expect(day(table, '2026-01-01')?.intervals).toEqual({ '1767250800': [1_250_000, 3600, 'A'], '1767254400': [875_000, 3600, 'A'], '1767258000': [640_000, 3600, 'A'] });
    expect(day(table, '2026-01-03')?.intervals).toEqual({ '1767423600': [250_000, 900, 'A'] });
  });

  it('opens exceptions for future readings and unknown meters instead of failing the message', async () => {
    const { table, run } = setup();
    const future = JSON.stringify({ meterId: 'M0001', readings: [{ start: '2026-01-11T00:00:00Z', durationSec: 3600, value: '1', unit: 'kWh' }] });
    const unknown = JSON.stringify({ meterId: 'M9999', readings: [{ start: '2026-01-01T00:00:00Z', durationSec: 3600, value: '1', unit: 'kWh' }] });
    const response = await run(sqsEvent(sqsRecord('future', future), sqsRecord('ok', valid), sqsRecord('unknown', unknown)), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(exceptionsIn(table).map((item) => [item['meterId'], item['reason'], item['status'], item['GSI2PK']]).sort()).toEqual([
      ['M0001', 'future-interval', 'OPEN', 'TYPE#READ_EXCEPTION#OPEN'],
      ['M9999', 'unknown-meter', 'OPEN', 'TYPE#READ_EXCEPTION#OPEN'],
    ]);
    expect(Object.keys(day(table, '2026-01-01')!.intervals)).toHaveLength(3);
  });

  it('logs each malformed record as one JSON line with messageId, reason and message, and dead-letters only it', async () => {
    const { deps, run, deadLetters } = setup();
    const misaligned = JSON.stringify({ meterId: 'M0001', readings: [{ start: '2026-01-02T00:10:00-07:00', durationSec: 900, value: '1', unit: 'kWh' }] });
    const response = await run(sqsEvent(sqsRecord('misaligned', misaligned), sqsRecord('ok', valid)), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters.sent.map((message) => [message.messageId, message.reason])).toEqual([['misaligned', 'misaligned-start']]);
    const logged = deps.log.lines.filter((line) => line.level === 'warn');
    expect(logged.map((line) => [line.fields?.['messageId'], line.fields?.['reason']])).toEqual([['misaligned', 'misaligned-start']]);
    expect(logged[0]?.message).toMatch(/readings\[0\]\.start .* is not aligned/);
    expect(dayPuts()).toHaveLength(1);
  });

  it.each(malformed.map((m) => [m.case, m] as const))('rejects a malformed message: %s', async (_case, { body, reason }) => {
    const { deps, run, deadLetters } = setup();
    const response = await run(sqsEvent(sqsRecord('m', body)), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.log.lines[0]?.fields?.['reason']).toBe(reason);
    expect(deadLetters.sent.map((message) => [message.messageId, message.body, message.reason])).toEqual([['m', body, reason]]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it.each(malformed.map((m) => [m.case, m] as const))('rejects the same malformed message in the IoT rule envelope: %s', async (_case, { body, reason }) => {
    const { run, deadLetters } = setup();
    const wrapped = envelope(body, 'cis/meters/M0001/reads');
    expect((await run(sqsEvent(sqsRecord('m', wrapped)), context)).batchItemFailures).toEqual([]);
    // Dead-lettered as it came (an envelope, which a redrive to the reads queue replays), with the payload's reason.
    expect(deadLetters.sent.map((message) => [message.body, message.reason])).toEqual([[wrapped, reason]]);
  });

  it('ingests a message in the IoT rule envelope, and dead-letters one whose meter is not its topic\'s (topic-mismatch)', async () => {
    const { table, run, deadLetters } = setup();
    const spoofed = envelope(valid, 'cis/meters/M0002/reads');
    const elsewhere = envelope(valid, 'cis/other/M0001/reads');
    // keys in any order, with white space
    const spaced = `{ "topic" : "cis/meters/M0001/reads", "payload" : "${Buffer.from(valid).toString('base64')}" }`;
    const response = await run(sqsEvent(sqsRecord('ok', envelope(valid, 'cis/meters/M0001/reads')), sqsRecord('spaced', spaced), sqsRecord('spoofed', spoofed), sqsRecord('elsewhere', elsewhere), sqsRecord('not-base64', '{"payload":"%%%","topic":"cis/meters/M0001/reads"}')), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(Object.keys(day(table, '2026-01-01')!.intervals)).toHaveLength(3);
    expect(deadLetters.sent.map((message) => [message.messageId, message.reason])).toEqual([
      ['spoofed', 'topic-mismatch'],
      ['elsewhere', 'topic-mismatch'],
      ['not-base64', 'invalid-message'],
    ]);
    expect(deadLetters.sent[0]!.error).toBe('the message is for meter M0001 but was published on "cis/meters/M0002/reads"');
  });

  it('reports a rejected record as failed when the dead-letter queue cannot take it, so it is retried and never lost', async () => {
    const { deps, run, deadLetters } = setup();
    deadLetters.refuse.add('bad-2');
    const response = await run(sqsEvent(sqsRecord('bad-1', 'not json'), sqsRecord('bad-2', '[]'), sqsRecord('ok', valid)), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad-2' }]);
    expect(deadLetters.sent.map((message) => message.messageId)).toEqual(['bad-1']);
    expect(deps.log.lines.filter((line) => line.level === 'error').map((line) => line.fields?.['event'])).toEqual(['dead-letter-send-failed']);
  });

  it('does not double count a message delivered twice', async () => {
    const { table, run } = setup();
    await run(sqsEvent(sqsRecord('ok-1', valid)), context);
    const first = structuredClone(day(table, '2026-01-01'));
    const again = await run(sqsEvent(sqsRecord('ok-1', valid)), context);
    expect(again.batchItemFailures).toEqual([]);
    expect(dayPuts()).toHaveLength(1);
    expect(day(table, '2026-01-01')).toEqual(first);
  });

  it('retries on a version conflict (another writer got there first)', async () => {
    const { table, hooks, run } = setup();
    let interfered = false;
    hooks.beforePut = () => {
      interfered = true;
      table.set('METER#M0001|DAY#2026-01-01', { PK: 'METER#M0001', SK: 'DAY#2026-01-01', meterId: 'M0001', day: '2026-01-01', unit: 'kWh', intervals: { '1767279600': [5_000_000, 3600, 'A'] }, version: 1, history: [], updatedAt: 'x' });
    };
    const response = await run(sqsEvent(sqsRecord('ok-1', valid)), context);
    expect(interfered).toBe(true);
    expect(response.batchItemFailures).toEqual([]);
    expect(dayPuts()).toHaveLength(2);
    // the three new readings and the other writer's 09:00 (six hours apart, no history: a gap exception, no estimate)
    expect(Object.keys(day(table, '2026-01-01')!.intervals)).toHaveLength(4);
    expect(exceptionsIn(table).map((item) => item['reason'])).toEqual(['gap']);
    expect(day(table, '2026-01-01')?.version).toBe(2);
  });

  it('reports a record whose write is throttled, and carries on with the next', async () => {
    const { run } = setup();
    ddb.on(PutCommand, { Item: { SK: 'DAY#2026-01-01' } } as never).rejectsOnce(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const other = JSON.stringify({ meterId: 'M0001', readings: [{ start: '2026-01-03T00:00:00-07:00', durationSec: 900, value: '0.25', unit: 'kWh' }] });
    const otherMeter = JSON.stringify({ meterId: 'M0002', readings: [{ start: '2026-01-03T00:00:00-07:00', durationSec: 900, value: '0.25', unit: 'kWh' }] });
    const response = await run(sqsEvent(sqsRecord('throttled', valid), sqsRecord('same-meter', other), sqsRecord('unknown-meter', otherMeter)), context);
    // the records of M0001 were ingested together and fail together; the other meter's record is fine
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'throttled' }, { itemIdentifier: 'same-meter' }]);
  });

  it('takes register reads: stores them and the day between them; a malformed one fails alone', async () => {
    const { table, run, deadLetters } = setup();
    const registers = readFileSync(path.join(__dirname, '../../fixtures/reads/register-reads.json'), 'utf8');
    const bad = JSON.stringify({ meterId: 'M0001', registers: [{ at: 'noon', value: '1', unit: 'kWh' }] });
    const neither = JSON.stringify({ meterId: 'M0001' });
    const response = await run(sqsEvent(sqsRecord('registers', registers), sqsRecord('bad-register', bad), sqsRecord('neither', neither)), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(day(table, '2026-01-03')?.intervals).toEqual({ [String(Date.parse('2026-01-03T00:00:00-07:00') / 1000)]: [12_500_000, 86_400, 'A'] });
    expect(deadLetters.sent.map((message) => message.messageId).sort()).toEqual(['bad-register', 'neither']);
    expect(dayReadsFromItem(table.get('METER#M0001|DAY#2026-01-04')!).registers).toEqual({ [String(Date.parse('2026-01-04T00:00:00-07:00') / 1000)]: 1_012_500_000 });
  });

  it('prefetches the meters of a batch first, and carries on one by one when that fails', async () => {
    const { table, deps, deadLetters } = setup();
    const asked: string[][] = [];
    const run = createHandler({ ...deps, exceptions: new DynamoReadExceptionStore(deps.documentClient, deps.tableName), deadLetters: deadLetters.queue, prefetch: async (meterIds) => {
      asked.push([...meterIds]);
      throw new Error('throttled');
    } });
    const otherMeter = JSON.stringify({ meterId: 'M0002', readings: [{ start: '2026-01-03T00:00:00-07:00', durationSec: 900, value: '0.25', unit: 'kWh' }] });
    const response = await run(sqsEvent(sqsRecord('ok', valid), sqsRecord('other', otherMeter), sqsRecord('bad', 'x')), context);
    expect(asked).toEqual([['M0001', 'M0002']]);
    expect(response.batchItemFailures).toEqual([]);
    expect(Object.keys(day(table, '2026-01-01')!.intervals)).toHaveLength(3);
    expect(deps.log.lines.filter((line) => line.fields?.['event'] === 'prefetch-failed')).toHaveLength(1);
  });

  it('fails fast naming a missing environment variable', async () => {
    const saved = { ...process.env };
    delete process.env['TABLE_NAME'];
    process.env['UTILITY_TIMEZONE'] = 'America/Denver';
    try {
      await expect(handler(sqsEvent(), context)).rejects.toThrow(/environment variable TABLE_NAME is required/);
    } finally {
      process.env = saved;
    }
  });
});
