/**
 * The accounts-receivable ledger: every financial effect is one immutable, balanced entry with an
 * idempotency key. A correction is a reversing entry, never an edit. Receivable postings carry
 * the service they belong to (water, electric, ...; none = the account as a whole), so balances
 * per service and aging come out of the entries alone.
 */
import { createHash } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import type { Bill } from './billing';
import { addDays, daysInclusive } from './calendar';
import { InvalidInput, RuleViolation } from './errors';
import { formatMoney, Money, sumAmounts } from './money';
import { isUnit, serviceTypeOfUnit } from './units';

export const LEDGER_ACCOUNTS = [
  'ACCOUNTS_RECEIVABLE',
  'REVENUE',
  'CASH',
  'FEE_REVENUE',
  'REFUNDS_PAYABLE',
  'ADJUSTMENTS',
  'CONVERSION_CLEARING',
  /** Customer deposits (a liability): credited when a deposit is billed and by its interest, debited by its refund. */
  'DEPOSITS_HELD',
  /** Interest the utility owes on deposits it holds. */
  'DEPOSIT_INTEREST_EXPENSE',
  /** Budget billing: what billed usage exceeds (debit) or falls short of (credit) the levelized amounts, until the true-up. */
  'DEFERRED_BALANCE',
  /** Balance transfers between accounts: each transfer's pair of entries nets it to zero. */
  'TRANSFER_CLEARING',
] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

