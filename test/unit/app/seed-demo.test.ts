import { buildDemoItems, demoTariffs } from '../../../shared/app/seed-demo';
import { agreementFromItem } from '../../../shared/adapters/customer-record-items';
import { accountFromItem } from '../../../shared/adapters/account-store';
import { dayReadsFromItem } from '../../../shared/adapters/read-store';
import { tariffFromItems } from '../../../shared/adapters/tariff-store';
import { dayTotal } from '../../../shared/domain/reads';
import { SHARD_COUNT } from '../../../shared/domain/segments';

describe('demo seed', () => {
  const now = new Date('2026-01-10T12:34:56Z');

  it('builds tariffs, customers, premises, service points, accounts, agreements, meters and packed days of hourly reads', () => {
    const { items, summary } = buildDemoItems({ accounts: 12, now, timeZone: 'America/Denver' });
    expect(summary).toMatchObject({ customers: 12, accounts: 12, meters: 12, tariffs: 2, premises: 12, agreements: 12, sampleCustomerId: 'C0001', sampleAccountId: 'A0001', sampleMeterId: 'M0001' });
    const byType = (type: string) => items.filter((item) => item['type'] === type);
    const tariffs = demoTariffs('America/Denver');
    for (const tariff of tariffs) expect(tariffFromItems(items.filter((item) => item['PK'] === `TARIFF#${tariff.tariffId}`))).toEqual({ doc: tariff, revision: 1 });
    expect(tariffs.map((t) => `${t.tariffId}:${t.unit}:${t.versions[0]!.charges.map((c) => c.kind).join(',')}`)).toEqual(['ELEC-RES:kWh:fixed,energy,energy,rider,tax', 'WATER-RES:gal:fixed,energy,fixed,energy']);
    const agreements = byType('AGREEMENT').map(agreementFromItem);
    expect(agreements).toHaveLength(12);
    expect(agreements[3]).toMatchObject({ agreementId: 'G0004', accountId: 'A0004', serviceType: 'water', tariffId: 'WATER-RES', meterId: 'M0004', status: 'ACTIVE', startDate: '2025-01-10', premiseId: 'P0004', servicePointId: 'P0004-WATER' });
    expect(byType('PREMISE')).toHaveLength(12);
    expect(byType('SERVICE_POINT')).toHaveLength(12);
    expect(byType('METER').find((m) => m['meterId'] === 'M0004')).toMatchObject({ size: '5/8in', unit: 'gal', servicePointId: 'P0004-WATER' });
    const accounts = byType('ACCOUNT').map(accountFromItem);
    expect(accounts.map((a) => a.accountId)).toEqual(Array.from({ length: 12 }, (_, i) => `A${String(i + 1).padStart(4, '0')}`));
    expect(accounts.filter((a) => a.tariffId === 'WATER-RES').map((a) => a.accountId)).toEqual(['A0004', 'A0008', 'A0012']);
    expect(accounts.every((a) => a.shard >= 0 && a.shard < SHARD_COUNT && a.cycle === 'C1')).toBe(true);
    expect(byType('CUSTOMER')).toHaveLength(12);
    expect(byType('CUSTOMER_ACCOUNT')).toHaveLength(12);
    expect(byType('METER')).toHaveLength(12);

    const days = byType('READS_DAY').map(dayReadsFromItem).filter((d) => d.meterId === 'M0001');
    const intervals = days.flatMap((d) => Object.keys(d.intervals).map(Number)).sort((a, b) => a - b);
    expect(intervals).toHaveLength(48);
    expect(intervals.at(-1)! + 3600).toBeLessThanOrEqual(now.getTime() / 1000);
    expect(days.map((d) => d.day)).toEqual(['2026-01-08', '2026-01-09', '2026-01-10']);
    expect(days.every((d) => dayTotal(d) > 0 && d.unit === 'kWh')).toBe(true);
    expect(items.every((item) => Object.values(item).every((value) => value !== undefined))).toBe(true);
  });

  it('gives A0001 and A0004 a year of hourly reads with a high-usage day, its alert and an estimated morning', () => {
    const { items, summary } = buildDemoItems({ accounts: 6, now, timeZone: 'America/Denver', usageDays: 400 });
    const days = items.filter((item) => item['type'] === 'READS_DAY').map(dayReadsFromItem);
    const daysOf = (meterId: string) => days.filter((d) => d.meterId === meterId).sort((a, b) => a.day.localeCompare(b.day));
    for (const meterId of ['M0001', 'M0004']) {
      const meterDays = daysOf(meterId);
      expect(meterDays.length).toBeGreaterThanOrEqual(400);
      expect(meterDays[0]!.day <= '2024-12-07').toBe(true);
      expect(meterDays.at(-1)!.day).toBe('2026-01-10');
    }
    // The others keep their two days.
    expect(daysOf('M0002').map((d) => d.day)).toEqual(['2026-01-08', '2026-01-09', '2026-01-10']);
    const alerts = items.filter((item) => item['type'] === 'USAGE_ALERT');
    expect(summary.alerts).toBe(2);
    expect(alerts.map((a) => [a['accountId'], a['day'], a['unit']])).toEqual([
      ['A0001', '2026-01-07', 'kWh'],
      ['A0004', '2026-01-07', 'gal'],
    ]);
    for (const alert of alerts) {
      const day = daysOf(String(alert['meterId'])).find((d) => d.day === '2026-01-07')!;
      expect(alert['totalMicro']).toBe(dayTotal(day));
      expect(Number(alert['totalMicro'])).toBeGreaterThan(Number(alert['thresholdMicro']));
    }
    // No other day of the history passes the threshold (the alert marks one day only).
    expect(daysOf('M0001').filter((d) => dayTotal(d) > 100_000_000).map((d) => d.day)).toEqual(['2026-01-07']);
    const estimated = daysOf('M0001').find((d) => d.day === '2025-12-21')!;
    expect(Object.values(estimated.intervals).filter(([, , quality]) => quality === 'E')).toHaveLength(4);
    expect(days.filter((d) => d.day !== '2025-12-21').every((d) => Object.values(d.intervals).every(([, , quality]) => quality === 'A'))).toBe(true);
    expect(new Set(items.map((item) => `${String(item['PK'])}|${String(item['SK'])}`)).size).toBe(items.length);
  });

  it('builds 1000 accounts as a few thousand items (packed reads)', () => {
    const { items, summary } = buildDemoItems({ accounts: 1000, now, timeZone: 'America/Denver' });
    expect(summary.sampleAccountId).toBe('A0001');
    expect(items.length).toBeLessThan(1000 * 30);
    expect(new Set(items.map((item) => `${String(item['PK'])}|${String(item['SK'])}`)).size).toBe(items.length);
  });

  it('widens ids past 9999 accounts', () => {
    const { summary } = buildDemoItems({ accounts: 10_000, now, timeZone: 'UTC' });
    expect(summary.sampleAccountId).toBe('A00001');
  });
});
