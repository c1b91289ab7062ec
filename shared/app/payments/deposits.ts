/**
 * Customer deposits (shared/domain/deposits): staff bill a required deposit or waive it (csr,
 * admin), refund it (applied to the balance first; the rest stays a credit or is refunded), and
 * a run accrues the monthly interest of every held deposit (idempotent per deposit and month)
 * and refunds those in good standing when asked. Every change writes its ledger entries, the
 * deposit record and its audit event in one transaction.
 */
import type { Decimal } from 'decimal.js';
import type { AuditEvent } from '../../domain/audit';
import { addDays } from '../../domain/calendar';
import { RuleViolation } from '../../domain/errors';
import {
  depositEntry,
  depositInterest,
  depositInterestEntry,
  depositRefundEntry,
  interestPosted,
  monthlyPeriods,
  paidInFullOn,
  principalHeld,
  refundEligibility,
  creditEventsOf,
  depositIdFor,
  type Deposit,
  type DepositRefundSummary,
  type DepositRules,
  type RefundEligibility,
} from '../../domain/deposits';
import { requireOwnAccount } from '../../domain/identity';
import { openCharges, postingDay, refundEntry, type LedgerEntry } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { requestFingerprint } from '../../domain/payments';
import type { DepositDecision } from '../../domain/customers/model';
import { AccountNotFound } from '../errors';
import type { Account } from '../../domain/accounts';
import type { AccountStore } from '../ports';
import { today } from './arrangements';
import { DepositNotFound, DepositNotHeld, DepositNotRefundable, LedgerWriteRefused } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { LedgerStore, RequestOutcome } from './ports';

export interface DepositReadDeps {
  accounts: AccountStore;
  ledger: Pick<LedgerStore, 'listDeposits' | 'listEntries'>;
  clock: IdempotencyDeps['clock'];
  timeZone: string;
  depositRules: DepositRules;
  /** Completed disconnections of an account (days); none known when absent. */
  disconnections?: (accountId: string) => Promise<string[]>;
}

export interface DepositDeps extends IdempotencyDeps, Omit<DepositReadDeps, 'ledger' | 'clock'> {
  newId: () => string;
  /** The deposit decision the account's activation stored (the amount billed when staff give none). */
  decisionOf?: (accountId: string) => Promise<DepositDecision | undefined>;
}

export interface DepositView extends Deposit {
  /** The paid part of the deposit charge (what the utility holds, interest aside). */
  held: string;
  /** What is still owed of the deposit charge. */
  unpaid: string;
  interestPosted: string;
  refundEligibility?: RefundEligibility;
}

async function mustAccount(deps: { accounts: AccountStore }, accountId: string): Promise<Account> {
  const account = await deps.accounts.get(accountId);
  if (!account) throw new AccountNotFound(`account ${accountId} does not exist`);
  return account;
}

const billedOf = (entry: LedgerEntry | undefined): Decimal =>
  (entry?.postings ?? []).filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE' && p.side === 'debit').reduce((sum, p) => sum.plus(p.amount), new Money(0));

async function eligibilityOf(deps: Pick<DepositReadDeps, 'depositRules' | 'disconnections'>, entries: readonly LedgerEntry[], deposit: Deposit, asOf: string): Promise<RefundEligibility | undefined> {
  if (deposit.status !== 'BILLED' || !deposit.entryId) return undefined;
  const events = creditEventsOf(entries);
  const disconnections = deps.disconnections ? await deps.disconnections(deposit.accountId) : [];
  return refundEligibility(deps.depositRules, { paidOn: paidInFullOn(entries, deposit.entryId), ...events, disconnections }, asOf);
}

function viewOf(entries: readonly LedgerEntry[], deposit: Deposit, asOf: string, eligibility?: RefundEligibility): DepositView {
  const entry = entries.find((e) => e.entryId === deposit.entryId);
  const held = deposit.status === 'BILLED' && deposit.entryId ? principalHeld(entries, deposit.entryId, asOf) : new Money(0);
  const billed = deposit.status === 'BILLED' ? billedOf(entry) : new Money(0);
  return {
    ...deposit,
    held: formatMoney(held),
    unpaid: formatMoney(billed.minus(held)),
    interestPosted: formatMoney(interestPosted(entries, deposit.depositId)),
    ...(eligibility ? { refundEligibility: eligibility } : {}),
  };
}

