/**
 * Adjustments with approval: who may post an adjustment at once, and who may approve or reject
 * a pending adjustment request. Billing and admin staff post adjustments up to the approval
 * limit at once, CSRs up to their smaller limit (so a CSR settles a small billing dispute on the
 * first call); anything above waits as a PENDING request that another user decides: billing or
 * admin within the approval limit, admin above it. The requester never decides their own request.
 */
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { StaffRole } from './identity';

export const ADJUSTMENT_REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type AdjustmentRequestStatus = (typeof ADJUSTMENT_REQUEST_STATUSES)[number];

export interface AdjustmentRequest {
  requestId: string;
  accountId: string;
  /** Decimal string, positive. */
  amount: string;
  direction: 'debit' | 'credit';
  service?: string;
  reason: string;
  status: AdjustmentRequestStatus;
  requestedBy: string;
  requestedAt: string;
  /** The approval limit in force when it was requested (decimal string). */
  approvalLimit: string;
  decidedBy?: string;
  decidedAt?: string;
  /** Why it was rejected (or a note with the approval). */
  decisionReason?: string;
  /** The ledger entry an approval posted. */
  entryId?: string;
}

/** Roles that post adjustments within the limit at once, and approve requests within it. */
export const ADJUSTMENT_POSTERS: readonly StaffRole[] = ['billing', 'admin'];
/** Roles that approve requests above the limit. */
export const LARGE_ADJUSTMENT_APPROVERS: readonly StaffRole[] = ['admin'];

const hasAny = (roles: readonly StaffRole[], allowed: readonly StaffRole[]) => roles.some((role) => allowed.includes(role));

export const aboveLimit = (amount: Decimal.Value, limit: Decimal.Value): boolean => new Decimal(amount).gt(limit);

/** Whether an adjustment by a user with these roles posts at once ('post') or waits for approval ('request'). */
export function adjustmentRoute(roles: readonly StaffRole[], amount: Decimal.Value, limit: Decimal.Value, csrLimit: Decimal.Value = 0): 'post' | 'request' {
  if (hasAny(roles, ADJUSTMENT_POSTERS) && !aboveLimit(amount, limit)) return 'post';
  return roles.includes('csr') && !aboveLimit(amount, csrLimit) && !aboveLimit(amount, limit) ? 'post' : 'request';
}

/** Why this user may not decide the request, or undefined when they may. */
export function whyNotDecide(request: Pick<AdjustmentRequest, 'requestedBy' | 'amount' | 'approvalLimit'>, decider: { username: string; roles: readonly StaffRole[] }): string | undefined {
  if (decider.username === request.requestedBy) return 'the requester cannot decide their own adjustment request: another user must approve or reject it';
  if (aboveLimit(request.amount, request.approvalLimit)) {
    return hasAny(decider.roles, LARGE_ADJUSTMENT_APPROVERS) ? undefined : `the adjustment is above the approval limit of ${request.approvalLimit}: only an admin may decide it`;
  }
  return hasAny(decider.roles, ADJUSTMENT_POSTERS) ? undefined : 'only billing or admin staff may decide adjustment requests';
}

/** The request id of an adjustment asked for with an Idempotency-Key (a retry finds the same request). */
export function adjustmentRequestIdFor(accountId: string, idempotencyKey: string): string {
  return `AR${createHash('sha256').update(JSON.stringify(['adjustment-request', accountId, idempotencyKey])).digest('hex').slice(0, 20).toUpperCase()}`;
}

/** The adjustment id an approval posts: one per request, so the ledger refuses a second posting. */
export function approvedAdjustmentIdFor(request: Pick<AdjustmentRequest, 'requestId'>): string {
  return `J${request.requestId}`;
}

export function decided(request: AdjustmentRequest, input: { decision: 'approve' | 'reject'; by: string; at: string; reason?: string | undefined; entryId?: string }): AdjustmentRequest {
  return {
    ...request,
    status: input.decision === 'approve' ? 'APPROVED' : 'REJECTED',
    decidedBy: input.by,
    decidedAt: input.at,
    ...(input.reason ? { decisionReason: input.reason } : {}),
    ...(input.entryId ? { entryId: input.entryId } : {}),
  };
}
