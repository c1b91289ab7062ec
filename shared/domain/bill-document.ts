/**
 * A bill document: what the printed bill and its HTML view show, computed once from the bill, the
 * account's earlier bills, its ledger entries and the customer record. Both renderers draw this
 * model and nothing else, so the PDF and the HTML view never disagree on an amount.
 *
 * The account summary is the usual utility layout: previous balance (what the last bill said was
 * due), payments and credits since then, other charges (fees, adjustments, transfers), the
 * balance forward, this bill's current charges, and the total amount due. All of it comes from
 * the ledger's receivable postings, so it always matches the account's balance when the bill was
 * posted.
 */
import type { Decimal } from 'decimal.js';
import type { Bill } from './billing';
import type { Arrangement } from './arrangements';
import type { LedgerEntry } from './ledger';
import { formatMoney, Money, sumAmounts } from './money';
import type { PostalAddress } from './customers/model';

export interface UtilityProfile {
  name: string;
  /** Office or mailing address lines of the utility. */
  addressLines: string[];
  phone: string;
  website?: string;
  /** Where mailed payments go (the remittance stub's address); defaults to addressLines. */
  remitToLines?: string[];
  /** Messages printed on every bill (outage line, office hours, ...). */
  messages?: string[];
}

export interface DocumentLine {
  description: string;
  quantity: string;
  unit: string;
  rate: string;
  amount: string;
}

export interface UsagePoint {
  /** The bill period's label: the month most of it falls in, e.g. "2026-03". */
  label: string;
  quantity: string;
  /** True for the bill this document is for. */
  current: boolean;
}

export interface DocumentService {
  serviceType: string;
  title: string;
  tariffName: string;
  meterId?: string;
  serviceAddress?: string;
  periodStart: string;
  periodEnd: string;
  days: number;
  usage: { quantity: string; unit: string };
  finalBill: boolean;
  lines: DocumentLine[];
  subtotal: string;
  /** Usage of this service on this and up to 12 earlier bills, oldest first. */
  history: UsagePoint[];
  /** Usage per day of this period compared with the same period a year earlier, when billed then. */
  lastYear?: { quantity: string; periodStart: string; periodEnd: string };
}

export interface AccountSummary {
  previousBalance: string;
  paymentsAndCredits: string;
  otherCharges: string;
  /** The other charges one by one (late fees, deposits, adjustments, transfers, fees). */
  otherChargeLines: Array<{ description: string; postedOn: string; amount: string }>;
  balanceForward: string;
  currentCharges: string;
  totalDue: string;
}

export interface BillDocument {
  utility: UtilityProfile;
  billId: string;
  accountId: string;
  customerName: string;
  mailingAddress: string[];
  issueDate: string;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  finalBill: boolean;
  summary: AccountSummary;
  services: DocumentService[];
  messages: string[];
  remittance: {
    accountId: string;
    customerName: string;
    amountDue: string;
    dueDate: string;
    remitTo: string[];
    /** Account, amount due in cents and a Luhn check digit, for the lockbox's scanner. */
    scanLine: string;
  };
}

export interface BillDocumentInput {
  bill: Bill;
  /** Bills of the account (any order; may include this one and later ones). */
  bills: readonly Bill[];
  /** Every ledger entry of the account (any order). */
  entries: readonly LedgerEntry[];
  customer: { name: string; mailingAddress?: PostalAddress | undefined };
  /** Service addresses by premise id. */
  premises: ReadonlyMap<string, PostalAddress>;
  /** The account's payment arrangements (an ACTIVE one's next installments are printed). */
  arrangements?: readonly Pick<Arrangement, 'status' | 'installments'>[];
  utility: UtilityProfile;
  timeZone: string;
}

const SERVICE_TITLES: Record<string, string> = {
  water: 'Water',
  electric: 'Electric',
  gas: 'Natural gas',
  sewer: 'Sewer',
  stormwater: 'Stormwater',
};

const HISTORY_BILLS = 13;

export function formatAddress(address: PostalAddress): string[] {
  return [address.line1, ...(address.line2 ? [address.line2] : []), `${address.city}, ${address.state} ${address.zip}`];
}