/** Staff: the account's deposits with what is held, unpaid, the interest posted and when a refund is due. */
export async function listDeposits(deps: DepositReadDeps, accountId: string): Promise<{ accountId: string; deposits: DepositView[] }> {
  await mustAccount(deps, accountId);
  const asOf = today(deps);
  const [deposits, entries] = await Promise.all([deps.ledger.listDeposits(accountId), deps.ledger.listEntries(accountId)]);
  const views = await Promise.all(deposits.map(async (deposit) => viewOf(entries, deposit, asOf, await eligibilityOf(deps, entries, deposit, asOf))));
  return { accountId, deposits: views };
}

/** Portal: the deposits of one of the customer's own accounts (held, unpaid, interest, status). */
export async function getMyDeposits(deps: DepositReadDeps, customerId: string, accountId: string): Promise<{ accountId: string; deposits: DepositView[] }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  return listDeposits(deps, accountId);
}

/**
 * Staff bill a deposit (`require`: the amount given, or the activation's decision) or waive the
 * requirement (`waive`: a WAIVED record, no ledger effect), behind an Idempotency-Key.
 */
export async function requireDeposit(
  deps: DepositDeps,
  actor: string,
  input: { accountId: string; idempotencyKey: string; action: 'require' | 'waive'; amount?: string | undefined; reason: string },
): Promise<RequestOutcome> {
  await mustAccount(deps, input.accountId);
  const key = `deposit:${input.accountId}:${input.idempotencyKey}`;
  return idempotent(deps, key, requestFingerprint({ action: input.action, amount: input.amount ?? null, reason: input.reason }), async (token) => {
    const at = deps.clock.now().toISOString();
    const depositId = depositIdFor(input.accountId, input.idempotencyKey);
    let amount = input.amount;
    if (input.action === 'require' && amount === undefined) {
      const decision = deps.decisionOf ? await deps.decisionOf(input.accountId) : undefined;
      if (!decision?.required) throw new RuleViolation('no-deposit-decision', `account ${input.accountId} has no deposit requirement from its activation; give the amount`);
      amount = decision.amount;
    }
    const deposit: Deposit = { depositId, accountId: input.accountId, status: input.action === 'require' ? 'BILLED' : 'WAIVED', amount: formatMoney(new Money(amount ?? '0')), reason: input.reason, createdAt: at, createdBy: actor };
    const entries: LedgerEntry[] = [];
    if (input.action === 'require') {
      const entry = depositEntry({ accountId: input.accountId, depositId, amount: new Money(amount!), postedAt: at, dueDays: deps.depositRules.dueDays, reason: input.reason, actor });
      entries.push(entry);
      deposit.entryId = entry.entryId;
      deposit.dueDate = entry.dueDate!;
    }
    const outcome: RequestOutcome = { statusCode: 201, body: { deposit } };
    await deps.ledger.commit({
      entries,
      deposits: [{ value: deposit }],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: input.action === 'require' ? 'deposit.billed' : 'deposit.waived', details: { depositId, amount: deposit.amount, reason: input.reason, entryId: deposit.entryId ?? null } }],
      request: { key, token, outcome },
    });
    return outcome;
  });
}

/** Interest entries for the months from the deposit's last accrued day to `through` (months with no interest post nothing). */
function interestEntriesFor(deps: { depositRules: DepositRules }, entries: readonly LedgerEntry[], deposit: Deposit, through: string, postedAt: string, actor: string): { entries: LedgerEntry[]; interestThrough: string | undefined; months: Array<{ month: string; amount: string }> } {
  const depositEntryRow = entries.find((entry) => entry.entryId === deposit.entryId);
  if (!depositEntryRow) return { entries: [], interestThrough: deposit.interestThrough, months: [] };
  const from = deposit.interestThrough ? addDays(deposit.interestThrough, 1) : postingDay(depositEntryRow.postedAt);
  const posted = new Set(entries.map((entry) => entry.idempotencyKey));
  const out: LedgerEntry[] = [];
  const months: Array<{ month: string; amount: string }> = [];
  let interestThrough = deposit.interestThrough;
  for (const period of monthlyPeriods(from, through)) {
    interestThrough = period.to;
    const amount = depositInterest(entries, depositEntryRow.entryId, period.from, period.to, new Money(deps.depositRules.annualInterestPercent));
    if (amount.lte(0)) continue;
    const entry = depositInterestEntry({ accountId: deposit.accountId, depositId: deposit.depositId, month: period.month, from: period.from, to: period.to, amount, postedAt, actor });
    if (posted.has(entry.idempotencyKey)) continue;
    out.push(entry);
    months.push({ month: period.month, amount: formatMoney(amount) });
  }
  return { entries: out, interestThrough, months };
}

