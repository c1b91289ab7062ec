/**
 * Budget (levelized) billing (shared/domain/budget): enrollment by staff or by the customer in
 * the portal, the BUDGET entry of each bill issued while enrolled, recalculation and the
 * true-up. Billing calls `applyBudgetBilling` after it issued a bill (a separate transaction,
 * keyed budget:<billId>: a crash between the bill and its budget entry is repaired by the
 * re-run of the segment, which calls it again for the bills that exist; it posts once). Every
 * change writes its entries, the plan (guarded by its version) and an audit event together.
 */
import type { Decimal } from 'decimal.js';
import type { AuditEvent } from '../../domain/audit';
import { addDays } from '../../domain/calendar';
import {
  billReceivable,
  budgetEntryForBill,
  budgetKey,
  budgetTrueUpEntry,
  deferredBalance,
  DEFAULT_RECALCULATE_EVERY_BILLS,
  levelizedAmount,
  nextAnniversary,
  type BudgetPlan,
} from '../../domain/budget';
import { requireOwnAccount } from '../../domain/identity';
import { accountBalance, DEFAULT_DUE_DAYS, postingDay, type LedgerEntry } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { AccountNotFound, TransientStoreError } from '../errors';
import type { AccountStore, Clock, Logger } from '../ports';
import { today } from './arrangements';
import { BudgetAlreadyActive, BudgetNotActive, LedgerWriteRefused } from './errors';
import type { LedgerStore } from './ports';

export interface BudgetDeps {
  accounts: AccountStore;
  ledger: LedgerStore;
  clock: Clock;
  timeZone: string;
  newId: () => string;
  /** Days from a true-up to its due date (default 21). */
  dueDays?: number;
  /** Bills between two recalculations (default 3). */
  recalculateEveryBills?: number;
}

export interface BudgetView {
  accountId: string;
  plan: BudgetPlan | null;
  /** DEFERRED_BALANCE: positive = billed usage ran ahead of the levelized amounts (owed at the true-up). */
  deferredBalance: string;
  /** What the customer owes now (the receivable). */
  balance: string;
  /** The receivable plus the deferred balance: what the bills add up to. */
  trueBalance: string;
}

async function mustAccount(deps: { accounts: AccountStore }, accountId: string) {
  const account = await deps.accounts.get(accountId);
  if (!account) throw new AccountNotFound(`account ${accountId} does not exist`);
  return account;
}

/** The account's bill totals (receivable of each live BILL entry), oldest first. */
function billTotals(entries: readonly LedgerEntry[]): Decimal[] {
  const reversed = new Set(entries.flatMap((entry) => (entry.reverses ? [entry.reverses] : [])));
  return entries
    .filter((entry) => entry.kind === 'BILL' && !reversed.has(entry.entryId))
    .sort((a, b) => a.postedAt.localeCompare(b.postedAt))
    .map(billReceivable);
}

export async function getBudget(deps: Pick<BudgetDeps, 'accounts' | 'ledger' | 'clock' | 'timeZone'>, accountId: string): Promise<BudgetView> {
  await mustAccount(deps, accountId);
  const [plan, entries] = await Promise.all([deps.ledger.getBudget(accountId), deps.ledger.listEntries(accountId)]);
  const balance = new Money(accountBalance(entries, today(deps)).balance);
  const deferred = deferredBalance(entries);
  return { accountId, plan: plan ?? null, deferredBalance: formatMoney(deferred), balance: formatMoney(balance), trueBalance: formatMoney(balance.plus(deferred)) };
}

export async function getMyBudget(deps: Pick<BudgetDeps, 'accounts' | 'ledger' | 'clock' | 'timeZone'>, customerId: string, accountId: string): Promise<BudgetView> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  return getBudget(deps, accountId);
}

/** Portal: the customer enrolls one of their own accounts (the amount from its bills) or ends budget billing. */
export async function changeMyBudget(deps: BudgetDeps, customerId: string, accountId: string, action: 'enroll' | 'unenroll'): Promise<BudgetView> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  const actor = `portal:${customerId}`;
  return action === 'enroll' ? enrollBudget(deps, actor, { accountId }) : unenrollBudget(deps, actor, { accountId });
}

/**
 * Enrolls the account: the levelized amount from its last 12 bills (fewer: their average) and
 * its deferred balance, or the amount staff give (required while the account has no bill).
 */
