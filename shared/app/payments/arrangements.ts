/**
 * Payment arrangements: staff (csr, billing, admin) spread what an account owes over a down
 * payment and monthly installments, and cancel an arrangement; customers read their own. Each
 * change writes the arrangement, its audit event and the account's arrangement guard in one
 * transaction, so two concurrent changes cannot both pass their checks.
 */
import type { Decimal } from 'decimal.js';
import type { ArrangementRequest } from '../../domain/arrangement-requests';
import { arrangeableCharges, arrangementPaid, evaluateArrangement, planInstallments, type Arrangement, type ArrangementTracking } from '../../domain/arrangements';
import type { AuditEvent } from '../../domain/audit';
import { localDate } from '../../domain/calendar';
import { requireOwnAccount } from '../../domain/identity';
import { openCharges } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import type { Payment } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore, Clock } from '../ports';
import { ArrangementExists, ArrangementNotActive, ArrangementNotFound } from './errors';
import type { LedgerStore } from './ports';

export interface ArrangementReadDeps {
  accounts: AccountStore;
  ledger: Pick<LedgerStore, 'listArrangements' | 'listPayments'>;
  clock: Clock;
  timeZone: string;
}

export interface ArrangementDeps extends ArrangementReadDeps {
  ledger: LedgerStore;
  newId: () => string;
  /** Days an installment may stay unpaid after its due date before the arrangement is broken. */
  arrangementGraceDays: number;
}

export type ArrangementView = Arrangement & { tracking: ArrangementTracking };

const PAGE = 100;

/** The utility's calendar day now. */
export function today(deps: { clock: Clock; timeZone: string }): string {
  return localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
}

/** The account's payments received since `since` (newest first, page by page). */
export async function paymentsSince(ledger: Pick<LedgerStore, 'listPayments'>, accountId: string, since: string): Promise<Payment[]> {
  const found: Payment[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await ledger.listPayments(accountId, PAGE, cursor);
    for (const payment of page.items) {
      if (payment.receivedAt < since) return found;
      found.push(payment);
    }
    if (!page.nextCursor) return found;
    cursor = page.nextCursor;
  }
}