/**
 * Refunds a held deposit: interest up to the day before the refund is posted first; the refund
 * cancels what is unpaid of the deposit charge and credits the paid part and the interest, which
 * pay the account's open charges oldest first; what is left stays a credit, or with
 * `remainder: 'refund'` is refunded (REFUND entry) in the same transaction. Only in good
 * standing, unless the account is inactive (move-out: the deposit pays the final bill) or staff
 * force it with a reason.
 */
export async function refundDeposit(
  deps: DepositDeps,
  actor: string,
  input: { accountId: string; depositId: string; idempotencyKey: string; reason: string; force?: boolean | undefined; remainder?: 'credit' | 'refund' | undefined },
): Promise<RequestOutcome> {
  const account = await mustAccount(deps, input.accountId);
  const key = `deposit-refund:${input.accountId}:${input.idempotencyKey}`;
  return idempotent(deps, key, requestFingerprint({ depositId: input.depositId, reason: input.reason, force: input.force ?? false, remainder: input.remainder ?? 'credit' }), async (token) => {
    const result = await refundHeldDeposit(deps, actor, account, input, { key, token });
    return { statusCode: 200, body: result };
  });
}

async function refundHeldDeposit(
  deps: DepositDeps,
  actor: string,
  account: Account,
  input: { depositId: string; reason: string; force?: boolean | undefined; remainder?: 'credit' | 'refund' | undefined },
  request?: { key: string; token: string },
): Promise<{ deposit: Deposit; entries: LedgerEntry[] }> {
  const accountId = account.accountId;
  const deposit = (await deps.ledger.listDeposits(accountId)).find((d) => d.depositId === input.depositId);
  if (!deposit) throw new DepositNotFound(`account ${accountId} has no deposit ${input.depositId}`);
  if (deposit.status !== 'BILLED' || !deposit.entryId) throw new DepositNotHeld(`deposit ${input.depositId} is ${deposit.status}`);
  const [entries, guard] = await Promise.all([deps.ledger.listEntries(accountId), deps.ledger.refundGuardVersion(accountId)]);
  const asOf = today(deps);
  if (!input.force && account.status === 'ACTIVE') {
    const eligibility = await eligibilityOf(deps, entries, deposit, asOf);
    if (eligibility && !eligibility.eligible) throw new DepositNotRefundable('not-in-good-standing', `deposit ${deposit.depositId} is not due for a refund (${eligibility.blockers.join(', ')}${eligibility.eligibleOn ? `; due on ${eligibility.eligibleOn} in good standing` : ''})`);
  }
  const at = deps.clock.now().toISOString();
  const interest = interestEntriesFor(deps, entries, deposit, addDays(asOf, -1), at, actor);
  const withInterest = [...entries, ...interest.entries];
  const billed = billedOf(entries.find((entry) => entry.entryId === deposit.entryId));
  const paid = principalHeld(withInterest, deposit.entryId, asOf);
  const totalInterest = interestPosted(withInterest, deposit.depositId);
  const refund = depositRefundEntry({ accountId, depositId: deposit.depositId, depositEntryId: deposit.entryId, billed, paid, interest: totalInterest, postedAt: at, actor, reason: input.reason });
  const before = openCharges(withInterest).unappliedCredit;
  const after = openCharges([...withInterest, refund]).unappliedCredit;
  const credited = Money.max(after.minus(before), new Money(0));
  const returned = paid.plus(totalInterest);
  const out: LedgerEntry[] = [...interest.entries, refund];
  let refunded = new Money(0);
  if (input.remainder === 'refund' && credited.gt(0)) {
    refunded = credited;
    out.push(refundEntry({ accountId, refundId: `deposit-${deposit.depositId}`, amount: credited, postedAt: at, description: `Refund of deposit ${deposit.depositId} left after paying the balance`, actor }));
  }
  const summary: DepositRefundSummary = {
    principal: formatMoney(paid),
    interest: formatMoney(totalInterest),
    appliedToBalance: formatMoney(returned.minus(credited)),
    credited: formatMoney(credited.minus(refunded)),
    refunded: formatMoney(refunded),
    cancelledUnpaid: formatMoney(billed.minus(paid)),
  };
  const updated: Deposit = { ...deposit, status: 'REFUNDED', refundedAt: at, refundedBy: actor, refundEntryId: refund.entryId, refund: summary, ...(interest.interestThrough ? { interestThrough: interest.interestThrough } : {}) };
  const audit: AuditEvent[] = [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: accountId, at, actor, action: 'deposit.refunded', details: { depositId: deposit.depositId, reason: input.reason, forced: input.force ?? false, ...summary } }];
  const body = { deposit: updated, entries: out };
  await deps.ledger.commit({
    entries: out,
    deposits: [{ value: updated, expectedStatus: 'BILLED' }],
    audit,
    ...(request ? { request: { ...request, outcome: { statusCode: 200, body } } } : {}),
    refundGuard: { accountId, expectedVersion: guard },
  });
  return body;
}