export const ENTRY_KINDS = ['BILL', 'PAYMENT', 'PAYMENT_RETURN', 'FEE', 'ADJUSTMENT', 'REVERSAL', 'REFUND', 'TRANSFER', 'OPENING_BALANCE', 'DEPOSIT', 'DEPOSIT_INTEREST', 'DEPOSIT_REFUND', 'BUDGET', 'BUDGET_TRUE_UP'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Receivable debits of these kinds are charges that fall due (and age); other debits only undo credits. */
export const CHARGE_KINDS: ReadonlySet<EntryKind> = new Set(['BILL', 'FEE', 'ADJUSTMENT', 'TRANSFER', 'OPENING_BALANCE', 'DEPOSIT', 'BUDGET', 'BUDGET_TRUE_UP']);

/** The service of receivable postings that belong to no single service (overpayment credits, fees). */
export const ACCOUNT_LEVEL = 'account';

/** Days from a bill's issue to its due date when the bill does not say. */
export const DEFAULT_DUE_DAYS = 21;

export interface Posting {
  ledgerAccount: LedgerAccount;
  side: 'debit' | 'credit';
  /** Decimal string, two decimals, never negative. */
  amount: string;
  /** Receivable postings: the service (water, electric, ...); absent = the account as a whole. */
  service?: string;
  /**
   * Receivable credits: the charge (entry id) this credit pays first, before it joins the
   * service's credits (a budget credit lowers its own bill; a deposit refund cancels the unpaid
   * part of its deposit).
   */
  appliesTo?: string;
}

export interface LedgerEntry {
  entryId: string;
  accountId: string;
  postedAt: string;
  kind: EntryKind;
  /** The business key that may be posted at most once per account (the bill id for a bill). */
  idempotencyKey: string;
  description: string;
  postings: Posting[];
  /** Charges: the day the receivable debit falls due (YYYY-MM-DD). */
  dueDate?: string;
  /** Reversing entries: the entry they reverse. */
  reverses?: string;
  billId?: string;
  paymentId?: string;
  /** Who posted it: a user name or a system actor ("billing-run:<runId>", "payment-provider:sandbox"). */
  actor?: string;
}

export class UnbalancedEntry extends RuleViolation {
  override name = 'UnbalancedEntry';
}

const CENTS = /^(0|[1-9]\d*)\.\d{2}$/;

export function assertBalanced(entry: Pick<LedgerEntry, 'entryId' | 'postings'>): void {
  const side = (wanted: Posting['side']) => sumAmounts(entry.postings.filter((p) => p.side === wanted).map((p) => new Money(p.amount)));
  if (entry.postings.length < 2) throw new UnbalancedEntry('too-few-postings', `ledger entry ${entry.entryId} needs a debit and a credit`);
  if (entry.postings.some((p) => new Money(p.amount).isNegative())) throw new UnbalancedEntry('negative-posting', `ledger entry ${entry.entryId} has a negative posting`);
  if (entry.postings.some((p) => !CENTS.test(p.amount))) throw new UnbalancedEntry('not-cents', `ledger entry ${entry.entryId} has an amount that is not a decimal string with two decimals`);
  if (!side('debit').equals(side('credit'))) throw new UnbalancedEntry('unbalanced', `ledger entry ${entry.entryId} does not balance`);
}

/** A deterministic entry id: the same kind, account and idempotency key always give the same id. */
export function entryIdFor(kind: EntryKind, accountId: string, idempotencyKey: string): string {
  return `LE${createHash('sha256').update(JSON.stringify([kind, accountId, idempotencyKey])).digest('hex').slice(0, 24).toUpperCase()}`;
}

/** An entry whose id is derived from its kind, account and idempotency key, checked to balance. */
function keyedEntry(fields: Omit<LedgerEntry, 'entryId'>): LedgerEntry {
  const entry: LedgerEntry = { entryId: entryIdFor(fields.kind, fields.accountId, fields.idempotencyKey), ...fields };
  assertBalanced(entry);
  return entry;
}

/** The calendar day of an ISO instant as the ledger dates it (UTC). */
export function postingDay(instant: string): string {
  return instant.slice(0, 10);
}

/** The service a bill's usage unit belongs to, when it is a known unit (kWh: electric, gal/ccf: water, therm: gas). */
function serviceOfUnit(unit: string | undefined): string | undefined {
  return unit !== undefined && isUnit(unit) ? serviceTypeOfUnit(unit) : undefined;
}

export type BillForLedger = Pick<Bill, 'billId' | 'accountId' | 'total' | 'periodStart' | 'periodEnd'> & {
  issuedAt?: string;
  dueDate?: string;
  /** A bill with a section per service: receivables are posted per service from the subtotals. */
  services?: ReadonlyArray<{ serviceType: string; subtotal: string }>;
  /** A single-service bill (older bills, opening balances): the service from the usage unit. */
  usage?: { unit: string };
  serviceType?: string;
};

/** A bill's due date: its own, else the issue day (or the posting day) plus `dueDays`. */
export function billDueDate(bill: Pick<BillForLedger, 'dueDate' | 'issuedAt'>, postedAt: string, dueDays = DEFAULT_DUE_DAYS): string {
  if (bill.dueDate) return bill.dueDate;
  if (!Number.isInteger(dueDays) || dueDays < 0) throw new InvalidInput(`due days must be a whole number of days, got ${dueDays}`);
  return addDays(postingDay(bill.issuedAt ?? postedAt), dueDays);
}

/** Receivable amounts of a bill per service (signed): its sections' subtotals, or the total on its one service. */
function receivablesOf(bill: BillForLedger): Array<{ service?: string; amount: Decimal }> {
  if (bill.services && bill.services.length > 0) {
    const byService = new Map<string, Decimal>();
    for (const section of bill.services) byService.set(section.serviceType, (byService.get(section.serviceType) ?? new Money(0)).plus(section.subtotal));
    const parts = [...byService].map(([service, amount]) => ({ service, amount }));
    const sum = sumAmounts(parts.map((part) => part.amount));
    if (!sum.equals(new Money(bill.total))) throw new UnbalancedEntry('bill-total-mismatch', `bill ${bill.billId}: the service subtotals add up to ${formatMoney(sum)}, not the total ${bill.total}`);
    return parts;
  }
  const service = bill.serviceType ?? serviceOfUnit(bill.usage?.unit);
  return [{ ...(service ? { service } : {}), amount: new Money(bill.total) }];
}

/**
 * The entry a bill posts, keyed by the bill id: debit accounts receivable per service, credit
 * revenue (a service that nets to a credit, net metering, posts its receivable the other way
 * round; so does a negative bill's revenue).
 */
export function ledgerEntryForBill(bill: BillForLedger, postedAt: string, options: { dueDays?: number } = {}): LedgerEntry {
  const total = new Money(bill.total);
  const postings: Posting[] = [];
  for (const { service, amount } of receivablesOf(bill)) {
    if (amount.isZero()) continue;
    postings.push({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: amount.isNegative() ? 'credit' : 'debit', amount: formatMoney(amount.abs()), ...(service ? { service } : {}) });
  }
  if (!total.isZero() || postings.length > 0) postings.push({ ledgerAccount: 'REVENUE', side: total.isNegative() ? 'debit' : 'credit', amount: formatMoney(total.abs()) });
  // A zero bill still posts (its key marks the bill as posted): a zero receivable against zero revenue.
  if (postings.length === 0) postings.push({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '0.00' }, { ledgerAccount: 'REVENUE', side: 'credit', amount: '0.00' });
  const entry: LedgerEntry = {
    entryId: `LE${bill.billId}`,
    accountId: bill.accountId,
    postedAt,
    kind: 'BILL',
    idempotencyKey: bill.billId,
    description: `Bill ${bill.billId} for ${bill.periodStart}..${bill.periodEnd}`,
    postings,
    dueDate: billDueDate(bill, postedAt, options.dueDays),
    billId: bill.billId,
  };
  assertBalanced(entry);
  return entry;
}

/** A reversing entry: the same postings on the other sides, keyed by the reversed entry. */
export function reversalOf(original: LedgerEntry, input: { postedAt: string; kind?: 'REVERSAL' | 'PAYMENT_RETURN'; description: string; actor: string }): LedgerEntry {
  if (original.kind === 'REVERSAL' || original.kind === 'PAYMENT_RETURN') throw new RuleViolation('reversal-of-reversal', `entry ${original.entryId} is itself a reversal; post a new entry instead`);
  const kind = input.kind ?? 'REVERSAL';
  const idempotencyKey = `reversal:${original.entryId}`;
  return keyedEntry({
    accountId: original.accountId,
    postedAt: input.postedAt,
    kind,
    idempotencyKey,
    description: input.description,
    postings: original.postings.map((posting) => ({ ...posting, side: posting.side === 'debit' ? 'credit' : 'debit' })),
    reverses: original.entryId,
    ...(original.billId ? { billId: original.billId } : {}),
    ...(original.paymentId ? { paymentId: original.paymentId } : {}),
    actor: input.actor,
  });
}

/** A fee (returned payment, ...): debit receivable at account level, credit fee revenue; due when posted. */
export function feeEntry(input: { accountId: string; amount: Decimal; postedAt: string; idempotencyKey: string; description: string; actor: string; paymentId?: string }): LedgerEntry {
  const amount = formatMoney(input.amount);
  return keyedEntry({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'FEE',
    idempotencyKey: input.idempotencyKey,
    description: input.description,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount },
      { ledgerAccount: 'FEE_REVENUE', side: 'credit', amount },
    ],
    dueDate: postingDay(input.postedAt),
    ...(input.paymentId ? { paymentId: input.paymentId } : {}),
    actor: input.actor,
  });
}

