/**
 * Payment arrangement requests: a customer with a past-due balance asks for installments from the
 * portal (Idempotency-Key: a retried form makes one request); staff (csr, billing, admin) see the
 * PENDING requests and approve one, which makes the arrangement with createArrangement in the
 * same transaction as the decision, or decline it with a reason. Audited.
 */
import { arrangementIdOf, DEFAULT_FIRST_DUE_DAYS, type ArrangementDecision, type ArrangementRequest } from '../../domain/arrangement-requests';
import type { AuditEvent } from '../../domain/audit';
import { addDays } from '../../domain/calendar';
import { RuleViolation } from '../../domain/errors';
import { requireOwnAccount } from '../../domain/identity';
import { accountBalance } from '../../domain/ledger';
import { Money } from '../../domain/money';
import { requestFingerprint } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import { activeArrangement, createArrangement, today, viewOf, type ArrangementDeps, type ArrangementReadDeps, type ArrangementView } from './arrangements';
import { ArrangementExists, ArrangementRequestDecided, ArrangementRequestNotFound, ArrangementRequestPending } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { LedgerStore, RequestOutcome } from './ports';

export interface ArrangementRequestDeps extends ArrangementReadDeps, Omit<IdempotencyDeps, 'ledger' | 'clock'> {
  ledger: LedgerStore;
  newId: () => string;
}

export interface DecisionInput {
  accountId: string;
  requestId: string;
  decision: ArrangementDecision;
  reason: string;
  /** approve: the first installment's due date (default DEFAULT_FIRST_DUE_DAYS after today). */
  firstDueDate?: string | undefined;
}

function audit(deps: { newId: () => string }, actor: string, at: string, accountId: string, action: string, details: AuditEvent['details']): AuditEvent {
  return { eventId: deps.newId(), entityType: 'ACCOUNT', entityId: accountId, at, actor, action, details };
}

const newestFirst = (requests: ArrangementRequest[]) => [...requests].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.requestId.localeCompare(a.requestId));

/**
 * POST /portal/accounts/{accountId}/arrangement-requests: 201 {request} PENDING. Refused when
 * nothing is past due (422 nothing-past-due), an arrangement is still running (409
 * arrangement-exists) or a request is waiting already (409 arrangement-request-pending). The
 * request is written with the account's arrangement guard, so two at once cannot both pass.
 */
export async function requestMyArrangement(
  deps: ArrangementRequestDeps,
  principal: { customerId: string },
  input: { accountId: string; idempotencyKey: string; installments: number; reason?: string | undefined },
): Promise<RequestOutcome> {
  requireOwnAccount(await deps.accounts.get(input.accountId), principal.customerId, input.accountId);
  const key = `arrangement-request:${input.accountId}:${input.idempotencyKey}`;
  const fingerprint = requestFingerprint({ installments: input.installments, reason: input.reason ?? null });
  return idempotent(deps, key, fingerprint, async (holder) => {
    const guard = await deps.ledger.arrangementGuardVersion(input.accountId);
    const [requests, arrangements, entries] = await Promise.all([deps.ledger.listArrangementRequests(input.accountId), deps.ledger.listArrangements(input.accountId), deps.ledger.listEntries(input.accountId)]);
    const day = today(deps);
    const pending = requests.find((r) => r.status === 'PENDING');
    if (pending) throw new ArrangementRequestPending(`account ${input.accountId} has request ${pending.requestId} waiting for a decision already`);
    const running = activeArrangement(arrangements);
    if (running) {
      const { tracking } = await viewOf(deps.ledger, running, day);
      if (tracking.state !== 'kept' && tracking.state !== 'broken') throw new ArrangementExists(`account ${input.accountId} has payment arrangement ${running.arrangementId} running already`);
    }
    const { pastDue } = accountBalance(entries, day);
    if (!new Money(pastDue).gt(0)) throw new RuleViolation('nothing-past-due', `account ${input.accountId} has nothing past due: an arrangement spreads a past-due balance`);
    const at = deps.clock.now().toISOString();
    const actor = `customer:${principal.customerId}`;
    const request: ArrangementRequest = {
      requestId: `RQ${deps.newId()}`,
      accountId: input.accountId,
      customerId: principal.customerId,
      status: 'PENDING',
      installments: input.installments,
      ...(input.reason ? { reason: input.reason } : {}),
      pastDue,
      requestedAt: at,
      requestedBy: actor,
    };
    const outcome: RequestOutcome = { statusCode: 201, body: { request } };
    await deps.ledger.commit({
      entries: [],
      audit: [audit(deps, actor, at, input.accountId, 'arrangement-request.created', { requestId: request.requestId, installments: request.installments, pastDue })],
      arrangementRequest: { value: request },
      arrangementGuard: { accountId: input.accountId, expectedVersion: guard },
      request: { key, token: holder, outcome },
    });
    return outcome;
  });
}

