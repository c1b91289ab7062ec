import { accountSummary, composeBillDocument, luhnDigit, scanLine } from '../../../shared/domain/bill-document';
import { adjustmentEntry } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';
import { billEntries, documentInput, monthlyBills, payment } from './bill-fixtures';

const MONTHS = ['2025-01', '2025-02', '2025-03'];

describe('account summary from the ledger', () => {
  const bills = monthlyBills(MONTHS, ['500', '600', '700']);
  const [jan, feb, mar] = bills as [(typeof bills)[0], (typeof bills)[0], (typeof bills)[0]];

  it('shows the previous balance, payments and other charges since the last bill, and the total due', () => {
    const entries = [
      ...billEntries(bills),
      payment('P1', '50.00', '2025-02-10T12:00:00Z'),
      payment('P2', '24.00', '2025-03-05T12:00:00Z'),
      adjustmentEntry({ accountId: 'A100', adjustmentId: 'ADJ1', amount: new Money('3.10'), direction: 'debit', postedAt: '2025-03-06T12:00:00Z', description: 'Meter test fee', actor: 'x' }),
    ];
    // Jan 73.70, Feb 86.04, Mar 98.38 (12.00 + usage x 0.1234, rounded per line).
    const summary = accountSummary(mar, feb.billId, entries);
    expect(summary).toEqual({
      previousBalance: '109.74', // 73.70 + 86.04 - 50.00 (paid before February's bill)
      paymentsAndCredits: '24.00',
      otherCharges: '3.10',
      otherChargeLines: [{ description: 'Meter test fee', postedOn: '2025-03-06', amount: '3.10' }],
      balanceForward: '88.84',
      currentCharges: '98.38',
      totalDue: '187.22',
    });
    expect(jan.total).toBe('73.70');
  });

  it('ignores entries posted after the bill, and counts everything before a first bill as since-the-last-bill', () => {
    const entries = [payment('P0', '10.00', '2024-12-20T12:00:00Z'), ...billEntries(bills), payment('P9', '500.00', '2025-04-15T12:00:00Z')];
    expect(accountSummary(jan, undefined, entries)).toEqual({ previousBalance: '0.00', paymentsAndCredits: '10.00', otherCharges: '0.00', otherChargeLines: [], balanceForward: '-10.00', currentCharges: '73.70', totalDue: '63.70' });
    expect(accountSummary(feb, jan.billId, entries).totalDue).toBe('149.74');
  });
});

describe('composeBillDocument', () => {
  const months = Array.from({ length: 16 }, (_, i) => `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  const quantities = months.map((_, i) => String(400 + i * 10));
  const bills = monthlyBills(months, quantities);
  const last = bills[bills.length - 1]!;

  it('keeps 13 bills of usage history, oldest first, this one last and marked', () => {
    const doc = composeBillDocument(documentInput(last, [...bills].reverse(), billEntries(bills)));
    const history = doc.services[0]!.history;
    expect(history).toHaveLength(13);
    expect(history[0]).toEqual({ label: '2024-04', quantity: '430', current: false });
    expect(history[12]).toEqual({ label: '2025-04', quantity: '550', current: true });
    expect(history.filter((p) => p.current)).toHaveLength(1);
  });

  it('compares usage per day with the same period last year', () => {
    const doc = composeBillDocument(documentInput(last, bills, billEntries(bills)));
    // April 2025: 550 kWh / 30 days against April 2024: 430 / 30 -> 28% more.
    expect(doc.services[0]!.lastYear).toEqual({ quantity: '430', periodStart: '2024-04-01', periodEnd: '2024-04-30' });
    expect(doc.messages).toContain('Electric: you used 28% more per day than in the same period last year.');
  });

  it('leaves out later, held and cancelled bills', () => {
    const heldLike = bills.map((b, i) => (i === 13 ? { ...b, status: 'HELD' as unknown as 'ISSUED' } : b));
    const doc = composeBillDocument(documentInput(bills[14]!, heldLike, billEntries(bills)));
    const labels = doc.services[0]!.history.map((p) => p.label);
    expect(labels).not.toContain('2025-02');
    expect(labels).not.toContain('2025-04');
    expect(labels[labels.length - 1]).toBe('2025-03');
  });

  it('says when the balance forward is unpaid, when it is a final bill, and shows a credit as nothing due', () => {
    const two = monthlyBills(['2025-01', '2025-02'], ['500', '600']);
    const owing = composeBillDocument(documentInput({ ...two[1]!, finalBill: true }, two, billEntries(two)));
    expect(owing.messages[0]).toMatch(/^This is a final bill/);
    expect(owing.messages[1]).toBe('Your account has a balance of $73.70 from before this bill. Please pay it now to avoid late fees and collection action.');
    expect(owing.remittance.amountDue).toBe('159.74');

    const credit = composeBillDocument(documentInput(two[1]!, two, [...billEntries(two), payment('P1', '300.00', '2025-02-10T00:00:00Z')]));
    expect(credit.summary.totalDue).toBe('-140.26');
    expect(credit.remittance.amountDue).toBe('0.00');
    expect(credit.messages).toContain('Your account has a credit of $140.26. Nothing is due; the credit applies to your next bill.');
    expect(credit.remittance.scanLine).toBe(scanLine('A100', '0.00'));
  });

  it('prints the bill date in the utility time zone and the customer mailing address', () => {
    const one = monthlyBills(['2025-01'], ['500']);
    const bill = { ...one[0]!, issuedAt: '2025-02-01T03:00:00.000Z' };
    const doc = composeBillDocument(documentInput(bill, [bill], billEntries([bill])));
    expect(doc.issueDate).toBe('2025-01-31');
    expect(doc.mailingAddress).toEqual(['12 Elm St', 'Springfield, PA 17001']);
    expect(doc.services[0]!.serviceAddress).toBe('12 Elm St, Springfield, PA 17001');
  });
});

describe('payment arrangement', () => {
  it("prints an active arrangement's next installment", () => {
    const two = monthlyBills(['2025-01', '2025-02'], ['500', '600']);
    const installments = [
      { number: 1, dueDate: '2025-02-15', amount: '30.00' },
      { number: 2, dueDate: '2025-03-15', amount: '43.70' },
    ];
    const doc = composeBillDocument({ ...documentInput(two[1]!, two, billEntries(two)), arrangements: [{ status: 'ACTIVE', installments }] });
    expect(doc.messages).toContain('Payment arrangement: your next installment of $43.70 is due on 2025-03-15. The amounts under the arrangement are not past due while you keep to it; pay this bill\'s current charges by 2025-02-28 as well.');
    const broken = composeBillDocument({ ...documentInput(two[1]!, two, billEntries(two)), arrangements: [{ status: 'BROKEN', installments }] });
    expect(broken.messages.some((m) => m.startsWith('Payment arrangement'))).toBe(false);
  });
});

describe('scan line', () => {
  it('uses the Luhn check digit', () => {
    expect(luhnDigit('7992739871')).toBe(3);
    expect(luhnDigit('0')).toBe(0);
  });

  it('holds the account, the amount due in cents and a check digit over both', () => {
    expect(scanLine('A100', '159.74')).toBe(`A100 0000015974 ${luhnDigit('1000000015974')}`);
  });
});