export async function enrollBudget(deps: BudgetDeps, actor: string, input: { accountId: string; levelizedAmount?: string | undefined }): Promise<BudgetView> {
  await mustAccount(deps, input.accountId);
  const [existing, entries] = await Promise.all([deps.ledger.getBudget(input.accountId), deps.ledger.listEntries(input.accountId)]);
  if (existing?.status === 'ACTIVE') throw new BudgetAlreadyActive(`account ${input.accountId} is enrolled in budget billing since ${existing.enrolledAt}`);
  const deferred = deferredBalance(entries);
  const levelized = input.levelizedAmount ? { amount: new Money(input.levelizedAmount), basis: 'staff' as const, billsConsidered: 0 } : levelizedAmount(billTotals(entries), deferred);
  const at = deps.clock.now().toISOString();
  const day = today(deps);
  const plan: BudgetPlan = {
    accountId: input.accountId,
    status: 'ACTIVE',
    levelizedAmount: formatMoney(levelized.amount),
    basis: levelized.basis,
    billsConsidered: levelized.billsConsidered,
    enrolledAt: at,
    enrolledBy: actor,
    anniversary: nextAnniversary(day),
    billsSinceCalculation: 0,
    trueUps: 0,
    version: (existing?.version ?? 0) + 1,
  };
  await deps.ledger.commit({
    entries: [],
    budget: { value: plan, expectedVersion: existing?.version ?? 0 },
    audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'budget.enrolled', details: { levelizedAmount: plan.levelizedAmount, basis: plan.basis, billsConsidered: plan.billsConsidered, anniversary: plan.anniversary } }],
  });
  return getBudget(deps, input.accountId);
}

/** The true-up entry of a plan when its deferred balance is not zero. */
function trueUp(deps: BudgetDeps, plan: BudgetPlan, deferred: Decimal, at: string, reason: string, actor: string): LedgerEntry[] {
  if (deferred.isZero()) return [];
  return [budgetTrueUpEntry({ plan, deferred, postedAt: at, dueDate: addDays(postingDay(at), deps.dueDays ?? DEFAULT_DUE_DAYS), reason, actor })];
}

/** Ends the enrollment (staff, or the customer in the portal): the deferred balance is trued up in the same transaction. */
export async function unenrollBudget(deps: BudgetDeps, actor: string, input: { accountId: string }): Promise<BudgetView> {
  await mustAccount(deps, input.accountId);
  const [plan, entries] = await Promise.all([deps.ledger.getBudget(input.accountId), deps.ledger.listEntries(input.accountId)]);
  if (plan?.status !== 'ACTIVE') throw new BudgetNotActive(`account ${input.accountId} is not enrolled in budget billing`);
  const at = deps.clock.now().toISOString();
  const deferred = deferredBalance(entries);
  const entriesOut = trueUp(deps, plan, deferred, at, 'unenrolled', actor);
  const ended: BudgetPlan = { ...plan, status: 'ENDED', trueUps: plan.trueUps + entriesOut.length, endedAt: at, endedBy: actor, endReason: 'unenrolled', version: plan.version + 1 };
  await deps.ledger.commit({
    entries: entriesOut,
    budget: { value: ended, expectedVersion: plan.version },
    audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'budget.unenrolled', details: { deferredBalance: formatMoney(deferred), trueUpEntryId: entriesOut[0]?.entryId ?? null } }],
  });
  return getBudget(deps, input.accountId);
}

const PLAN_ATTEMPTS = 4;

export type BudgetApplication =
  | { applied: true; entryIds: string[]; trueUp: 'anniversary' | 'final-bill' | null; levelizedAmount: string }
  | { applied: false; reason: 'not-enrolled' | 'already-applied' | 'bill-not-posted' | 'billed-before-enrollment' };

/**
 * The budget effect of one issued bill (idempotent, keyed by the bill): the BUDGET entry; on
 * the final bill or the first bill on or after the anniversary, the true-up (the final bill ends
 * the enrollment; an anniversary starts a new year with a recalculated amount); every
 * `recalculateEveryBills` bills, a recalculated levelized amount.
 */
