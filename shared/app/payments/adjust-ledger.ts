/**
 * Corrections by staff: an adjustment (a debit charges, a credit forgives) behind an
 * Idempotency-Key, posted at once or kept for another user's approval (see
 * domain/adjustment-approval), and the reversal of a fee, adjustment, refund, transfer or opening balance
 * entered in error. Payments are returned instead (return-payment), bills are rebilled.
 */
import { aboveLimit, adjustmentRequestIdFor, adjustmentRoute, approvedAdjustmentIdFor, decided, whyNotDecide, type AdjustmentRequest, type AdjustmentRequestStatus } from '../../domain/adjustment-approval';
import { InvalidInput } from '../../domain/errors';
import type { StaffRole } from '../../domain/identity';
import { adjustmentEntry, reversalOf, STAFF_REVERSIBLE_KINDS, type LedgerEntry } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { adjustmentIdFor, requestFingerprint } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore } from '../ports';
import { AdjustmentDecisionForbidden, AdjustmentRequestDecided, AdjustmentRequestNotFound, EntryAlreadyReversed, EntryNotFound, EntryNotReversible, LedgerWriteRefused } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { LedgerWrite, RequestOutcome } from './ports';

export interface AdjustDeps extends IdempotencyDeps {
  accounts: AccountStore;
  newId: () => string;
  /** Adjustments above this amount (decimal string) wait for an admin's approval. @default DEFAULT_ADJUSTMENT_APPROVAL_LIMIT */
  approvalLimit?: string;
  /** A CSR's adjustments up to this amount (decimal string) post at once. @default DEFAULT_CSR_ADJUSTMENT_LIMIT */
  csrLimit?: string;
}

/** Who asks for or decides an adjustment. */
export interface Staff {
  username: string;
  roles: readonly StaffRole[];
}

export const DEFAULT_ADJUSTMENT_APPROVAL_LIMIT = '100.00';
export const DEFAULT_CSR_ADJUSTMENT_LIMIT = '25.00';

async function mustAccount(deps: AdjustDeps, accountId: string): Promise<void> {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
}

/**
 * An adjustment behind an Idempotency-Key: posted at once (201 {entry}) by billing or admin
 * staff within the approval limit and by a CSR within the CSR limit; otherwise stored as a PENDING request (202 {request}) that
 * another user approves or rejects (decideAdjustment). A retry with the key replays the answer.
 */
export async function adjustBalance(
  deps: AdjustDeps,
  staff: Staff,
  input: { accountId: string; idempotencyKey: string; amount: string; direction: 'debit' | 'credit'; service?: string | undefined; reason: string },
): Promise<RequestOutcome> {
  await mustAccount(deps, input.accountId);
  const key = `adjustment:${input.accountId}:${input.idempotencyKey}`;
  const fingerprint = requestFingerprint({ amount: input.amount, direction: input.direction, service: input.service ?? null, reason: input.reason });
  const limit = deps.approvalLimit ?? DEFAULT_ADJUSTMENT_APPROVAL_LIMIT;
  return idempotent(deps, key, fingerprint, async (token) => {
    const at = deps.clock.now().toISOString();
    const amount = new Money(input.amount);
    if (adjustmentRoute(staff.roles, amount, limit, deps.csrLimit ?? DEFAULT_CSR_ADJUSTMENT_LIMIT) === 'request') {
      const request: AdjustmentRequest = {
        requestId: adjustmentRequestIdFor(input.accountId, input.idempotencyKey),
        accountId: input.accountId,
        amount: formatMoney(amount),
        direction: input.direction,
        ...(input.service ? { service: input.service } : {}),
        reason: input.reason,
        status: 'PENDING',
        requestedBy: staff.username,
        requestedAt: at,
        approvalLimit: formatMoney(new Money(limit)),
      };
      const outcome: RequestOutcome = { statusCode: 202, body: { request } };
      await deps.ledger.commit({
        entries: [],
        adjustmentRequest: { value: request },
        audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor: staff.username, action: 'ledger.adjustment-requested', details: { requestId: request.requestId, amount: request.amount, direction: input.direction, service: input.service ?? null, reason: input.reason, aboveLimit: aboveLimit(amount, limit) } }],
        request: { key, token, outcome },
      });
      return outcome;
    }
    const adjustmentId = adjustmentIdFor(input.accountId, input.idempotencyKey);
    const entry = adjustmentEntry({ accountId: input.accountId, adjustmentId, amount, direction: input.direction, service: input.service, postedAt: at, description: `Adjustment ${adjustmentId}: ${input.reason}`, actor: staff.username });
    const outcome: RequestOutcome = { statusCode: 201, body: { entry } };
    await deps.ledger.commit({
      entries: [entry],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor: staff.username, action: 'ledger.adjusted', details: { entryId: entry.entryId, amount: formatMoney(amount), direction: input.direction, service: input.service ?? null, reason: input.reason } }],
      request: { key, token, outcome },
    });
    return outcome;
  });
}