/** The signed receivable effect of an entry: debits raise what the customer owes, credits lower it. */
function receivableEffect(entry: LedgerEntry): Decimal {
  return sumAmounts(
    entry.postings.filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE').map((p) => (p.side === 'debit' ? new Money(p.amount) : new Money(p.amount).negated())),
  );
}

function byPostedAt(a: LedgerEntry, b: LedgerEntry): number {
  return a.postedAt < b.postedAt ? -1 : a.postedAt > b.postedAt ? 1 : a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0;
}

/**
 * Previous balance, payments and other charges between the previous bill's entry and this one's,
 * from the account's ledger. Entries posted after this bill do not show.
 */
export function accountSummary(bill: Pick<Bill, 'billId' | 'total'>, previousBillId: string | undefined, entries: readonly LedgerEntry[]): AccountSummary {
  const sorted = [...entries].sort(byPostedAt);
  const thisIndex = sorted.findIndex((e) => e.kind === 'BILL' && e.billId === bill.billId);
  const upTo = thisIndex === -1 ? sorted : sorted.slice(0, thisIndex);
  const previousIndex = previousBillId === undefined ? -1 : upTo.findIndex((e) => e.kind === 'BILL' && e.billId === previousBillId);
  const before = previousIndex === -1 ? [] : upTo.slice(0, previousIndex + 1);
  const between = previousIndex === -1 ? upTo : upTo.slice(previousIndex + 1);
  const previousBalance = sumAmounts(before.map(receivableEffect));
  let credits = new Money(0);
  let charges = new Money(0);
  const otherChargeLines: AccountSummary['otherChargeLines'] = [];
  for (const entry of between) {
    const effect = receivableEffect(entry);
    if (effect.isNegative()) credits = credits.plus(effect.negated());
    else if (effect.greaterThan(0)) {
      charges = charges.plus(effect);
      otherChargeLines.push({ description: entry.description, postedOn: entry.postedAt.slice(0, 10), amount: formatMoney(effect) });
    }
  }
  const balanceForward = previousBalance.minus(credits).plus(charges);
  const current = thisIndex === -1 ? new Money(bill.total) : receivableEffect(sorted[thisIndex]!);
  return {
    previousBalance: formatMoney(previousBalance),
    paymentsAndCredits: formatMoney(credits),
    otherCharges: formatMoney(charges),
    otherChargeLines,
    balanceForward: formatMoney(balanceForward),
    currentCharges: formatMoney(current),
    totalDue: formatMoney(balanceForward.plus(current)),
  };
}

/** The month (YYYY-MM) most days of a period fall in. */
function monthLabel(periodStart: string, periodEnd: string): string {
  const start = Date.parse(`${periodStart}T00:00:00Z`);
  const end = Date.parse(`${periodEnd}T00:00:00Z`);
  const middle = new Date(start + (end - start) / 2);
  return middle.toISOString().slice(0, 7);
}

