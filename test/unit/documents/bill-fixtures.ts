/** Bills, ledger entries and a customer for the bill document tests: an electric account billed monthly. */
import type { Bill, BillService } from '../../../shared/domain/billing';
import type { BillDocumentInput } from '../../../shared/domain/bill-document';
import { ledgerEntryForBill, paymentEntry, type LedgerEntry } from '../../../shared/domain/ledger';
import { formatMoney, Money } from '../../../shared/domain/money';

export const ADDRESS = { line1: '12 Elm St', city: 'Springfield', state: 'PA', zip: '17001' };
export const UTILITY = { name: 'Springfield Municipal Utilities', addressLines: ['100 Main St', 'Springfield, PA 17001'], phone: '(555) 010-0100', website: 'utility.example.org' };

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export function service(overrides: Partial<BillService> & { periodStart: string; periodEnd: string; quantity: string }): BillService {
  const energy = new Money(overrides.quantity).times('0.1234').toDecimalPlaces(2);
  const subtotal = formatMoney(energy.plus(12));
  return {
    agreementId: 'AG1',
    serviceType: 'electric',
    servicePointId: 'SP1',
    premiseId: 'P1',
    meterId: 'M1',
    tariffId: 'ELEC-RES',
    tariffName: 'Residential',
    usage: { quantity: overrides.quantity, unit: 'kWh' },
    finalBill: false,
    lines: [
      { description: 'Customer charge', quantity: '1', unit: 'month', rate: '12.00', amount: '12.00', periodStart: overrides.periodStart, periodEnd: overrides.periodEnd, category: 'fixed' },
      { description: 'Energy', quantity: overrides.quantity, unit: 'kWh', rate: '0.1234', amount: formatMoney(energy), periodStart: overrides.periodStart, periodEnd: overrides.periodEnd, category: 'energy' },
    ],
    subtotal,
    ...overrides,
  };
}

/** One bill per month: `months` like ['2025-01', ...], usage from `quantities`. */
export function monthlyBills(months: readonly string[], quantities: readonly string[]): Bill[] {
  return months.map((month, i) => {
    const periodStart = `${month}-01`;
    const periodEnd = lastDay(month);
    const svc = service({ periodStart, periodEnd, quantity: quantities[i]! });
    return {
      billId: `B-${month}`,
      accountId: 'A100',
      customerId: 'C1',
      cycle: 'C01',
      periodStart,
      periodEnd,
      services: [svc],
      total: svc.subtotal,
      dueDate: `${month}-28`,
      finalBill: false,
      currency: 'USD',
      status: 'ISSUED',
      runId: 'run',
      issuedAt: `${periodEnd}T16:00:00.000Z`,
    };
  });
}

export function billEntries(bills: readonly Bill[]): LedgerEntry[] {
  return bills.map((bill) => ledgerEntryForBill(bill, bill.issuedAt));
}

export function payment(id: string, amount: string, postedAt: string): LedgerEntry {
  return paymentEntry({ accountId: 'A100', paymentId: id, amount: new Money(amount), allocations: [{ service: 'electric', amount }], postedAt, description: 'Payment', actor: 'test' });
}

export function documentInput(bill: Bill, bills: readonly Bill[], entries: readonly LedgerEntry[]): BillDocumentInput {
  return { bill, bills, entries, customer: { name: 'Dana Rivera', mailingAddress: ADDRESS }, premises: new Map([['P1', ADDRESS]]), utility: UTILITY, timeZone: 'America/New_York' };
}