/**
 * A migrated account's opening balance (`cis import-records`): receivable against the conversion
 * clearing account, due on the day it was taken over (a negative amount is a credit).
 */
export function openingBalanceEntry(input: { accountId: string; amount: Decimal; asOf: string }): LedgerEntry {
  const amount = formatMoney(input.amount.abs());
  const owes = !input.amount.isNegative();
  const entry: LedgerEntry = {
    entryId: `OB-${input.accountId}`,
    accountId: input.accountId,
    postedAt: `${input.asOf}T00:00:00.000Z`,
    kind: 'OPENING_BALANCE',
    idempotencyKey: `opening-balance:${input.accountId}`,
    description: `Opening balance as of ${input.asOf} (migration)`,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: owes ? 'debit' : 'credit', amount },
      { ledgerAccount: 'CONVERSION_CLEARING', side: owes ? 'credit' : 'debit', amount },
    ],
    dueDate: input.asOf,
    actor: 'csv-import',
  };
  assertBalanced(entry);
  return entry;
}

export interface Allocation {
  /** The service paid, or ACCOUNT_LEVEL for the part that pays no open charge (a credit). */
  service: string;
  amount: string;
}

/**
 * A manual adjustment (billing staff): a debit charges the customer (due when posted), a credit
 * forgives; the other side is the ADJUSTMENTS account.
 */