export async function applyBudgetBilling(deps: BudgetDeps, input: { accountId: string; billId: string; finalBill: boolean; actor: string }, attempt = 1): Promise<BudgetApplication> {
  const [plan, entries] = await Promise.all([deps.ledger.getBudget(input.accountId), deps.ledger.listEntries(input.accountId)]);
  if (!plan || plan.status !== 'ACTIVE') return { applied: false, reason: 'not-enrolled' };
  if (entries.some((entry) => entry.idempotencyKey === budgetKey(input.billId))) return { applied: false, reason: 'already-applied' };
  const billEntry = entries.find((entry) => entry.kind === 'BILL' && entry.billId === input.billId);
  if (!billEntry) return { applied: false, reason: 'bill-not-posted' };
  if (billEntry.postedAt < plan.enrolledAt) return { applied: false, reason: 'billed-before-enrollment' };
  const at = deps.clock.now().toISOString();
  const budgetEntry = budgetEntryForBill({ billEntry, levelized: new Money(plan.levelizedAmount), postedAt: at, actor: input.actor });
  const after = [...entries, budgetEntry];
  const deferred = deferredBalance(after);
  const billDay = postingDay(billEntry.postedAt);
  const trueUpReason = input.finalBill ? 'final-bill' : billDay >= plan.anniversary ? 'anniversary' : null;
  const out: LedgerEntry[] = [budgetEntry];
  let next: BudgetPlan = { ...plan, billsSinceCalculation: plan.billsSinceCalculation + 1, version: plan.version + 1 };
  if (trueUpReason) {
    out.push(...trueUp(deps, plan, deferred, at, trueUpReason, input.actor));
    next = { ...next, trueUps: plan.trueUps + 1 };
    if (trueUpReason === 'final-bill') next = { ...next, status: 'ENDED', endedAt: at, endedBy: input.actor, endReason: 'final-bill' };
    else {
      const levelized = levelizedAmount(billTotals(after), new Money(0));
      next = { ...next, anniversary: nextAnniversary(plan.anniversary), levelizedAmount: formatMoney(levelized.amount), basis: levelized.basis, billsConsidered: levelized.billsConsidered, billsSinceCalculation: 0 };
    }
  } else if (next.billsSinceCalculation >= (deps.recalculateEveryBills ?? DEFAULT_RECALCULATE_EVERY_BILLS)) {
    const levelized = levelizedAmount(billTotals(after), deferred);
    next = { ...next, levelizedAmount: formatMoney(levelized.amount), basis: levelized.basis, billsConsidered: levelized.billsConsidered, billsSinceCalculation: 0 };
  }
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'ACCOUNT',
    entityId: input.accountId,
    at,
    actor: input.actor,
    action: 'budget.applied',
    details: { billId: input.billId, levelizedAmount: plan.levelizedAmount, billed: formatMoney(billReceivable(billEntry)), deferredBalance: formatMoney(trueUpReason ? new Money(0) : deferred), trueUp: trueUpReason, nextLevelizedAmount: next.levelizedAmount },
  };
  try {
    await deps.ledger.commit({ entries: out, budget: { value: next, expectedVersion: plan.version }, audit: [audit] });
  } catch (error) {
    if (error instanceof LedgerWriteRefused && error.part === 'entry') return { applied: false, reason: 'already-applied' };
    // The plan changed meanwhile (an enrollment change or another bill): decide again from fresh reads.
    if (error instanceof LedgerWriteRefused && error.part === 'budget' && attempt < PLAN_ATTEMPTS) return applyBudgetBilling(deps, input, attempt + 1);
    throw error;
  }
  return { applied: true, entryIds: out.map((entry) => entry.entryId), trueUp: trueUpReason, levelizedAmount: next.levelizedAmount };
}

/** The bills a billing segment issued (or found issued), for the budget hook. */
export interface IssuedBill {
  accountId: string;
  billId: string;
  finalBill: boolean;
}

/**
 * The billing segment's hook: one BatchGet finds which of the accounts are enrolled; each of
 * theirs gets `applyBudgetBilling`. A store failure that may pass is thrown (the segment is
 * retried, and the retry applies what is missing); anything else is logged per account.
 */
export function budgetBillingHook(deps: BudgetDeps & { log: Logger }, actor: string) {
  return async (bills: readonly IssuedBill[]): Promise<{ applied: number; failed: number }> => {
    if (bills.length === 0) return { applied: 0, failed: 0 };
    const enrolled = new Set((await deps.ledger.getBudgets([...new Set(bills.map((bill) => bill.accountId))])).filter((plan) => plan.status === 'ACTIVE').map((plan) => plan.accountId));
    let applied = 0;
    let failed = 0;
    for (const bill of bills.filter((b) => enrolled.has(b.accountId))) {
      try {
        if ((await applyBudgetBilling(deps, { ...bill, actor })).applied) applied++;
      } catch (error) {
        if (error instanceof TransientStoreError) throw error;
        failed++;
        deps.log.error('budget billing not applied', { accountId: bill.accountId, billId: bill.billId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    }
    return { applied, failed };
  };
}
