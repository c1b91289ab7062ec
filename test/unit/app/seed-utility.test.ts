import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountFromItem } from '../../../shared/adapters/account-store';
import { agreementFromItem } from '../../../shared/adapters/customer-record-items';
import { dayReadsFromItem } from '../../../shared/adapters/read-store';
import { assertSeedOptions, buildSeedChunk, seedIds, seedUtility, servicesOf, type SeedUtilityOptions } from '../../../shared/app/seed-utility';
import { InvalidInput } from '../../../shared/domain/errors';
import { dayTotal } from '../../../shared/domain/reads';

const options: SeedUtilityOptions = { accounts: 20, days: 3, start: '2026-10-31', cycle: 'S1', timeZone: 'America/Denver' };
const byType = (items: Array<Record<string, unknown>>, type: string) => items.filter((item) => item['type'] === type);

/** A table in memory that answers BatchWrite and conditional PutItem as DynamoDB does. */
function memoryTable() {
  const items = new Map<string, Record<string, unknown>>();
  const key = (item: Record<string, unknown>) => `${String(item['PK'])}|${String(item['SK'])}`;
  let requests = 0;
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, any> }) {
      requests++;
      if (command.constructor.name === 'BatchWriteCommand') {
        const [writes] = Object.values(command.input['RequestItems']) as Array<Array<{ PutRequest: { Item: Record<string, unknown> } }>>;
        expect(writes!.length).toBeLessThanOrEqual(25);
        for (const write of writes!) items.set(key(write.PutRequest.Item), structuredClone(write.PutRequest.Item));
        return { UnprocessedItems: {} };
      }
      if (command.constructor.name === 'PutCommand') {
        const item = command.input['Item'] as Record<string, unknown>;
        if (command.input['ConditionExpression'] === 'attribute_not_exists(PK)' && items.has(key(item))) throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
        items.set(key(item), structuredClone(item));
        return {};
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  };
  return { items, client: client as unknown as DynamoDBDocumentClient, requests: () => requests };
}

describe('seeded utility', () => {
  it('builds accounts with electric, water and dual service, sized meters, agreements on the demo tariffs and 15-minute days', () => {
    const { items, electric, water, readDays } = buildSeedChunk(options, 1, 20);
    const accounts = byType(items, 'ACCOUNT').map(accountFromItem);
    expect(accounts.map((a) => a.accountId)).toEqual(Array.from({ length: 20 }, (_, i) => `A-S1-${String(i + 1).padStart(5, '0')}`));
    expect(accounts.every((a) => a.cycle === 'S1' && a.status === 'ACTIVE')).toBe(true);
    expect(Array.from({ length: 20 }, (_, i) => servicesOf(i + 1).join('+'))).toEqual(Array.from({ length: 20 }, (_, i) => ((i + 1) % 10 < 6 ? 'electric' : (i + 1) % 10 < 8 ? 'water' : 'electric+water')));
    expect([electric, water]).toEqual([16, 8]);
    const agreements = byType(items, 'AGREEMENT').map(agreementFromItem);
    expect(agreements).toHaveLength(24);
    for (const agreement of agreements) {
      expect(agreement.tariffId).toBe(agreement.serviceType === 'water' ? 'WATER-RES' : 'ELEC-RES');
      expect(agreement.startDate! < options.start).toBe(true);
    }
    const dual = seedIds('S1', 8, 20);
    expect(agreements.filter((a) => a.accountId === dual.accountId).map((a) => a.meterId).sort()).toEqual([dual.meterId('electric'), dual.meterId('water')]);
    const meters = byType(items, 'METER');
    expect(meters.filter((m) => m['unit'] === 'gal').every((m) => ['5/8in', '1in', '2in'].includes(String(m['size'])))).toBe(true);
    expect(meters.filter((m) => m['unit'] === 'kWh').every((m) => ['100A', '200A', '400A'].includes(String(m['size'])))).toBe(true);

    // 2026-11-01 is the end of daylight saving time in Denver: 25 hours, 100 intervals.
    const days = byType(items, 'READS_DAY').map(dayReadsFromItem);
    expect(readDays).toBe(24 * 3);
    const first = days.filter((d) => d.meterId === seedIds('S1', 1, 20).meterId('electric'));
    expect(first.map((d) => [d.day, Object.keys(d.intervals).length])).toEqual([['2026-10-31', 96], ['2026-11-01', 100], ['2026-11-02', 96]]);
    expect(first.every((d) => Object.values(d.intervals).every(([, duration, quality]) => duration === 900 && quality === 'A'))).toBe(true);
    const electricPerDay = days.filter((d) => d.unit === 'kWh').map((d) => dayTotal(d) / 1e6);
    expect(Math.min(...electricPerDay)).toBeGreaterThan(5);
    expect(Math.max(...electricPerDay)).toBeLessThan(80);
    const waterPerDay = days.filter((d) => d.unit === 'gal').map((d) => dayTotal(d) / 1e6);
    expect(waterPerDay.every((gallons) => Number.isInteger(gallons) && gallons < 2000)).toBe(true);
    expect(waterPerDay.some((gallons) => gallons > 0)).toBe(true);
    expect(new Set(items.map((item) => `${String(item['PK'])}|${String(item['SK'])}`)).size).toBe(items.length);
  });

  it('is deterministic, and a re-run with the same arguments writes the same items and keeps stored tariffs', async () => {
    expect(buildSeedChunk(options, 1, 20)).toEqual(buildSeedChunk(options, 1, 20));
    const table = memoryTable();
    const first = await seedUtility({ documentClient: table.client, tableName: 'T' }, options);
    expect(first).toMatchObject({ accounts: 20, electric: 16, water: 8, meters: 24, agreements: 24, readDays: 72, tariffsWritten: 2, firstDay: '2026-10-31', lastDay: '2026-11-02', sampleAccountId: 'A-S1-00001' });
    expect(first.items).toBe(table.items.size);
    const snapshot = structuredClone([...table.items]);
    table.items.get('TARIFF#ELEC-RES|TARIFF')!['revision'] = 2;
    const second = await seedUtility({ documentClient: table.client, tableName: 'T' }, options);
    expect(second.tariffsWritten).toBe(0);
    expect(table.items.get('TARIFF#ELEC-RES|TARIFF')!['revision']).toBe(2);
    table.items.get('TARIFF#ELEC-RES|TARIFF')!['revision'] = 1;
    expect([...table.items]).toEqual(snapshot);
  });

  it.each([
    [{ accounts: 0 }, 'accounts must be a whole number'],
    [{ days: 401 }, 'days must be a whole number'],
    [{ start: '2026-02-30' }, 'start "2026-02-30" is not a calendar date'],
    [{ cycle: 'C 1' }, 'cycle "C 1" must be'],
  ])('refuses %j', async (bad, message) => {
    expect(() => assertSeedOptions({ ...options, ...bad })).toThrow(InvalidInput);
    const table = memoryTable();
    await expect(seedUtility({ documentClient: table.client, tableName: 'T' }, { ...options, ...bad })).rejects.toThrow(message);
    expect(table.requests()).toBe(0);
  });
});