/** The account's ACTIVE arrangement, if any (at most one is active at a time). */
export function activeArrangement(arrangements: readonly Arrangement[]): Arrangement | undefined {
  return arrangements.filter((a) => a.status === 'ACTIVE').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

/** What payments paid toward the arrangement so far. */
export async function paidToward(ledger: Pick<LedgerStore, 'listPayments'>, arrangement: Arrangement): Promise<Decimal> {
  return arrangementPaid(arrangement.arrangementId, await paymentsSince(ledger, arrangement.accountId, arrangement.createdAt));
}

/** An arrangement with where it stands on `asOf`. */
export async function viewOf(ledger: Pick<LedgerStore, 'listPayments'>, arrangement: Arrangement, asOf: string): Promise<ArrangementView> {
  return { ...arrangement, tracking: evaluateArrangement(arrangement, await paidToward(ledger, arrangement), asOf) };
}

/** Every arrangement of the account with its tracking, newest first (the staff overview). */
export async function arrangementsOf(deps: { ledger: Pick<LedgerStore, 'listArrangements' | 'listPayments'>; clock: Clock; timeZone: string }, accountId: string): Promise<ArrangementView[]> {
  const asOf = today(deps);
  const arrangements = (await deps.ledger.listArrangements(accountId)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return Promise.all(arrangements.map((arrangement) => viewOf(deps.ledger, arrangement, asOf)));
}

/** GET /portal/accounts/{accountId}/arrangement: the active arrangement, else the latest one, else null. */
export async function getMyArrangement(deps: ArrangementReadDeps, customerId: string, accountId: string): Promise<{ accountId: string; arrangement: ArrangementView | null }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  const arrangements = await deps.ledger.listArrangements(accountId);
  const shown = activeArrangement(arrangements) ?? [...arrangements].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return { accountId, arrangement: shown ? await viewOf(deps.ledger, shown, today(deps)) : null };
}

function audit(deps: ArrangementDeps, actor: string, at: string, accountId: string, action: string, details: AuditEvent['details']): AuditEvent {
  return { eventId: deps.newId(), entityType: 'ACCOUNT', entityId: accountId, at, actor, action, details };
}

/**
 * An arrangement made by approving a customer's request: named after the request, and written in
 * one transaction with the request's decision (which must still be PENDING), so a retried or
 * concurrent approval cannot make a second arrangement.
 */
export interface ArrangementOrigin {
  arrangementId: string;
  /** The request as decided (APPROVED). */
  request: ArrangementRequest;
}

/**
 * POST /staff/accounts/{accountId}/arrangements: covers every open charge of the account. An
 * active arrangement that is kept or broken is closed as such in the same transaction; one still
 * running is a conflict (cancel it first).
 */
export async function createArrangement(
  deps: ArrangementDeps,
  actor: string,
  input: { accountId: string; installments: number; firstDueDate: string; downPayment?: string | undefined; reason: string },
  origin?: ArrangementOrigin,
): Promise<{ arrangement: ArrangementView }> {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const guard = await deps.ledger.arrangementGuardVersion(input.accountId);
  const [arrangements, entries] = await Promise.all([deps.ledger.listArrangements(input.accountId), deps.ledger.listEntries(input.accountId)]);
  const at = deps.clock.now().toISOString();
  const day = today(deps);
  const changes: NonNullable<Parameters<LedgerStore['commit']>[0]['arrangements']> = [];
  const events: AuditEvent[] = [];
  const previous = activeArrangement(arrangements);
  if (previous) {
    const { tracking } = await viewOf(deps.ledger, previous, day);
    if (tracking.state !== 'kept' && tracking.state !== 'broken') {
      throw new ArrangementExists(`account ${input.accountId} has arrangement ${previous.arrangementId}, still ${tracking.state}; cancel it before making a new one`);
    }
    const status = tracking.state === 'kept' ? 'KEPT' : 'BROKEN';
    changes.push({ value: { ...previous, status, closedAt: at, closedBy: actor, closeReason: `${tracking.state} when a new arrangement was made` }, expectedStatus: 'ACTIVE' });
    events.push(audit(deps, actor, at, input.accountId, `arrangement.${tracking.state}`, { arrangementId: previous.arrangementId, paid: tracking.paid, remaining: tracking.remaining }));
  }
  const { coveredCharges, amount } = arrangeableCharges(openCharges(entries).charges);
  const downPayment = new Money(input.downPayment ?? '0');
  const installments = planInstallments({ total: amount, count: input.installments, firstDue: input.firstDueDate, downPayment, startDay: day });
  const arrangement: Arrangement = {
    arrangementId: origin?.arrangementId ?? `AR${deps.newId()}`,
    accountId: input.accountId,
    status: 'ACTIVE',
    amount: formatMoney(amount),
    downPayment: formatMoney(downPayment),
    installments,
    coveredCharges,
    graceDays: deps.arrangementGraceDays,
    createdAt: at,
    createdBy: actor,
  };
  changes.push({ value: arrangement });
  events.push(audit(deps, actor, at, input.accountId, 'arrangement.created', { arrangementId: arrangement.arrangementId, amount: arrangement.amount, downPayment: arrangement.downPayment, installments: input.installments, firstDueDate: input.firstDueDate, reason: input.reason, ...(origin ? { requestId: origin.request.requestId } : {}) }));
  await deps.ledger.commit({
    entries: [],
    audit: events,
    arrangements: changes,
    arrangementGuard: { accountId: input.accountId, expectedVersion: guard },
    ...(origin ? { arrangementRequest: { value: origin.request, expectedStatus: 'PENDING' as const } } : {}),
  });
  return { arrangement: { ...arrangement, tracking: evaluateArrangement(arrangement, new Money(0), day) } };
}

/** POST /staff/accounts/{accountId}/arrangements/{arrangementId}/cancel: ends an ACTIVE arrangement (its protection with it). */
export async function cancelArrangement(deps: ArrangementDeps, actor: string, input: { accountId: string; arrangementId: string; reason: string }): Promise<{ arrangement: ArrangementView }> {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const guard = await deps.ledger.arrangementGuardVersion(input.accountId);
  const arrangement = (await deps.ledger.listArrangements(input.accountId)).find((a) => a.arrangementId === input.arrangementId);
  if (!arrangement) throw new ArrangementNotFound(`account ${input.accountId} has no arrangement ${input.arrangementId}`);
  if (arrangement.status !== 'ACTIVE') throw new ArrangementNotActive(`arrangement ${input.arrangementId} is ${arrangement.status}, not ACTIVE`);
  const at = deps.clock.now().toISOString();
  const cancelled: Arrangement = { ...arrangement, status: 'CANCELLED', closedAt: at, closedBy: actor, closeReason: input.reason };
  const view = await viewOf(deps.ledger, cancelled, today(deps));
  await deps.ledger.commit({
    entries: [],
    audit: [audit(deps, actor, at, input.accountId, 'arrangement.cancelled', { arrangementId: input.arrangementId, paid: view.tracking.paid, remaining: view.tracking.remaining, reason: input.reason })],
    arrangements: [{ value: cancelled, expectedStatus: 'ACTIVE' }],
    arrangementGuard: { accountId: input.accountId, expectedVersion: guard },
  });
  return { arrangement: view };
}