/** GET /portal/accounts/{accountId}/arrangement-requests: the account's requests, newest first. */
export async function listMyArrangementRequests(deps: ArrangementReadDeps & { ledger: Pick<LedgerStore, 'listArrangementRequests'> }, customerId: string, accountId: string): Promise<{ accountId: string; items: ArrangementRequest[] }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  return { accountId, items: newestFirst(await deps.ledger.listArrangementRequests(accountId)) };
}

/** GET /staff/arrangement-requests?status=PENDING: the requests waiting for a decision, oldest first. */
export async function listPendingArrangementRequests(deps: { ledger: Pick<LedgerStore, 'pagePendingArrangementRequests'> }, page: { limit: number; cursor?: string | undefined }): Promise<{ items: ArrangementRequest[]; nextCursor: string | null }> {
  const found = await deps.ledger.pagePendingArrangementRequests(page.limit, page.cursor);
  return { items: found.items, nextCursor: found.nextCursor ?? null };
}

/**
 * POST /staff/arrangement-requests/{accountId}/{requestId}/decision: approve makes the arrangement
 * (named after the request, in one transaction with the decision), decline records why. The same
 * decision again answers what was decided (a retry is safe); the other decision is 409.
 */
export async function decideArrangementRequest(deps: ArrangementDeps, actor: string, input: DecisionInput): Promise<{ request: ArrangementRequest; arrangement: ArrangementView | null }> {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const request = (await deps.ledger.listArrangementRequests(input.accountId)).find((r) => r.requestId === input.requestId);
  if (!request) throw new ArrangementRequestNotFound(`account ${input.accountId} has no arrangement request ${input.requestId}`);
  if (request.status !== 'PENDING') {
    const same = (input.decision === 'approve' && request.status === 'APPROVED') || (input.decision === 'decline' && request.status === 'DECLINED');
    if (!same) throw new ArrangementRequestDecided(`arrangement request ${input.requestId} was ${request.status.toLowerCase()} already`);
    const arrangement = request.arrangementId ? (await deps.ledger.listArrangements(input.accountId)).find((a) => a.arrangementId === request.arrangementId) : undefined;
    return { request, arrangement: arrangement ? await viewOf(deps.ledger, arrangement, today(deps)) : null };
  }
  const at = deps.clock.now().toISOString();
  const decided = { ...request, decidedAt: at, decidedBy: actor, decisionReason: input.reason };
  if (input.decision === 'decline') {
    const declined: ArrangementRequest = { ...decided, status: 'DECLINED' };
    await deps.ledger.commit({
      entries: [],
      audit: [audit(deps, actor, at, input.accountId, 'arrangement-request.declined', { requestId: request.requestId, reason: input.reason })],
      arrangementRequest: { value: declined, expectedStatus: 'PENDING' },
    });
    return { request: declined, arrangement: null };
  }
  const arrangementId = arrangementIdOf(request.requestId);
  const approved: ArrangementRequest = { ...decided, status: 'APPROVED', arrangementId };
  const { arrangement } = await createArrangement(
    deps,
    actor,
    { accountId: input.accountId, installments: request.installments, firstDueDate: input.firstDueDate ?? addDays(today(deps), DEFAULT_FIRST_DUE_DAYS), reason: `request ${request.requestId}: ${input.reason}` },
    { arrangementId, request: approved },
  );
  return { request: approved, arrangement };
}