export function adjustmentEntry(input: { accountId: string; adjustmentId: string; amount: Decimal; direction: 'debit' | 'credit'; service?: string | undefined; postedAt: string; description: string; actor: string }): LedgerEntry {
  const amount = formatMoney(input.amount);
  const idempotencyKey = `adjustment:${input.adjustmentId}`;
  const other = input.direction === 'debit' ? 'credit' : 'debit';
  return keyedEntry({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'ADJUSTMENT',
    idempotencyKey,
    description: input.description,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: input.direction, amount, ...(input.service ? { service: input.service } : {}) },
      { ledgerAccount: 'ADJUSTMENTS', side: other, amount },
    ],
    ...(input.direction === 'debit' ? { dueDate: postingDay(input.postedAt) } : {}),
    actor: input.actor,
  });
}

/** Entries staff may reverse directly: payments are returned instead, bills are rebilled, reversals are final. */
export const STAFF_REVERSIBLE_KINDS: ReadonlySet<EntryKind> = new Set(['FEE', 'ADJUSTMENT', 'REFUND', 'OPENING_BALANCE', 'TRANSFER']);

/** A payment: debit cash, credit receivable per allocation (allocatePayment). */
export function paymentEntry(input: { accountId: string; paymentId: string; amount: Decimal; allocations: Allocation[]; postedAt: string; description: string; actor: string }): LedgerEntry {
  const idempotencyKey = `payment:${input.paymentId}`;
  return keyedEntry({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'PAYMENT',
    idempotencyKey,
    description: input.description,
    postings: [
      { ledgerAccount: 'CASH', side: 'debit', amount: formatMoney(input.amount) },
      ...input.allocations.map((allocation): Posting => ({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: allocation.amount, ...(allocation.service === ACCOUNT_LEVEL ? {} : { service: allocation.service }) })),
    ],
    paymentId: input.paymentId,
    actor: input.actor,
  });
}

/** A refund of a credit balance: debit receivable (account level), credit refunds payable. */
export function refundEntry(input: { accountId: string; refundId: string; amount: Decimal; postedAt: string; description: string; actor: string }): LedgerEntry {
  const amount = formatMoney(input.amount);
  const idempotencyKey = `refund:${input.refundId}`;
  return keyedEntry({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'REFUND',
    idempotencyKey,
    description: input.description,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount },
      { ledgerAccount: 'REFUNDS_PAYABLE', side: 'credit', amount },
    ],
    actor: input.actor,
  });
}

/**
 * A balance transfer between two accounts (move-out: the closing account's balance follows the
 * customer to another account): two TRANSFER entries posted together, keyed by the transfer.
 * `amount` is the closing account's balance (positive: it owed, negative: a credit). The
 * closing account's receivable is credited (or debited, for a credit) against TRANSFER_CLEARING;
 * the other account's is debited (a charge due `dueDate`) or credited; the clearing nets to zero.
 */
export function transferEntries(input: { fromAccountId: string; toAccountId: string; transferId: string; amount: Decimal; postedAt: string; dueDate: string; description: string; actor: string }): [LedgerEntry, LedgerEntry] {
  if (input.fromAccountId === input.toAccountId) throw new InvalidInput('a balance transfer needs two different accounts');
  if (input.amount.isZero()) throw new RuleViolation('nothing-to-transfer', `account ${input.fromAccountId} has no balance to transfer`);
  const amount = formatMoney(input.amount.abs());
  const owed = input.amount.gt(0);
  const out = keyedEntry({
    accountId: input.fromAccountId,
    postedAt: input.postedAt,
    kind: 'TRANSFER',
    idempotencyKey: `transfer-out:${input.transferId}`,
    description: `${input.description} (to account ${input.toAccountId})`,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: owed ? 'credit' : 'debit', amount },
      { ledgerAccount: 'TRANSFER_CLEARING', side: owed ? 'debit' : 'credit', amount },
    ],
    ...(owed ? {} : { dueDate: postingDay(input.postedAt) }),
    actor: input.actor,
  });
  const into = keyedEntry({
    accountId: input.toAccountId,
    postedAt: input.postedAt,
    kind: 'TRANSFER',
    idempotencyKey: `transfer-in:${input.transferId}`,
    description: `${input.description} (from account ${input.fromAccountId})`,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: owed ? 'debit' : 'credit', amount },
      { ledgerAccount: 'TRANSFER_CLEARING', side: owed ? 'credit' : 'debit', amount },
    ],
    ...(owed ? { dueDate: input.dueDate } : {}),
    actor: input.actor,
  });
  return [out, into];
}

