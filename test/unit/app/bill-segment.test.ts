import { billSegment } from '../../../shared/app/bill-segment';
import { resolveBillException } from '../../../shared/app/bill-exceptions';
import type { StaffPrincipal } from '../../../shared/domain/identity';
import { TransientStoreError } from '../../../shared/app/errors';
import { demoTariffs } from '../../../shared/app/seed-demo';
import type { Account, Meter } from '../../../shared/domain/accounts';
import type { Agreement } from '../../../shared/domain/customers/model';
import { parseTariffDocument, type TariffDocument } from '../../../shared/domain/rating/schema';
import { mergeDay } from '../../../shared/domain/reads';
import { planSegments, shardOf } from '../../../shared/domain/segments';
import { clockAt, MemoryAccounts, MemoryAgreements, MemoryBills, MemoryMeters, MemoryReads, MemoryRuns, MemoryTariffs, silentLogger } from './fakes';

const ZONE = 'America/Denver';
const [electric, water] = demoTariffs(ZONE) as [TariffDocument, TariffDocument];
const ALL = { segmentIndex: 0, shardFrom: 0, shardTo: 1023 };
const input = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', segment: ALL };
const fixedOnly = (tariffId: string, versions: Array<{ from: string; to?: string; amount: string }>) =>
  parseTariffDocument({
    format: 'cis-tariff/1',
    tariffId,
    name: tariffId,
    unit: 'kWh',
    timeZone: ZONE,
    versions: versions.map((v) => ({ effectiveFrom: v.from, ...(v.to ? { effectiveTo: v.to } : {}), charges: [{ kind: 'fixed', description: 'Customer charge', amount: v.amount }] })),
  });
const demand = parseTariffDocument({
  format: 'cis-tariff/1',
  tariffId: 'ELEC-DEMAND',
  name: 'Demand',
  unit: 'kWh',
  timeZone: ZONE,
  versions: [{ effectiveFrom: '2025-01-01', charges: [{ kind: 'demand', description: 'Demand', tiers: [{ rate: '10' }], ratchet: { percent: '80', lookbackMonths: 11 } }] }],
});

function account(id: string, overrides: Partial<Account> = {}): Account {
  return { accountId: id, customerId: `C${id.slice(1)}`, name: id, serviceAddress: '1 Main St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE', meterIds: [`M${id.slice(1)}`], shard: shardOf(id), createdAt: '2025-01-01T00:00:00Z', ...overrides };
}

function agreement(accountId: string, overrides: Partial<Agreement> = {}): Agreement {
  return {
    agreementId: `G${accountId.slice(1)}`,
    accountId,
    customerId: `C${accountId.slice(1)}`,
    premiseId: `P${accountId.slice(1)}`,
    servicePointId: `P${accountId.slice(1)}-ELECTRIC`,
    serviceType: 'electric',
    serviceClass: 'RESIDENTIAL',
    tariffId: 'ELEC-RES',
    cycle: 'C1',
    status: 'ACTIVE',
    startDate: '2025-01-01',
    meterId: `M${accountId.slice(1)}`,
    finalBill: false,
    createdAt: 't',
    recordVersion: 1,
    ...overrides,
  };
}

const meterOf = (id: string, overrides: Partial<Meter> = {}): Meter => ({ meterId: `M${id.slice(1)}`, accountId: id, unit: 'kWh', status: 'ACTIVE', multiplier: 1, ...overrides });

/** 100 units in the first hour (local midnight) of each day; only the days inside a service period count. */
const READ_DAYS: ReadonlyArray<readonly [string, number]> = [
  ['2025-12-31', Date.UTC(2025, 11, 31, 7)],
  ['2026-01-01', Date.UTC(2026, 0, 1, 7)],
  ['2026-01-31', Date.UTC(2026, 0, 31, 7)],
  ['2026-02-01', Date.UTC(2026, 1, 1, 7)],
];

async function setup(accounts: Account[], meters: Meter[], agreements: Agreement[] = accounts.map((a) => agreement(a.accountId)), tariffs: TariffDocument[] = [electric, water]) {
  const reads = new MemoryReads();
  for (const meter of meters) {
    for (const [day, start] of READ_DAYS) {
      const merged = mergeDay(undefined, meter, day, [{ startEpochSec: start / 1000, durationSec: 3600, quantityMicro: 100_000_000, quality: 'A' }], { at: 'x', by: 'mqtt' });
      await reads.saveDay(merged.day, undefined);
    }
  }
  const bills = new MemoryBills();
  const tariffStore = new MemoryTariffs(tariffs);
  const deps = {
    accounts: new MemoryAccounts(accounts),
    agreements: new MemoryAgreements(agreements, bills),
    meters: new MemoryMeters(meters),
    reads,
    tariffs: tariffStore,
    bills,
    clock: clockAt('2026-02-01T08:00:00Z'),
    log: silentLogger(),
    timeZone: ZONE,
  };
  return { deps, bills, tariffStore };
}

