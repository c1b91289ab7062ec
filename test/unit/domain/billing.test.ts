import { billIdFor, billMonthOf, composeBill, dueDateFor, servicePeriods, type BillService } from '../../../shared/domain/billing';
import type { Agreement } from '../../../shared/domain/customers/model';

const agreement = (agreementId: string, over: Partial<Agreement>): Agreement => ({
  agreementId,
  accountId: 'A1',
  customerId: 'C1',
  premiseId: 'P1',
  servicePointId: 'P1-ELECTRIC',
  serviceType: 'electric',
  serviceClass: 'RESIDENTIAL',
  tariffId: 'T',
  cycle: 'C1',
  status: 'ACTIVE',
  startDate: '2025-01-01',
  finalBill: false,
  createdAt: 't',
  recordVersion: 1,
  ...over,
});

describe('bills', () => {
  it.each([
    ['active for the whole period', { status: 'ACTIVE' }, '2026-01-01..2026-01-31 final=false'],
    ['active from inside the period (move-in)', { startDate: '2026-01-20' }, '2026-01-20..2026-01-31 final=false'],
    ['starting after the period', { startDate: '2026-02-01' }, 'none'],
    ['pending (no start date yet)', { status: 'PENDING', startDate: undefined }, 'none'],
    ['cancelled', { status: 'CANCELLED' }, 'none'],
    ['closed inside the period with a final bill (move-out)', { status: 'CLOSED', endDate: '2026-01-15', finalBill: true }, '2026-01-01..2026-01-15 final=true'],
    ['closed on the last day of the period', { status: 'CLOSED', endDate: '2026-01-31', finalBill: true }, '2026-01-01..2026-01-31 final=true'],
    ['closed after the period (still serving in it)', { status: 'CLOSED', endDate: '2026-02-10', finalBill: true }, '2026-01-01..2026-01-31 final=false'],
    ['closed before the period', { status: 'CLOSED', endDate: '2025-12-31', finalBill: true }, 'none'],
    ['closed the day before it started (never served)', { status: 'CLOSED', startDate: '2026-01-10', endDate: '2026-01-09', finalBill: true }, 'none'],
    ['closed inside the period without a final bill (transfer)', { status: 'CLOSED', endDate: '2026-01-05', finalBill: false }, '2026-01-01..2026-01-05 final=false'],
  ] as const)('bills an agreement %s', (_name, over, expected) => {
    const periods = servicePeriods([agreement('G1', over as Partial<Agreement>)], '2026-01-01', '2026-01-31');
    expect(periods.length ? `${periods[0]!.from}..${periods[0]!.to} final=${periods[0]!.finalBill}` : 'none').toBe(expected);
  });

  it('orders services by type, then by start', () => {
    const periods = servicePeriods([agreement('W', { serviceType: 'water' }), agreement('E2', { startDate: '2026-01-20' }), agreement('E1', { status: 'CLOSED', endDate: '2026-01-10' })], '2026-01-01', '2026-01-31');
    expect(periods.map((p) => p.agreement.agreementId)).toEqual(['E1', 'E2', 'W']);
  });

  it('counts the month most days fall in (ties: the later one), as the ratchets do', () => {
    expect(billMonthOf('2026-01-01', '2026-01-31')).toBe('2026-01');
    expect(billMonthOf('2026-01-20', '2026-02-18')).toBe('2026-02');
    expect(billMonthOf('2026-01-16', '2026-02-14')).toBe('2026-01'); // 16 + 14 days
    expect(billMonthOf('2025-12-16', '2026-01-15')).toBe('2025-12'); // 16 + 15
    expect(billMonthOf('2025-12-17', '2026-01-15')).toBe('2026-01'); // 15 + 15: the later month
  });

  it('dates the due date from the issue date in the utility zone', () => {
    expect(dueDateFor('2026-02-01T08:00:00Z', 'America/Denver')).toBe('2026-02-22');
    expect(dueDateFor('2026-02-01T03:00:00Z', 'America/Denver')).toBe('2026-02-21'); // still January 31 in Denver
    expect(dueDateFor('2026-02-01T03:00:00Z', 'UTC', 0)).toBe('2026-02-01');
    expect(() => dueDateFor('2026-02-01T03:00:00Z', 'UTC', -1)).toThrow('due days');
  });

  it('composes one bill: the exact sum of the services, final when one service is', () => {
    const service = (subtotal: string, finalBill = false): BillService => ({ agreementId: 'G', serviceType: 'water', servicePointId: 'S', premiseId: 'P', tariffId: 'T', tariffName: 'T', periodStart: '2026-01-01', periodEnd: '2026-01-31', usage: { quantity: '1', unit: 'gal' }, finalBill, lines: [], subtotal });
    const base = { account: { accountId: 'A1', customerId: 'C1' }, cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', runId: 'r', issuedAt: 't', dueDate: '2026-02-22' };
    expect(composeBill({ ...base, services: [service('0.10'), service('0.20')] })).toMatchObject({ total: '0.30', finalBill: false, billId: billIdFor('A1', 'C1', '2026-01-01', '2026-01-31') });
    expect(composeBill({ ...base, services: [service('10.005'), service('1.10', true)] })).toMatchObject({ total: '11.105', finalBill: true });
    expect(() => composeBill({ ...base, services: [] })).toThrow(expect.objectContaining({ reason: 'no-agreements' }));
  });
});
