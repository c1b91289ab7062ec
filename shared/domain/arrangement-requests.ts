/**
 * Payment arrangement requests: a customer with a past-due balance asks, from the portal, to pay
 * it in installments; billing staff approve the request (which makes the arrangement) or decline
 * it with a reason. A request is PENDING until decided; an account has at most one PENDING request.
 */
export const ARRANGEMENT_REQUEST_STATUSES = ['PENDING', 'APPROVED', 'DECLINED'] as const;
export type ArrangementRequestStatus = (typeof ARRANGEMENT_REQUEST_STATUSES)[number];

export const ARRANGEMENT_DECISIONS = ['approve', 'decline'] as const;
export type ArrangementDecision = (typeof ARRANGEMENT_DECISIONS)[number];

/** Days from the approval to the first installment when staff do not choose the date. */
export const DEFAULT_FIRST_DUE_DAYS = 14;

export interface ArrangementRequest {
  requestId: string;
  accountId: string;
  customerId: string;
  status: ArrangementRequestStatus;
  /** Monthly installments asked for (1 to MAX_INSTALLMENTS). */
  installments: number;
  reason?: string;
  /** What was past due when the customer asked (decimal string). */
  pastDue: string;
  requestedAt: string;
  requestedBy: string;
  decidedAt?: string;
  decidedBy?: string;
  decisionReason?: string;
  /** APPROVED: the arrangement the approval made. */
  arrangementId?: string;
}

/** The arrangement an approval makes is named after the request, so a retried approval cannot make a second one. */
export function arrangementIdOf(requestId: string): string {
  return `AR${requestId}`;
}