const amounts = (lines: Array<{ description: string; amount: string }>) => lines.map((line) => `${line.description}=${line.amount}`);

describe('billSegment', () => {
  it('rates the agreement with the engine, posts the ledger entry and the audit event, and sets the due date', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')]);
    const result = await billSegment(deps, input);
    expect(result).toEqual({ segmentIndex: 0, billed: 1, held: 0, skipped: 0, failed: 0, errors: [] });
    const [bill] = [...bills.bills.values()];
    // 200 kWh off-peak: 12.50 + 200 x 0.0925 + 200 x 0.0042 = 31.84, plus 5% franchise fee 1.592 -> 1.59.
    expect(bill).toMatchObject({ accountId: 'A0001', total: '33.43', dueDate: '2026-02-22', finalBill: false, runId: 'run-1' });
    expect(bill!.services).toHaveLength(1);
    expect(bill!.services[0]).toMatchObject({ agreementId: 'G0001', serviceType: 'electric', tariffId: 'ELEC-RES', periodStart: '2026-01-01', periodEnd: '2026-01-31', usage: { quantity: '200', unit: 'kWh' }, peakKw: '100', subtotal: '33.43' });
    expect(amounts(bill!.services[0]!.lines)).toEqual(['Customer charge=12.50', 'Energy, Off-peak=18.50', 'Energy cost adjustment=0.84', 'City franchise fee (5% of 31.84)=1.59']);
    expect(bill!.services[0]!.lines[1]).toMatchObject({ quantity: '200', unit: 'kWh', rate: '0.0925', periodStart: '2026-01-01', periodEnd: '2026-01-31' });
    expect(bills.ledger[0]).toMatchObject({ idempotencyKey: bill!.billId, postings: [{ side: 'debit', amount: '33.43' }, { side: 'credit', amount: '33.43' }] });
    expect(bills.audit[0]).toMatchObject({ entityType: 'ACCOUNT', entityId: 'A0001', action: 'bill.issued', details: { total: '33.43', dueDate: '2026-02-22' } });
    expect(bills.peaks).toEqual([{ agreementId: 'G0001', month: '2026-01', peakKw: '100', billId: bill!.billId }]);
  });

  it('applies the meter multiplier to every interval and takes the due days from the deps', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001', { multiplier: 40 })]);
    await billSegment({ ...deps, dueDays: 10 }, input);
    const [bill] = [...bills.bills.values()];
    expect(bill!.dueDate).toBe('2026-02-11');
    expect(bill!.services[0]).toMatchObject({ usage: { quantity: '8000' }, peakKw: '4000' });
    expect(amounts(bill!.services[0]!.lines)).toContain('Energy, Off-peak=740.00');
  });

  it('composes one bill with a section per service: electric TOU and water with tiers, base by meter size and sewer', async () => {
    const meters = [meterOf('A0001'), { ...meterOf('A0001'), meterId: 'MW0001', unit: 'gal' as const, size: '5/8in' }];
    const agreements = [agreement('A0001'), agreement('A0001', { agreementId: 'GW0001', serviceType: 'water', servicePointId: 'P0001-WATER', tariffId: 'WATER-RES', meterId: 'MW0001' })];
    const { deps, bills } = await setup([account('A0001')], meters, agreements);
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1, failed: 0 });
    const [bill] = [...bills.bills.values()];
    expect(bill!.services.map((s) => `${s.serviceType}:${s.subtotal}`)).toEqual(['electric:33.43', 'water:29.69']);
    // Water: 18.00 (5/8in) + 200 gal x 0.0045 = 0.90 + sewer 9.75 + 200 x 0.0052 = 1.04.
    expect(amounts(bill!.services[1]!.lines)).toEqual(['Water base charge (meter size 5/8in)=18.00', 'Water, tier 1 (first 3000 gal)=0.90', 'Sewer base charge=9.75', 'Sewer volume=1.04']);
    expect(bill!.services[1]).toMatchObject({ usage: { quantity: '200', unit: 'gal' }, meterId: 'MW0001' });
    expect(bill!.services[1]!.peakKw).toBeUndefined();
    expect(bill!.total).toBe('63.12');
    expect(bills.ledger).toHaveLength(1);
    // One receivable per service, revenue for the whole bill.
    expect(bills.ledger[0]!.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '33.43', service: 'electric' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '29.69', service: 'water' },
      { ledgerAccount: 'REVENUE', side: 'credit', amount: '63.12' },
    ]);
  });

  it('gives a closed agreement its final bill for the days up to its end date, prorating per-bill charges', async () => {
    const agreements = [agreement('A0001', { status: 'CLOSED', endDate: '2026-01-15', finalBill: true })];
    const { deps, bills } = await setup([account('A0001', { status: 'INACTIVE' })], [meterOf('A0001')], agreements);
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1, failed: 0 });
    const [bill] = [...bills.bills.values()];
    expect(bill).toMatchObject({ finalBill: true, periodStart: '2026-01-01', periodEnd: '2026-01-31' });
    expect(bill!.services[0]).toMatchObject({ finalBill: true, periodStart: '2026-01-01', periodEnd: '2026-01-15', usage: { quantity: '100' } });
    // 12.50 x 15/31 = 6.048 -> 6.05; 100 kWh: 9.25 + 0.42; 5% of 15.72 = 0.786 -> 0.79.
    expect(amounts(bill!.services[0]!.lines)).toEqual(['Customer charge (prorated 15/31 days)=6.05', 'Energy, Off-peak=9.25', 'Energy cost adjustment=0.42', 'City franchise fee (5% of 15.72)=0.79']);
    expect(bill!.total).toBe('16.51');
  });

  it('bills a move-in from its start date and a move-out to its end date on one account without a final flag when none was asked', async () => {
    const agreements = [agreement('A0001', { status: 'CLOSED', endDate: '2026-01-10', finalBill: false }), agreement('A0001', { agreementId: 'G0001B', startDate: '2026-01-20' })];
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], agreements);
    await billSegment(deps, input);
    const [bill] = [...bills.bills.values()];
    expect(bill!.finalBill).toBe(false);
    expect(bill!.services.map((s) => `${s.agreementId}:${s.periodStart}..${s.periodEnd}:${s.usage.quantity}:${s.lines[0]!.amount}`)).toEqual([
      'G0001:2026-01-01..2026-01-10:100:4.03', // 12.50 x 10/31 = 4.032
      'G0001B:2026-01-20..2026-01-31:100:4.84', // 12.50 x 12/31 = 4.839
    ]);
  });

  it('prorates across tariff versions inside the period', async () => {
    const tariff = fixedOnly('ELEC-RES', [
      { from: '2025-01-01', to: '2026-01-15', amount: '10.00' },
      { from: '2026-01-16', amount: '20.00' },
    ]);
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [tariff]);
    await billSegment(deps, input);
    const [bill] = [...bills.bills.values()];
    // 10.00 x 15/31 = 4.838 -> 4.84; 20.00 x 16/31 = 10.322 -> 10.32.
    expect(bill!.services[0]!.lines.map((line) => `${line.periodStart}..${line.periodEnd}=${line.amount}`)).toEqual(['2026-01-01..2026-01-15=4.84', '2026-01-16..2026-01-31=10.32']);
    expect(bill!.total).toBe('15.16');
  });

  it('stores each bill\'s monthly peak per agreement and applies the ratchet on the next bill', async () => {
    const agreements = [agreement('A0001', { tariffId: 'ELEC-DEMAND' })];
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], agreements, [demand]);
    await billSegment(deps, input);
    // February: one 10 kWh hour on Feb 2 -> measured 10 kW, ratchet 80% of January's 100 kW = 80 kW.
    const feb = mergeDay(undefined, meterOf('A0001'), '2026-02-02', [{ startEpochSec: Date.UTC(2026, 1, 2, 7) / 1000, durationSec: 3600, quantityMicro: 10_000_000, quality: 'A' }], { at: 'x', by: 'mqtt' });
    await deps.reads.saveDay(feb.day, undefined);
    await billSegment(deps, { ...input, runId: 'run-2', periodStart: '2026-02-02', periodEnd: '2026-02-28' });
    const [january, february] = [...bills.bills.values()];
    expect(january!.services[0]!.lines.map((line) => `${line.quantity} ${line.unit}=${line.amount}`)).toEqual(['100 kW=1000.00']);
    expect(february!.services[0]!.peakKw).toBe('10');
    expect(february!.services[0]!.lines.map((line) => `${line.quantity} ${line.unit}=${line.amount}`)).toEqual(['80 kW=800.00']);
    expect(bills.peaks.map((peak) => `${peak.month}:${peak.peakKw}`)).toEqual(['2026-01:100', '2026-02:10']);
  });

  it('bills nobody twice: a re-run skips, a retry of the same run counts its own bills as billed', async () => {
    const { deps, bills } = await setup([account('A0001'), account('A0002')], [meterOf('A0001'), meterOf('A0002')]);
    await billSegment(deps, input);
    const ids = [...bills.bills.values()].map((bill) => bill.billId);
    expect(await billSegment(deps, input)).toMatchObject({ billed: 2, skipped: 0 });
    expect(await billSegment(deps, { ...input, runId: 'run-2' })).toMatchObject({ billed: 0, skipped: 2, failed: 0 });
    expect([...bills.bills.values()].map((bill) => bill.billId)).toEqual(ids);
    expect(bills.ledger).toHaveLength(2);
  });

  it('holds bills whose tariff or meter is missing for review, counts other per-account problems as failed with a reason, and keeps going', async () => {
    const accounts = ['A0001', 'A0002', 'A0003', 'A0004', 'A0005', 'A0006', 'A0007'].map((id) => account(id));
    const agreements = [
      agreement('A0001', { tariffId: 'NOPE' }),
      agreement('A0002'),
      // A0003 has no agreements at all.
      agreement('A0004'),
      agreement('A0005', { meterId: 'M9999' }),
      agreement('A0006'),
      agreement('A0007', { meterId: undefined as never }),
    ];
    const meters = [meterOf('A0001'), meterOf('A0002'), meterOf('A0004', { unit: 'gal' })];
    const { deps } = await setup(accounts, meters, agreements);
    deps.meters.meters.push(meterOf('A0006'));
    const result = await billSegment({ ...deps, missingReads: 'fail' }, input);
    expect(result).toMatchObject({ billed: 1, held: 4, skipped: 0, failed: 2 });
    expect(result.errors).toHaveLength(2);
    const reasons = deps.log.lines.filter((line) => line.message === 'account not billed').map((line) => `${String(line.fields?.['accountId'])}:${String(line.fields?.['reason'])}`);
    expect(reasons.sort()).toEqual(['A0003:no-agreements', 'A0006:no-reads']);
    // The record problems wait in the review queue with the reason; nothing of them is posted.
    const bills = deps.bills as unknown as { held: Map<string, { accountId: string; holds: Array<{ reason: string }> }>; ledger: Array<{ accountId: string }> };
    const held = [...bills.held.values()].map((record) => `${record.accountId}:${record.holds.map((hold) => hold.reason).join(',')}`);
    expect(held.sort()).toEqual(['A0001:tariff-not-found', 'A0004:unit-mismatch', 'A0005:meter-not-found', 'A0007:meter-not-found']);
    expect(bills.ledger.map((entry) => entry.accountId)).toEqual(['A0002']);
  });

  it('reads each tariff once per segment', async () => {
    const accounts = Array.from({ length: 6 }, (_, i) => account(`A000${i + 1}`));
    const { deps, tariffStore } = await setup(accounts, accounts.map((a) => meterOf(a.accountId)));
    expect(await billSegment(deps, input)).toMatchObject({ billed: 6 });
    expect(tariffStore.gets).toBe(1);
  });

  it('bills only the accounts of its shards; inactive accounts without agreements and agreements outside the period are skipped', async () => {
    const accounts = Array.from({ length: 30 }, (_, i) => account(`A${String(i + 1).padStart(4, '0')}`));
    const meters = accounts.map((a) => meterOf(a.accountId));
    const agreements = [...accounts.map((a) => agreement(a.accountId)), agreement('A0998', { startDate: '2026-02-10' })];
    const { deps } = await setup([...accounts, account('A0999', { status: 'INACTIVE' }), account('A0998')], meters, agreements);
    const results = [];
    for (const segment of planSegments(4)) results.push(await billSegment(deps, { ...input, segment }));
    expect(results.reduce((n, r) => n + r.billed, 0)).toBe(30);
    expect(results.reduce((n, r) => n + r.skipped, 0)).toBe(2);
  });

  it('bills everybody exactly once when the segment dies half-way through writing a chunk and is run again', async () => {
    const accounts = Array.from({ length: 120 }, (_, i) => account(`A${String(i + 1).padStart(4, '0')}`));
    const { deps, bills } = await setup(accounts, accounts.map((a) => meterOf(a.accountId)));
    const issueMany = bills.issueMany.bind(bills);
    let calls = 0;
    // The second chunk's transaction batch writes 20 of its bills, then the process dies.
    bills.issueMany = async (issues) => {
      calls++;
      if (calls === 2) {
        await issueMany(issues.slice(0, 20));
        throw new Error('Runtime.ExitError: the function process exited');
      }
      return issueMany(issues);
    };
    await expect(billSegment(deps, input)).rejects.toThrow('Runtime.ExitError');
    expect(bills.bills.size).toBe(70);

    // The state machine retries the segment (same run), and later a re-run of the cycle (new run).
    const retried = await billSegment(deps, input);
    expect(retried).toMatchObject({ billed: 120, held: 0, failed: 0, skipped: 0 });
    const rerun = await billSegment(deps, { ...input, runId: 'run-2' });
    expect(rerun).toMatchObject({ billed: 0, skipped: 120, failed: 0 });
    expect(bills.bills.size).toBe(120);
    const entries = bills.ledger.filter((entry) => entry.kind === 'BILL');
    expect(entries).toHaveLength(120);
    expect(new Set(entries.map((entry) => entry.accountId)).size).toBe(120);
    expect(bills.audit.filter((event) => event.action === 'bill.issued')).toHaveLength(120);
  });

  it('throws TransientStoreError so the state machine retries the segment', async () => {
    const { deps } = await setup([account('A0001')], [meterOf('A0001')]);
    deps.bills.issue = async () => {
      throw new TransientStoreError('throttled');
    };
    await expect(billSegment(deps, input)).rejects.toThrow(TransientStoreError);
    deps.bills.getMany = async () => {
      throw new TransientStoreError('throttled');
    };
    await expect(billSegment(deps, input)).rejects.toThrow(TransientStoreError);
  });
});