function days(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The Luhn check digit of a string of digits. */
export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The stub's scan line: the account id, the amount due in cents (10 digits) and a check digit over the digits. */
export function scanLine(accountId: string, amountDue: string): string {
  const cents = new Money(amountDue).isNegative() ? '0' : new Money(amountDue).times(100).toFixed(0);
  const padded = cents.padStart(10, '0');
  const digits = `${accountId.replace(/\D/g, '')}${padded}`;
  return `${accountId} ${padded} ${luhnDigit(digits)}`;
}

function localDay(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

export function composeBillDocument(input: BillDocumentInput): BillDocument {
  const { bill } = input;
  const earlier = input.bills
    .filter((b) => b.billId !== bill.billId && b.periodStart < bill.periodStart && b.status === 'ISSUED')
    .sort((a, b) => (a.periodStart < b.periodStart ? -1 : 1));
  const previous = earlier[earlier.length - 1];
  const summary = accountSummary(bill, previous?.billId, input.entries);

  const services: DocumentService[] = bill.services.map((service) => {
    const sameService = earlier.flatMap((b) => b.services.filter((s) => s.agreementId === service.agreementId || (s.serviceType === service.serviceType && s.servicePointId === service.servicePointId)).map((s) => ({ bill: b, s })));
    const history: UsagePoint[] = [
      ...sameService.slice(-(HISTORY_BILLS - 1)).map(({ s }) => ({ label: monthLabel(s.periodStart, s.periodEnd), quantity: s.usage.quantity, current: false })),
      { label: monthLabel(service.periodStart, service.periodEnd), quantity: service.usage.quantity, current: true },
    ];
    const thisMonth = monthLabel(service.periodStart, service.periodEnd);
    const lastYearLabel = `${Number(thisMonth.slice(0, 4)) - 1}${thisMonth.slice(4)}`;
    const lastYear = sameService.find(({ s }) => monthLabel(s.periodStart, s.periodEnd) === lastYearLabel)?.s;
    const premise = input.premises.get(service.premiseId);
    return {
      serviceType: service.serviceType,
      title: SERVICE_TITLES[service.serviceType] ?? service.serviceType,
      tariffName: service.tariffName,
      ...(service.meterId ? { meterId: service.meterId } : {}),
      ...(premise ? { serviceAddress: formatAddress(premise).join(', ') } : {}),
      periodStart: service.periodStart,
      periodEnd: service.periodEnd,
      days: days(service.periodStart, service.periodEnd),
      usage: service.usage,
      finalBill: service.finalBill,
      lines: service.lines.map((line) => ({ description: line.description, quantity: line.quantity, unit: line.unit, rate: line.rate, amount: line.amount })),
      subtotal: service.subtotal,
      history,
      ...(lastYear ? { lastYear: { quantity: lastYear.usage.quantity, periodStart: lastYear.periodStart, periodEnd: lastYear.periodEnd } } : {}),
    };
  });

  const messages: string[] = bill.replaces ? [bill.replaces.message] : [];
  const totalDue = new Money(summary.totalDue);
  const forward = new Money(summary.balanceForward);
  if (bill.finalBill) messages.push('This is a final bill for the service(s) marked final. Please pay the amount due by the due date; any credit will be refunded.');
  if (forward.greaterThan(0)) messages.push(`Your account has a balance of $${summary.balanceForward} from before this bill. Please pay it now to avoid late fees and collection action.`);
  if (totalDue.isNegative()) messages.push(`Your account has a credit of $${formatMoney(totalDue.negated())}. Nothing is due; the credit applies to your next bill.`);
  for (const service of services) {
    if (service.lastYear) {
      const now = new Money(service.usage.quantity).dividedBy(service.days);
      const then = new Money(service.lastYear.quantity).dividedBy(days(service.lastYear.periodStart, service.lastYear.periodEnd));
      if (then.greaterThan(0)) {
        const change = now.minus(then).dividedBy(then).times(100).toDecimalPlaces(0);
        messages.push(`${service.title}: you used ${change.abs().toString()}% ${change.isNegative() ? 'less' : 'more'} per day than in the same period last year.`);
      }
    }
  }
  const arrangement = (input.arrangements ?? []).find((a) => a.status === 'ACTIVE');
  if (arrangement) {
    const issueDay = localDay(bill.issuedAt, input.timeZone);
    const next = arrangement.installments.filter((installment) => installment.dueDate >= issueDay).sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1))[0];
    if (next) {
      messages.push(`Payment arrangement: your next installment of $${next.amount} is due on ${next.dueDate}. The amounts under the arrangement are not past due while you keep to it; pay this bill's current charges by ${bill.dueDate} as well.`);
    }
  }
  messages.push(...(input.utility.messages ?? []));

  const mailing = input.customer.mailingAddress ?? [...input.premises.values()][0];
  const amountDue = totalDue.isNegative() ? '0.00' : summary.totalDue;
  return {
    utility: input.utility,
    billId: bill.billId,
    accountId: bill.accountId,
    customerName: input.customer.name,
    mailingAddress: mailing ? formatAddress(mailing) : [],
    issueDate: localDay(bill.issuedAt, input.timeZone),
    periodStart: bill.periodStart,
    periodEnd: bill.periodEnd,
    dueDate: bill.dueDate,
    finalBill: bill.finalBill,
    summary,
    services,
    messages,
    remittance: {
      accountId: bill.accountId,
      customerName: input.customer.name,
      amountDue,
      dueDate: bill.dueDate,
      remitTo: input.utility.remitToLines ?? input.utility.addressLines,
      scanLine: scanLine(bill.accountId, amountDue),
    },
  };
}