export interface InterestRun {
  asOf: string;
  /** Interest posted: one line per deposit and month. */
  posted: Array<{ accountId: string; depositId: string; month: string; amount: string }>;
  /** Deposits whose interest was accrued by a concurrent run (nothing posted twice). */
  alreadyAccrued: string[];
  /** Deposits in good standing, due for a refund (refunded when the run was asked to). */
  dueForRefund: string[];
  refunded: Array<{ accountId: string; depositId: string; summary: DepositRefundSummary }>;
  /** Set when more deposits remain: run again with it. */
  nextCursor: string | null;
}

/**
 * Accrues the interest of held deposits for the complete months up to `asOf` (a month is posted
 * once its last day is on or before `asOf`): one DEPOSIT_INTEREST entry per deposit and month,
 * keyed deposit-interest:<depositId>:<YYYY-MM>, so a re-run posts nothing twice. With
 * `refundEligible`, deposits in good standing are refunded too (the rest left as a credit).
 */
export async function accrueDepositInterest(deps: DepositDeps, actor: string, input: { asOf: string; refundEligible?: boolean | undefined; limit?: number | undefined; cursor?: string | undefined }): Promise<InterestRun> {
  const run: InterestRun = { asOf: input.asOf, posted: [], alreadyAccrued: [], dueForRefund: [], refunded: [], nextCursor: null };
  if (input.asOf > today(deps)) throw new RuleViolation('as-of-in-future', `asOf ${input.asOf} is after today (${today(deps)})`);
  const page = await deps.ledger.pageHeldDeposits(input.limit ?? 100, input.cursor);
  const lastComplete = addDays(`${input.asOf.slice(0, 7)}-01`, -1);
  const through = addDays(input.asOf, 1).slice(0, 7) !== input.asOf.slice(0, 7) ? input.asOf : lastComplete;
  for (const deposit of page.items) {
    if (!deposit.entryId) continue;
    const entries = await deps.ledger.listEntries(deposit.accountId);
    const at = deps.clock.now().toISOString();
    const interest = interestEntriesFor(deps, entries, deposit, through, at, actor);
    if (interest.interestThrough && interest.interestThrough !== deposit.interestThrough) {
      try {
        await deps.ledger.commit({
          entries: interest.entries,
          deposits: [{ value: { ...deposit, interestThrough: interest.interestThrough }, expectedStatus: 'BILLED' }],
          audit: interest.months.length > 0 ? [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: deposit.accountId, at, actor, action: 'deposit.interest-accrued', details: { depositId: deposit.depositId, through: interest.interestThrough, months: interest.months.map((m) => `${m.month}=${m.amount}`).join(',') } }] : [],
        });
        run.posted.push(...interest.months.map((m) => ({ accountId: deposit.accountId, depositId: deposit.depositId, ...m })));
      } catch (error) {
        if (!(error instanceof LedgerWriteRefused && (error.part === 'entry' || error.part === 'deposit'))) throw error;
        run.alreadyAccrued.push(deposit.depositId);
      }
    }
    const eligibility = await eligibilityOf(deps, entries, deposit, input.asOf);
    if (!eligibility?.eligible) continue;
    run.dueForRefund.push(deposit.depositId);
    if (!input.refundEligible) continue;
    const account = await mustAccount(deps, deposit.accountId);
    try {
      const result = await refundHeldDeposit(deps, actor, account, { depositId: deposit.depositId, reason: 'good standing' });
      run.refunded.push({ accountId: deposit.accountId, depositId: deposit.depositId, summary: result.deposit.refund! });
    } catch (error) {
      if (!(error instanceof LedgerWriteRefused || error instanceof DepositNotHeld)) throw error;
    }
  }
  run.nextCursor = page.nextCursor ?? null;
  return run;
}