/** Bills the same account over months: `months` are [periodStart, periodEnd, kWh per day read (0: no reads)]. */
async function billMonths(deps: Awaited<ReturnType<typeof setup>>['deps'], months: Array<[string, string, number]>, options: Partial<Parameters<typeof billSegment>[0]> = {}) {
  const results = [];
  for (const [index, [periodStart, periodEnd, perDay]] of months.entries()) {
    if (perDay > 0) {
      const meter = deps.meters.meters[0]!;
      for (let day = periodStart; day <= periodEnd; day = nextDay(day)) {
        const start = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), 7) / 1000;
        const merged = mergeDay(await deps.reads.getDay(meter.meterId, day), meter, day, [{ startEpochSec: start, durationSec: 3600, quantityMicro: perDay * 1_000_000, quality: 'A' }], { at: 'x', by: 'mqtt' });
        await deps.reads.saveDay(merged.day, (await deps.reads.getDay(meter.meterId, day))?.version);
      }
    }
    results.push(await billSegment({ ...deps, ...options }, { ...input, runId: `run-m${index}`, periodStart, periodEnd }));
  }
  return results;
}
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const billing: StaffPrincipal = { kind: 'staff', username: 'bill', roles: ['billing'] } as StaffPrincipal;

describe('bill exceptions in the run', () => {
  const history: Array<[string, string, number]> = [
    ['2025-09-01', '2025-09-30', 10],
    ['2025-10-01', '2025-10-31', 10],
    ['2025-11-01', '2025-11-30', 10],
  ];

  it('holds a bill far above the average of the earlier bills: written HELD with its review record and bill.held audit, without ledger entry, history or peaks', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [electric]);
    bills.bills.clear();
    await deps.reads.days.clear();
    const results = await billMonths(deps, [...history, ['2025-12-01', '2025-12-31', 200]]);
    expect(results.map((r) => `${r.billed}/${r.held}`)).toEqual(['1/0', '1/0', '1/0', '0/1']);
    const december = [...bills.bills.values()].find((bill) => bill.periodStart === '2025-12-01')!;
    expect(december.status).toBe('HELD');
    expect(december.holds).toEqual([{ reason: 'high-bill', message: expect.stringContaining('more than 3 times the average') }]);
    expect(bills.ledger.map((entry) => entry.billId)).not.toContain(december.billId);
    expect(bills.history.map((entry) => entry.billId)).not.toContain(december.billId);
    expect(bills.peaks.map((peak) => peak.billId)).not.toContain(december.billId);
    expect(bills.held.get(december.billId)).toMatchObject({ status: 'OPEN', accountId: 'A0001', total: december.total, holds: [{ reason: 'high-bill' }], runId: 'run-m3' });
    expect(bills.audit.at(-1)).toMatchObject({ action: 'bill.held', details: { billId: december.billId, reasons: 'high-bill' } });
    // A re-run of the segment (same run or another) never writes the held bill twice.
    expect(await billSegment(deps, { ...input, runId: 'run-m3', periodStart: '2025-12-01', periodEnd: '2025-12-31' })).toMatchObject({ billed: 0, held: 1, skipped: 0 });
    expect(await billSegment(deps, { ...input, runId: 'run-again', periodStart: '2025-12-01', periodEnd: '2025-12-31' })).toMatchObject({ billed: 0, held: 0, skipped: 1 });
    expect(bills.audit.filter((event) => event.action === 'bill.held')).toHaveLength(1);
  });

  it('holds a low bill, zero usage and a total above the hard maximum, with the limits it is given', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [electric]);
    bills.bills.clear();
    deps.reads.days.clear();
    const results = await billMonths(deps, history);
    expect(results.map((r) => r.billed)).toEqual([1, 1, 1]);
    // December: 0.01 kWh a day: only the customer charge, below 0.9 x the average of the three earlier bills.
    const [december] = await billMonths(deps, [['2025-12-01', '2025-12-31', 0.01]], { limits: { highFactor: '3', lowFactor: '0.9', minHistory: 3, maxTotal: '10000.00' } });
    expect(december).toMatchObject({ billed: 0, held: 1 });
    expect([...bills.bills.values()].find((bill) => bill.periodStart === '2025-12-01')!.holds).toEqual([{ reason: 'low-bill', message: expect.stringContaining('less than 0.9 times the average') }]);
    // The same kind of month with a 20.00 maximum: held above the maximum, whatever the history.
    const [january] = await billMonths(deps, [['2026-01-01', '2026-01-31', 10]], { limits: { highFactor: '3', lowFactor: '0.2', minHistory: 3, maxTotal: '20.00' } });
    expect(january).toMatchObject({ billed: 0, held: 1 });
    expect([...bills.bills.values()].find((bill) => bill.periodStart === '2026-01-01')!.holds?.map((hold) => hold.reason)).toEqual(['above-maximum']);
    const zero = await setup([account('A0002')], [meterOf('A0002')], undefined, [electric]);
    zero.deps.reads.days.clear();
    for (const day of ['2026-01-01', '2026-01-02']) {
      const merged = mergeDay(undefined, meterOf('A0002'), day, [{ startEpochSec: Date.parse(`${day}T07:00:00Z`) / 1000, durationSec: 3600, quantityMicro: 0, quality: 'A' }], { at: 'x', by: 'mqtt' });
      await zero.deps.reads.saveDay(merged.day, undefined);
    }
    expect(await billSegment(zero.deps, input)).toMatchObject({ billed: 0, held: 1 });
    expect([...zero.bills.bills.values()][0]!.holds).toEqual([{ reason: 'zero-usage', message: expect.stringContaining('used nothing') }]);
  });

  it('estimates a meter without reads from the same period last year, marks service and bill estimated, and stores no peak', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [electric]);
    bills.bills.clear();
    deps.reads.days.clear();
    await billMonths(deps, [['2025-01-01', '2025-01-31', 5], ['2025-06-01', '2025-06-30', 20]]);
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1, held: 0, failed: 0 });
    const bill = [...bills.bills.values()].find((b) => b.periodStart === '2026-01-01')!;
    expect(bill).toMatchObject({ status: 'ISSUED', estimated: true });
    // January 2025 used 5 kWh a day: 31 days -> 155 kWh, spread over the hours of the period.
    expect(bill.services[0]).toMatchObject({ estimated: true, estimateMethod: 'last-year', usage: { quantity: '155' } });
    expect(bill.services[0]!.peakKw).toBeUndefined();
    expect(bills.peaks.map((peak) => peak.billId)).not.toContain(bill.billId);
    expect(bills.history.find((h) => h.billId === bill.billId)).toMatchObject({ estimated: true });
  });

  it('estimates from the average daily usage of the last bills without last year, holds without history, and fails when told to', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [electric]);
    bills.bills.clear();
    deps.reads.days.clear();
    // Without any history: held for missing reads, zero usage, nothing posted.
    expect(await billSegment(deps, { ...input, runId: 'run-0', periodStart: '2025-09-01', periodEnd: '2025-09-30' })).toMatchObject({ held: 1 });
    const september = [...bills.bills.values()][0]!;
    expect(september.holds?.map((h) => h.reason)).toEqual(['missing-reads']);
    expect(september.services[0]).toMatchObject({ estimated: true, estimateMethod: 'none', usage: { quantity: '0' } });
    await billMonths(deps, [['2025-10-01', '2025-10-31', 10], ['2025-11-01', '2025-11-30', 40]]);
    expect(await billSegment(deps, { ...input, runId: 'run-d', periodStart: '2025-12-01', periodEnd: '2025-12-10' })).toMatchObject({ billed: 1 });
    const december = [...bills.bills.values()].find((b) => b.periodStart === '2025-12-01')!;
    // (310 + 1200) kWh over 61 days x 10 days = 247.540983... -> micro-units.
    expect(december.services[0]).toMatchObject({ estimateMethod: 'average-daily', usage: { quantity: '247.540984' } });
    expect(await billSegment({ ...deps, missingReads: 'hold' }, { ...input, runId: 'run-h', periodStart: '2025-12-11', periodEnd: '2025-12-20' })).toMatchObject({ held: 1 });
    expect(await billSegment({ ...deps, missingReads: 'fail' }, { ...input, runId: 'run-f', periodStart: '2025-12-21', periodEnd: '2025-12-31' })).toMatchObject({ failed: 1, errors: [{ accountId: 'A0001', reason: 'no-reads' }] });
  });

  it('holds the third estimated bill in a row', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [electric]);
    bills.bills.clear();
    deps.reads.days.clear();
    const results = await billMonths(deps, [['2025-08-01', '2025-08-31', 10], ['2025-09-01', '2025-09-30', 0], ['2025-10-01', '2025-10-31', 0], ['2025-11-01', '2025-11-30', 0]]);
    expect(results.map((r) => `${r.billed}/${r.held}`)).toEqual(['1/0', '1/0', '1/0', '0/1']);
    const november = [...bills.bills.values()].find((b) => b.periodStart === '2025-11-01')!;
    expect(november.holds).toEqual([{ reason: 'estimated-too-often', message: 'this is estimated bill 3 in a row (at most 2)' }]);
  });

  it('records each segment\'s progress when it starts and when it finishes', async () => {
    const { deps } = await setup([account('A0001')], [meterOf('A0001')]);
    const progress = new MemoryRuns();
    const started: string[] = [];
    const record = progress.segmentStarted.bind(progress);
    progress.segmentStarted = async (runId, index, at) => {
      started.push(`${runId}/${index}`);
      expect(await progress.listSegments(runId)).toEqual([]);
      await record(runId, index, at);
    };
    await billSegment({ ...deps, progress }, input);
    expect(started).toEqual(['run-1/0']);
    expect(await progress.listSegments('run-1')).toEqual([{ segmentIndex: 0, status: 'DONE', attempts: 1, startedAt: '2026-02-01T08:00:00.000Z', finishedAt: '2026-02-01T08:00:00.000Z', counts: { billed: 1, held: 0, skipped: 0, failed: 0 } }]);
  });
});

