/** Bill exceptions: the checks that hold a bill for review instead of posting it. */
import { assertValidLimits, billExceptions, DEFAULT_BILL_EXCEPTION_LIMITS, type BillExceptionLimits } from '../../../shared/domain/bill-exceptions';
import type { Bill, BillService } from '../../../shared/domain/billing';
import { InvalidInput } from '../../../shared/domain/errors';

const service = (serviceType: BillService['serviceType'], quantity: string, subtotal: string): BillService => ({
  agreementId: `G-${serviceType}`,
  serviceType,
  servicePointId: `P1-${serviceType.toUpperCase()}`,
  premiseId: 'P1',
  ...(serviceType === 'sewer' ? {} : { meterId: `M-${serviceType}` }),
  tariffId: 'T',
  tariffName: 'T',
  periodStart: '2026-01-01',
  periodEnd: '2026-01-31',
  usage: { quantity, unit: serviceType === 'electric' ? 'kWh' : 'gal' },
  finalBill: false,
  lines: [],
  subtotal,
});

const bill = (total: string, services: BillService[] = [service('electric', '500', total)]): Bill => ({
  billId: 'B1',
  accountId: 'A1',
  customerId: 'C1',
  cycle: 'C1',
  periodStart: '2026-01-01',
  periodEnd: '2026-01-31',
  services,
  total,
  dueDate: '2026-02-22',
  finalBill: false,
  currency: 'USD',
  status: 'ISSUED',
  runId: 'run-1',
  issuedAt: '2026-02-01T08:00:00.000Z',
});

const reasons = (b: Bill, history: string[], limits: BillExceptionLimits = DEFAULT_BILL_EXCEPTION_LIMITS) => billExceptions(b, history, limits).map((e) => e.reason);

describe('billExceptions', () => {
  it.each([
    ['an ordinary bill', '100.00', ['90.00', '110.00', '100.00'], []],
    ['exactly three times the average', '300.00', ['90.00', '110.00', '100.00'], []],
    ['a cent above three times the average', '300.01', ['90.00', '110.00', '100.00'], ['high-bill']],
    ['exactly a fifth of the average', '20.00', ['90.00', '110.00', '100.00'], []],
    ['a cent below a fifth of the average', '19.99', ['90.00', '110.00', '100.00'], ['low-bill']],
    ['too little history for high or low', '900.00', ['90.00', '110.00'], []],
    ['only credits before (average not positive)', '900.00', ['-10.00', '0.00', '5.00'], []],
    ['at the hard maximum', '10000.00', [], []],
    ['above the hard maximum', '10000.01', [], ['above-maximum']],
    ['above the maximum and far above the history', '10000.01', ['100.00', '100.00', '100.00'], ['above-maximum', 'high-bill']],
  ] as const)('%s', (_name, total, history, expected) => {
    expect(reasons(bill(total), [...history])).toEqual(expected);
  });

  it('holds a metered service that used nothing, but not an unmetered one', () => {
    const services = [service('electric', '0', '12.50'), service('sewer', '0', '20.00'), service('water', '0.000', '8.00')];
    const found = billExceptions(bill('40.50', services), [], DEFAULT_BILL_EXCEPTION_LIMITS);
    expect(found.map((e) => e.reason)).toEqual(['zero-usage', 'zero-usage']);
    expect(found.map((e) => e.message)).toEqual([expect.stringContaining('G-electric'), expect.stringContaining('G-water')]);
  });

  it('uses the limits it is given', () => {
    const strict: BillExceptionLimits = { highFactor: '1.5', lowFactor: '0.9', minHistory: 1, maxTotal: '150.00' };
    expect(reasons(bill('151.00'), ['100.00'], strict)).toEqual(['above-maximum', 'high-bill']);
    expect(reasons(bill('89.99'), ['100.00'], strict)).toEqual(['low-bill']);
    expect(reasons(bill('100.00'), ['100.00'], strict)).toEqual([]);
  });

  it('holds negative usage on a metered service', () => {
    expect(billExceptions(bill('5.00', [service('electric', '-12.5', '5.00')]), [], DEFAULT_BILL_EXCEPTION_LIMITS)).toEqual([{ reason: 'negative-usage', message: expect.stringContaining('negative usage -12.5') }]);
  });

  it('holds a service without reads or history as missing-reads (not zero usage)', () => {
    const unread: BillService = { ...service('electric', '0', '12.50'), estimated: true, estimateMethod: 'none' };
    expect(reasons({ ...bill('12.50', [unread]), estimated: true }, [])).toEqual(['missing-reads']);
  });

  it('holds an estimated bill when more than the limit are estimated in a row, this one included', () => {
    const estimated = { ...bill('100.00', [{ ...service('electric', '500', '100.00'), estimated: true, estimateMethod: 'average-daily' as const }]), estimated: true };
    const history = (estimatedInARow: number) => ({ previousTotals: ['100.00', '100.00', '100.00'], estimatedInARow });
    expect(billExceptions(estimated, history(1), DEFAULT_BILL_EXCEPTION_LIMITS)).toEqual([]);
    expect(billExceptions(estimated, history(2), DEFAULT_BILL_EXCEPTION_LIMITS)).toEqual([{ reason: 'estimated-too-often', message: 'this is estimated bill 3 in a row (at most 2)' }]);
    expect(billExceptions(estimated, history(0), { ...DEFAULT_BILL_EXCEPTION_LIMITS, maxEstimatedInARow: 0 }).map((e) => e.reason)).toEqual(['estimated-too-often']);
    // A measured bill after estimated ones is not held for them.
    expect(billExceptions(bill('100.00'), history(5), DEFAULT_BILL_EXCEPTION_LIMITS)).toEqual([]);
  });

  it('names the limits that cannot be applied', () => {
    expect(() => assertValidLimits({ ...DEFAULT_BILL_EXCEPTION_LIMITS, maxEstimatedInARow: -1 })).toThrow(/maxEstimatedInARow/);
    expect(() => assertValidLimits(DEFAULT_BILL_EXCEPTION_LIMITS)).not.toThrow();
    expect(() => assertValidLimits({ ...DEFAULT_BILL_EXCEPTION_LIMITS, highFactor: '1' })).toThrow(/highFactor/);
    expect(() => assertValidLimits({ ...DEFAULT_BILL_EXCEPTION_LIMITS, lowFactor: '1.2' })).toThrow(/lowFactor/);
    expect(() => assertValidLimits({ ...DEFAULT_BILL_EXCEPTION_LIMITS, minHistory: 0 })).toThrow(/minHistory/);
    expect(() => assertValidLimits({ ...DEFAULT_BILL_EXCEPTION_LIMITS, maxTotal: 'lots' })).toThrow(InvalidInput);
  });
});