// ---------------------------------------------------------------------------------------------
// Balances and aging

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export interface OpenCharge {
  entryId: string;
  service: string;
  dueDate: string;
  /** What is still unpaid of the charge. */
  open: Decimal;
}

/** Days past due on `asOf` (0 or less = not yet past due) and its bucket. */
export function agingBucket(dueDate: string, asOf: string): AgingBucket {
  const past = asOf <= dueDate ? 0 : daysInclusive(dueDate, asOf) - 1;
  if (past <= 0) return 'current';
  if (past <= 30) return '1-30';
  if (past <= 60) return '31-60';
  if (past <= 90) return '61-90';
  return '90+';
}

const receivable = (entry: LedgerEntry) => entry.postings.filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE');
const serviceOf = (posting: Posting) => posting.service ?? ACCOUNT_LEVEL;
const oldestFirst = (a: OpenCharge, b: OpenCharge) => a.dueDate.localeCompare(b.dueDate) || a.entryId.localeCompare(b.entryId);

/** Applies `pool` to `charges` in order; returns what is left of the pool. Mutates `open`. */
function applyCredit(charges: OpenCharge[], pool: Decimal): Decimal {
  let left = pool;
  for (const charge of charges) {
    if (left.lte(0)) break;
    const paid = Money.min(left, charge.open);
    charge.open = charge.open.minus(paid);
    left = left.minus(paid);
  }
  return left;
}

/**
 * The charges still open: an entry and its reversal cancel out; per service, that service's
 * credits (payments, reversals) pay its charges oldest first; what a service has left over,
 * and account-level credits, pay the remaining charges of every service oldest first.
 * Returns the open charges and the credit nobody owes against.
 */
export function openCharges(entries: readonly LedgerEntry[]): { charges: OpenCharge[]; unappliedCredit: Decimal } {
  const ids = new Set(entries.map((entry) => entry.entryId));
  const reversed = new Set(entries.flatMap((entry) => (entry.reverses ? [entry.reverses] : [])));
  const live = entries.filter((entry) => !reversed.has(entry.entryId) && !(entry.reverses && ids.has(entry.reverses)));
  const charges: OpenCharge[] = [];
  const pools = new Map<string, { amount: Decimal; lastDebitDay: string }>();
  const addToPool = (service: string, signed: Decimal, debitDay?: string) => {
    const pool = pools.get(service) ?? { amount: new Money(0), lastDebitDay: '0000-01-01' };
    pool.amount = pool.amount.plus(signed);
    if (debitDay && debitDay > pool.lastDebitDay) pool.lastDebitDay = debitDay;
    pools.set(service, pool);
  };
  const targeted: Array<{ chargeId: string; service: string; amount: Decimal }> = [];
  for (const entry of live) {
    for (const posting of receivable(entry)) {
      const service = serviceOf(posting);
      const amount = new Money(posting.amount);
      if (posting.side === 'debit' && CHARGE_KINDS.has(entry.kind)) {
        charges.push({ entryId: entry.entryId, service, dueDate: entry.dueDate ?? postingDay(entry.postedAt), open: amount });
        continue;
      }
      if (posting.side === 'credit' && posting.appliesTo) targeted.push({ chargeId: posting.appliesTo, service, amount });
      else if (posting.side === 'credit') addToPool(service, amount);
      else addToPool(service, amount.negated(), postingDay(entry.postedAt));
    }
  }
  // Credits aimed at one charge pay it first (its own service's part first); the rest joins the service's credits.
  for (const credit of targeted) {
    const aimed = charges.filter((c) => c.entryId === credit.chargeId);
    const left = applyCredit([...aimed.filter((c) => c.service === credit.service), ...aimed.filter((c) => c.service !== credit.service)], credit.amount);
    if (left.gt(0)) addToPool(credit.service, left);
  }
  charges.sort(oldestFirst);
  let general = new Money(0);
  for (const [service, pool] of pools) {
    if (pool.amount.isNegative()) {
      // More credit undone (refunded, returned) than this service was credited: owed from the day it was undone.
      charges.push({ entryId: `UNDONE-${service}`, service, dueDate: pool.lastDebitDay, open: pool.amount.negated() });
      continue;
    }
    if (service === ACCOUNT_LEVEL) general = general.plus(pool.amount);
    else general = general.plus(applyCredit(charges.filter((c) => c.service === service), pool.amount));
  }
  charges.sort(oldestFirst);
  const unappliedCredit = applyCredit(charges, general);
  return { charges: charges.filter((c) => c.open.gt(0)), unappliedCredit };
}