describe('releasing and cancelling held bills', () => {
  async function heldBill() {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], undefined, [electric]);
    await billSegment({ ...deps, limits: { highFactor: '3', lowFactor: '0.2', minHistory: 3, maxTotal: '10.00' } }, input);
    const [bill] = [...bills.bills.values()];
    expect(bill!.status).toBe('HELD');
    let id = 0;
    const reviewDeps = { bills, clock: clockAt('2026-02-05T17:00:00Z'), newId: () => `E${++id}`, timeZone: ZONE, dueDays: 21 };
    return { deps, bills, bill: bill!, reviewDeps };
  }

  it('refuses to release a bill held for a missing tariff; cancelling it lets the next run bill the corrected account', async () => {
    const { deps, bills } = await setup([account('A0001')], [meterOf('A0001')], [agreement('A0001', { tariffId: 'ELEC-LATE' })], [electric]);
    expect(await billSegment(deps, input)).toMatchObject({ held: 1, failed: 0 });
    const [bill] = [...bills.bills.values()];
    const reviewDeps = { bills, clock: clockAt('2026-02-05T17:00:00Z'), newId: () => 'E1', timeZone: ZONE, dueDays: 21 };
    await expect(resolveBillException(reviewDeps, billing, { billId: bill!.billId, action: 'release' })).rejects.toMatchObject({ name: 'BillNotReleasable' });
    expect(bills.ledger).toHaveLength(0);
    await resolveBillException(reviewDeps, billing, { billId: bill!.billId, action: 'cancel', note: 'tariff loaded' });
    deps.tariffs.stored.set('ELEC-LATE', { doc: { ...electric, tariffId: 'ELEC-LATE' }, revision: 1 });
    expect(await billSegment(deps, { ...input, runId: 'run-2' })).toMatchObject({ billed: 1, held: 0, failed: 0 });
    expect(bills.ledger.filter((entry) => entry.kind === 'BILL')).toHaveLength(1);
  });

  it('releases a held bill once: ISSUED with a due date from the release, its ledger entry, history and peaks, bill.released audit; a second release is refused', async () => {
    const { bills, bill, reviewDeps } = await heldBill();
    const { bill: released } = await resolveBillException(reviewDeps, billing, { billId: bill.billId, action: 'release', note: 'checked with the customer' });
    expect(released).toMatchObject({ status: 'ISSUED', issuedAt: '2026-02-05T17:00:00.000Z', dueDate: '2026-02-26', review: { action: 'released', by: 'bill', note: 'checked with the customer' } });
    expect(bills.ledger.filter((entry) => entry.billId === bill.billId)).toEqual([expect.objectContaining({ postedAt: '2026-02-05T17:00:00.000Z', dueDate: '2026-02-26', postings: expect.arrayContaining([expect.objectContaining({ amount: bill.total })]) })]);
    expect(bills.history.map((h) => h.billId)).toEqual([bill.billId]);
    expect(bills.peaks.map((p) => p.billId)).toEqual([bill.billId]);
    expect(bills.held.get(bill.billId)).toMatchObject({ status: 'RELEASED', review: { action: 'released' } });
    expect(bills.audit.at(-1)).toMatchObject({ action: 'bill.released', actor: 'bill', details: { billId: bill.billId, reasons: 'above-maximum', note: 'checked with the customer' } });
    await expect(resolveBillException(reviewDeps, billing, { billId: bill.billId, action: 'release' })).rejects.toMatchObject({ name: 'BillNotHeld' });
    await expect(resolveBillException(reviewDeps, billing, { billId: bill.billId, action: 'cancel' })).rejects.toMatchObject({ name: 'BillNotHeld' });
    expect(bills.ledger.filter((entry) => entry.billId === bill.billId)).toHaveLength(1);
    expect(await bills.listHeld({ limit: 10 })).toEqual({ items: [] });
  });

  it('refuses a bill that is not in the queue (never held) with BillExceptionNotFound, and one whose bill is no longer HELD with BillNotHeld', async () => {
    const { bills, bill, reviewDeps } = await heldBill();
    await expect(resolveBillException(reviewDeps, billing, { billId: 'B000000000000000000000000', action: 'release' })).rejects.toMatchObject({ name: 'BillExceptionNotFound' });
    // The bill was posted by another path while its record is still open: the release changes nothing.
    bills.bills.set(`${bill.accountId}/${bill.periodStart}/${bill.billId}`, { ...bill, status: 'ISSUED' });
    await expect(resolveBillException(reviewDeps, billing, { billId: bill.billId, action: 'release' })).rejects.toMatchObject({ name: 'BillNotHeld' });
    expect(bills.ledger).toHaveLength(0);
  });

  it('cancels a held bill; the next run for the period bills the account again as the next revision, and never duplicates it', async () => {
    const { deps, bills, bill, reviewDeps } = await heldBill();
    await resolveBillException(reviewDeps, billing, { billId: bill.billId, action: 'cancel', note: 'meter re-read ordered' });
    expect(bills.bills.get(`${bill.accountId}/${bill.periodStart}/${bill.billId}`)).toMatchObject({ status: 'CANCELLED', review: { action: 'cancelled' } });
    expect(bills.ledger).toHaveLength(0);
    expect(bills.audit.at(-1)).toMatchObject({ action: 'bill.cancelled', details: { note: 'meter re-read ordered' } });
    expect(await billSegment(deps, { ...input, runId: 'run-2' })).toMatchObject({ billed: 1, held: 0, skipped: 0 });
    const rebill = [...bills.bills.values()].find((b) => b.billId !== bill.billId)!;
    expect(rebill).toMatchObject({ status: 'ISSUED', revision: 2, runId: 'run-2', total: bill.total });
    expect(await billSegment(deps, { ...input, runId: 'run-3' })).toMatchObject({ billed: 0, skipped: 1 });
    expect(bills.ledger.map((entry) => entry.billId)).toEqual([rebill.billId]);
  });
});
