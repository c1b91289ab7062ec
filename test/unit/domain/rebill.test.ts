import type { Bill, BillService } from '../../../shared/domain/billing';
import { billCorrections, correctionMessage } from '../../../shared/domain/rebill';

const line = (description: string, quantity: string, rate: string, amount: string) => ({ description, quantity, unit: 'kWh', rate, amount, periodStart: '2026-01-01', periodEnd: '2026-01-31', category: 'energy' });
const service = (agreementId: string, quantity: string, lines: BillService['lines'], subtotal: string): BillService => ({
  agreementId,
  serviceType: agreementId === 'G1' ? 'electric' : 'water',
  servicePointId: 'SP',
  premiseId: 'P',
  tariffId: 'T',
  tariffName: 'T',
  periodStart: '2026-01-01',
  periodEnd: '2026-01-31',
  usage: { quantity, unit: agreementId === 'G1' ? 'kWh' : 'gal' },
  finalBill: false,
  lines,
  subtotal,
});

const original = {
  billId: 'B1',
  issuedAt: '2026-02-01T15:00:00.000Z',
  total: '70.00',
  services: [service('G1', '500', [line('Customer charge', '1', '10.00', '10.00'), line('Energy', '500', '0.12', '60.00')], '70.00')],
} as Pick<Bill, 'billId' | 'issuedAt' | 'total' | 'services'>;

describe('billCorrections', () => {
  it('names the usage, the changed line and the total', () => {
    const corrected = { total: '58.00', services: [service('G1', '400', [line('Customer charge', '1', '10.00', '10.00'), line('Energy', '400', '0.12', '48.00')], '58.00')] };
    expect(billCorrections(original, corrected)).toEqual([
      { agreementId: 'G1', serviceType: 'electric', what: 'usage', description: 'electric usage', before: '500 kWh', after: '400 kWh' },
      { agreementId: 'G1', serviceType: 'electric', what: 'line', description: 'Energy', before: '500 x 0.12 = 60.00', after: '400 x 0.12 = 48.00' },
      { what: 'total', description: 'bill total', before: '70.00', after: '58.00' },
    ]);
  });

  it('lists added and removed lines and services', () => {
    const corrected = { total: '85.00', services: [service('G1', '500', [line('Energy', '500', '0.12', '60.00'), line('Storm recovery', '500', '0.01', '5.00')], '65.00'), service('W1', '3000', [line('Water', '3000', '0.0066', '20.00')], '20.00')] };
    expect(billCorrections(original, corrected).map((c) => [c.what, c.description])).toEqual([
      ['line-added', 'Storm recovery'],
      ['line-removed', 'Customer charge'],
      ['service-added', 'water service added'],
      ['total', 'bill total'],
    ]);
    expect(billCorrections(corrected, original).map((c) => c.what)).toEqual(['line-added', 'line-removed', 'service-removed', 'total']);
  });

  it('finds nothing when nothing changed', () => {
    expect(billCorrections(original, original)).toEqual([]);
  });
});

describe('correctionMessage', () => {
  it('says which bill it replaces, why, the usage corrected and the difference', () => {
    const corrected = { total: '58.00', services: [service('G1', '400', [line('Energy', '400', '0.12', '48.00')], '48.00')] };
    expect(correctionMessage(original, corrected, billCorrections(original, corrected), 'meter read corrected')).toBe(
      'This bill replaces bill B1 issued 2026-02-01 (meter read corrected). Corrected: electric usage 500 kWh -> 400 kWh. The total changes from $70.00 to $58.00 (a credit of $12.00).',
    );
    expect(correctionMessage(original, { total: '70.00' }, [], 'tariff corrected')).toBe('This bill replaces bill B1 issued 2026-02-01 (tariff corrected). The total is unchanged.');
    expect(correctionMessage(original, { total: '75.50' }, [], 'tariff corrected')).toMatch(/an additional \$5\.50\)\.$/);
  });
});