export interface AccountBalance {
  /** Receivable: positive = the customer owes, negative = a credit. */
  balance: string;
  /** Receivable per service (ACCOUNT_LEVEL for account-level postings). */
  byService: Record<string, string>;
  /** Open charges by days past due on `asOf`. */
  aging: Record<AgingBucket, string>;
  pastDue: string;
  /** A credit balance the customer could be refunded (0.00 when the customer owes). */
  credit: string;
  asOf: string;
}

export function accountBalance(entries: readonly LedgerEntry[], asOf: string): AccountBalance {
  let total = new Money(0);
  const byService = new Map<string, Decimal>();
  for (const entry of entries) {
    for (const posting of receivable(entry)) {
      const signed = posting.side === 'debit' ? new Money(posting.amount) : new Money(posting.amount).negated();
      total = total.plus(signed);
      byService.set(serviceOf(posting), (byService.get(serviceOf(posting)) ?? new Money(0)).plus(signed));
    }
  }
  const { charges } = openCharges(entries);
  const aging = Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, new Money(0)])) as Record<AgingBucket, Decimal>;
  for (const charge of charges) {
    const bucket = agingBucket(charge.dueDate, asOf);
    aging[bucket] = aging[bucket].plus(charge.open);
  }
  const pastDue = sumAmounts(AGING_BUCKETS.filter((b) => b !== 'current').map((b) => aging[b]));
  return {
    balance: formatMoney(total),
    byService: Object.fromEntries([...byService.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([service, amount]) => [service, formatMoney(amount)])),
    aging: Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, formatMoney(aging[bucket])])) as Record<AgingBucket, string>,
    pastDue: formatMoney(pastDue),
    credit: formatMoney(total.isNegative() ? total.negated() : new Money(0)),
    asOf,
  };
}

/** The part of a payment that pays no open charge and becomes a credit (0 when it pays charges only). */
export function paymentCredit(entries: readonly LedgerEntry[], amount: Decimal): Decimal {
  const open = sumAmounts(openCharges(entries).charges.map((charge) => charge.open));
  return amount.gt(open) ? amount.minus(open) : new Money(0);
}

/**
 * Splits a payment over the open charges: those of `firstCharges` (an active arrangement's) first,
 * then those of `service` when one is named, then every other charge oldest first; what is left is an account-level credit. Allocations per service,
 * in the order they were paid.
 */
export function allocatePayment(entries: readonly LedgerEntry[], amount: Decimal, service?: string, firstCharges: ReadonlySet<string> = new Set()): Allocation[] {
  if (!amount.gt(0)) throw new InvalidInput('a payment amount must be positive');
  const { charges } = openCharges(entries);
  const byService = service ? [...charges.filter((c) => c.service === service), ...charges.filter((c) => c.service !== service)] : charges;
  // An active payment arrangement's charges come first (its installments are paid first).
  const ordered = [...byService.filter((c) => firstCharges.has(c.entryId)), ...byService.filter((c) => !firstCharges.has(c.entryId))];
  const allocated = new Map<string, Decimal>();
  let left = amount;
  for (const charge of ordered) {
    if (left.lte(0)) break;
    const paid = Money.min(left, charge.open);
    allocated.set(charge.service, (allocated.get(charge.service) ?? new Money(0)).plus(paid));
    left = left.minus(paid);
  }
  if (left.gt(0)) allocated.set(ACCOUNT_LEVEL, (allocated.get(ACCOUNT_LEVEL) ?? new Money(0)).plus(left));
  return [...allocated.entries()].map(([s, a]) => ({ service: s, amount: formatMoney(a) }));
}
