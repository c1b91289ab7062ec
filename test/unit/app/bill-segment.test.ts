import { billSegment } from '../../../shared/app/bill-segment';
import { TransientStoreError } from '../../../shared/app/errors';
import type { Account, Meter } from '../../../shared/domain/accounts';
import { mergeDay } from '../../../shared/domain/reads';
import { planSegments, shardOf } from '../../../shared/domain/segments';
import type { Tariff } from '../../../shared/domain/tariff';
import { clockAt, MemoryAccounts, MemoryBills, MemoryMeters, MemoryReads, MemoryTariffs, silentLogger } from './fakes';

const electric: Tariff = { tariffId: 'ELEC-RES', name: 'Residential electric', unit: 'kWh', fixedCharge: '12.50', unitPrice: '0.1125', rounding: 'half-up' };
const ALL = { segmentIndex: 0, shardFrom: 0, shardTo: 1023 };
const input = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', segment: ALL };

function account(id: string, overrides: Partial<Account> = {}): Account {
  return { accountId: id, customerId: `C${id.slice(1)}`, name: id, serviceAddress: '1 Main St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE', meterIds: [`M${id.slice(1)}`], shard: shardOf(id), createdAt: '2025-01-01T00:00:00Z', ...overrides };
}

async function setup(accounts: Account[], meters: Meter[]) {
  const reads = new MemoryReads();
  for (const meter of meters) {
    for (const [day, start] of [['2025-12-31', Date.UTC(2026, 0, 1, 6)], ['2026-01-01', Date.UTC(2026, 0, 1, 7)], ['2026-01-31', Date.UTC(2026, 0, 31, 7)], ['2026-02-01', Date.UTC(2026, 1, 1, 7)]] as const) {
      // 100 kWh on each of the four days; only the two inside the period count.
      const merged = mergeDay(undefined, meter, day, [{ startEpochSec: start / 1000, durationSec: 3600, quantityMicro: 100_000_000, quality: 'A' }], { at: 'x', by: 'mqtt' });
      await reads.saveDay(merged.day, undefined);
    }
  }
  const bills = new MemoryBills();
  const deps = { accounts: new MemoryAccounts(accounts), meters: new MemoryMeters(meters), reads, tariffs: new MemoryTariffs([electric]), bills, clock: clockAt('2026-02-01T08:00:00Z'), log: silentLogger() };
  return { deps, bills };
}

const meterOf = (id: string, overrides: Partial<Meter> = {}): Meter => ({ meterId: `M${id.slice(1)}`, accountId: id, unit: 'kWh', status: 'ACTIVE', multiplier: 1, ...overrides });

describe('billSegment', () => {
  it('bills the period from integer usage, posts the ledger entry and the audit event', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')]);
    const result = await billSegment(deps, input);
    expect(result).toEqual({ segmentIndex: 0, billed: 1, skipped: 0, failed: 0, errors: [] });
    const [bill] = [...bills.bills.values()];
    expect(bill).toMatchObject({ accountId: 'A0001', total: '35.00', usage: { quantity: '200', unit: 'kWh' }, runId: 'run-1' });
    expect(bills.ledger[0]).toMatchObject({ idempotencyKey: bill!.billId, postings: [{ side: 'debit', amount: '35.00' }, { side: 'credit', amount: '35.00' }] });
    expect(bills.audit[0]).toMatchObject({ entityType: 'ACCOUNT', entityId: 'A0001', action: 'bill.issued' });
  });

  it('applies the meter multiplier', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001', { multiplier: 40 })]);
    await billSegment(deps, input);
    expect([...bills.bills.values()][0]?.usage.quantity).toBe('8000');
  });

  it('bills nobody twice: a re-run skips, a retry of the same run counts its own bills as billed', async () => {
    const { deps, bills } = await setup([account('A0001'), account('A0002')], [meterOf('A0001'), meterOf('A0002')]);
    await billSegment(deps, input);
    expect(await billSegment(deps, input)).toMatchObject({ billed: 2, skipped: 0 });
    expect(await billSegment(deps, { ...input, runId: 'run-2' })).toMatchObject({ billed: 0, skipped: 2, failed: 0 });
    expect(bills.bills.size).toBe(2);
    expect(bills.ledger).toHaveLength(2);
  });

  it('counts per-account problems as failed with a reason, and keeps going', async () => {
    const accounts = [
      account('A0001', { tariffId: 'NOPE' }),
      account('A0002'),
      account('A0003', { meterIds: [] }),
      account('A0004'),
      account('A0005', { meterIds: ['M9999'] }),
      account('A0006'),
    ];
    const meters = [meterOf('A0002'), meterOf('A0004', { unit: 'gal' }), meterOf('A0006')];
    const { deps } = await setup(accounts, meters.filter((m) => m.meterId !== 'M0006'));
    deps.meters.meters.push(meterOf('A0006'));
    const result = await billSegment(deps, input);
    expect(result).toMatchObject({ billed: 1, skipped: 0, failed: 5 });
    expect(result.errors.map((e) => `${e.accountId}:${e.reason}`).sort()).toEqual(['A0001:tariff-not-found', 'A0003:no-meters', 'A0004:unit-mismatch', 'A0005:meter-not-found', 'A0006:no-reads']);
  });

  it('keeps at most five errors', async () => {
    const accounts = Array.from({ length: 8 }, (_, i) => account(`A000${i + 1}`, { tariffId: 'NOPE' }));
    const { deps } = await setup(accounts, []);
    const result = await billSegment(deps, input);
    expect(result.failed).toBe(8);
    expect(result.errors).toHaveLength(5);
  });

  it('bills only the accounts of its shards and skips inactive accounts', async () => {
    const accounts = Array.from({ length: 30 }, (_, i) => account(`A${String(i + 1).padStart(4, '0')}`));
    const meters = accounts.map((a) => meterOf(a.accountId));
    const { deps } = await setup([...accounts, account('A0999', { status: 'INACTIVE' })], meters);
    const results = [];
    for (const segment of planSegments(4)) results.push(await billSegment(deps, { ...input, segment }));
    expect(results.reduce((n, r) => n + r.billed, 0)).toBe(30);
    expect(results.reduce((n, r) => n + r.skipped, 0)).toBe(1);
  });

  it('throws TransientStoreError so the state machine retries the segment', async () => {
    const { deps } = await setup([account('A0001')], [meterOf('A0001')]);
    deps.bills.issue = async () => {
      throw new TransientStoreError('throttled');
    };
    await expect(billSegment(deps, input)).rejects.toThrow(TransientStoreError);
  });
});