export async function listAdjustmentRequests(deps: Pick<AdjustDeps, 'ledger' | 'approvalLimit'>, input: { status: AdjustmentRequestStatus; limit: number; cursor?: string | undefined }): Promise<{ items: AdjustmentRequest[]; nextCursor: string | null; approvalLimit: string }> {
  const page = await deps.ledger.pageAdjustmentRequests(input.status, input.limit, input.cursor);
  return { items: page.items, nextCursor: page.nextCursor ?? null, approvalLimit: formatMoney(new Money(deps.approvalLimit ?? DEFAULT_ADJUSTMENT_APPROVAL_LIMIT)) };
}

/**
 * Approves (posts the ledger entry keyed by the request) or rejects a PENDING request, in one
 * transaction with the request's new status and the audit event: a retry, or a second decider,
 * finds the request decided and cannot post again. The same decision repeated by the same user
 * answers the decided request (a retry after a lost answer).
 */
export async function decideAdjustment(
  deps: AdjustDeps,
  staff: Staff,
  input: { accountId: string; requestId: string; decision: 'approve' | 'reject'; reason?: string | undefined },
): Promise<{ request: AdjustmentRequest; entry?: LedgerEntry }> {
  const current = await deps.ledger.getAdjustmentRequest(input.accountId, input.requestId);
  if (!current) throw new AdjustmentRequestNotFound(`account ${input.accountId} has no adjustment request ${input.requestId}`);
  const settled = await alreadyDecided(deps, current, staff, input.decision);
  if (settled) return settled;
  const why = whyNotDecide(current, staff);
  if (why) throw new AdjustmentDecisionForbidden(why);
  const at = deps.clock.now().toISOString();
  const reason = input.reason?.trim() || undefined;
  if (input.decision === 'reject') {
    if (!reason) throw new InvalidInput('a rejection needs a reason', [{ path: 'body.reason', message: 'required when the decision is reject' }]);
    const request = decided(current, { decision: 'reject', by: staff.username, at, reason });
    await commitDecision(deps, current, staff, {
      entries: [],
      adjustmentRequest: { value: request, expectedStatus: 'PENDING' },
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: current.accountId, at, actor: staff.username, action: 'ledger.adjustment-rejected', details: { requestId: current.requestId, amount: current.amount, direction: current.direction, requestedBy: current.requestedBy, reason } }],
    });
    return { request };
  }
  const adjustmentId = approvedAdjustmentIdFor(current);
  const entry = adjustmentEntry({
    accountId: current.accountId,
    adjustmentId,
    amount: new Money(current.amount),
    direction: current.direction,
    service: current.service,
    postedAt: at,
    description: `Adjustment ${adjustmentId}: ${current.reason} (requested by ${current.requestedBy}, approved by ${staff.username})`,
    actor: staff.username,
  });
  const audit = (entryId: string) => [{ eventId: deps.newId(), entityType: 'ACCOUNT' as const, entityId: current.accountId, at, actor: staff.username, action: 'ledger.adjustment-approved', details: { requestId: current.requestId, entryId, amount: current.amount, direction: current.direction, service: current.service ?? null, requestedBy: current.requestedBy, ...(reason ? { note: reason } : {}) } }];
  try {
    const request = decided(current, { decision: 'approve', by: staff.username, at, reason, entryId: entry.entryId });
    await commitDecision(deps, current, staff, { entries: [entry], adjustmentRequest: { value: request, expectedStatus: 'PENDING' }, audit: audit(entry.entryId) });
    return { request, entry };
  } catch (error) {
    if (!(error instanceof LedgerWriteRefused && error.part === 'entry')) throw error;
    // The request's entry is in the ledger already (posted by an earlier attempt whose status
    // write was lost): mark the request approved with that entry instead of posting again.
    const posted = (await deps.ledger.listEntries(current.accountId)).find((e) => e.idempotencyKey === entry.idempotencyKey);
    if (!posted) throw error;
    const request = decided(current, { decision: 'approve', by: staff.username, at, reason, entryId: posted.entryId });
    await commitDecision(deps, current, staff, { entries: [], adjustmentRequest: { value: request, expectedStatus: 'PENDING' }, audit: audit(posted.entryId) });
    return { request, entry: posted };
  }
}

/** The answer for a request decided before: a repeat of the same decision by the same user, or 409. */
async function alreadyDecided(deps: AdjustDeps, request: AdjustmentRequest, staff: Staff, decision: 'approve' | 'reject'): Promise<{ request: AdjustmentRequest; entry?: LedgerEntry } | undefined> {
  if (request.status === 'PENDING') return undefined;
  const same = request.decidedBy === staff.username && (request.status === 'APPROVED') === (decision === 'approve');
  if (!same) throw new AdjustmentRequestDecided(`adjustment request ${request.requestId} was ${request.status.toLowerCase()} by ${request.decidedBy ?? 'another user'} already`);
  const entry = request.entryId ? (await deps.ledger.listEntries(request.accountId)).find((e) => e.entryId === request.entryId) : undefined;
  return { request, ...(entry ? { entry } : {}) };
}

/** Commits a decision; when another decision won meanwhile, says so (409) instead of a bare refusal. */
async function commitDecision(deps: AdjustDeps, current: AdjustmentRequest, staff: Staff, write: LedgerWrite): Promise<void> {
  try {
    await deps.ledger.commit(write);
  } catch (error) {
    if (!(error instanceof LedgerWriteRefused && error.part === 'adjustment-request')) throw error;
    const now = await deps.ledger.getAdjustmentRequest(current.accountId, current.requestId);
    throw new AdjustmentRequestDecided(`adjustment request ${current.requestId} was ${now?.status.toLowerCase() ?? 'changed'} by ${now?.decidedBy ?? 'another user'} meanwhile`);
  }
}

export async function reverseEntry(deps: AdjustDeps, actor: string, input: { accountId: string; entryId: string; reason: string }): Promise<{ reversal: LedgerEntry }> {
  await mustAccount(deps, input.accountId);
  const entries = await deps.ledger.listEntries(input.accountId);
  const original = entries.find((entry) => entry.entryId === input.entryId);
  if (!original) throw new EntryNotFound(`account ${input.accountId} has no ledger entry ${input.entryId}`);
  if (!STAFF_REVERSIBLE_KINDS.has(original.kind)) {
    const instead = original.kind === 'PAYMENT' ? 'return the payment instead' : original.kind === 'BILL' ? 'bills are corrected by rebilling' : 'a reversal is final; post a new entry instead';
    throw new EntryNotReversible('not-reversible', `a ${original.kind} entry cannot be reversed here: ${instead}`);
  }
  if (entries.some((entry) => entry.reverses === original.entryId)) throw new EntryAlreadyReversed(`entry ${original.entryId} was reversed already`);
  const at = deps.clock.now().toISOString();
  const reversal = reversalOf(original, { postedAt: at, description: `Reversal of ${original.entryId} (${original.kind}): ${input.reason}`, actor });
  try {
    await deps.ledger.commit({
      entries: [reversal],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'ledger.reversed', details: { entryId: original.entryId, kind: original.kind, reversalEntryId: reversal.entryId, reason: input.reason } }],
    });
  } catch (error) {
    if (error instanceof LedgerWriteRefused && error.part === 'entry') throw new EntryAlreadyReversed(`entry ${original.entryId} was reversed already`);
    throw error;
  }
  return { reversal };
}
