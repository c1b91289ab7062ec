/** What the ledger and payment use cases need from storage and from the payment provider. */
import type { AdjustmentRequest, AdjustmentRequestStatus } from '../../domain/adjustment-approval';
import type { ArrangementRequest, ArrangementRequestStatus } from '../../domain/arrangement-requests';
import type { Arrangement, ArrangementStatus } from '../../domain/arrangements';
import type { AuditEvent } from '../../domain/audit';
import type { BudgetPlan } from '../../domain/budget';
import type { Deposit, DepositStatus } from '../../domain/deposits';
import type { Dispute } from '../../domain/disputes';
import type { LedgerEntry } from '../../domain/ledger';
import type { Payment } from '../../domain/payments';
import type { Page } from '../ports';

/** The stored answer of an idempotent request, replayed for a retry with the same key. */
export interface RequestOutcome {
  statusCode: number;
  body: unknown;
}

export type RequestSlot =
  /** This caller holds the key until `leaseUntil` and must finish with `token`. */
  | { state: 'started'; token: string }
  | { state: 'done'; fingerprint: string; outcome: RequestOutcome }
  | { state: 'pending'; fingerprint: string; leaseUntil: string };

export interface RequestRecord {
  key: string;
  token: string;
  outcome: RequestOutcome;
}

/**
 * One atomic ledger write: entries (each with its idempotency item, refused when the key was
 * posted before), a new or changed payment, audit events, and optionally the request record it
 * completes, the webhook event it consumes, the account's refund guard it advances, an arrangement or a
 * dispute it creates or changes (with the arrangement guard).
 */
export interface LedgerWrite {
  entries: LedgerEntry[];
  payment?: { value: Payment; expectedStatus?: Payment['status'] };
  audit: AuditEvent[];
  request?: RequestRecord;
  webhookEvent?: { eventId: string; type: string; receivedAt: string };
  refundGuard?: { accountId: string; expectedVersion: number };
  /** New arrangements, or changed ones that must still have `expectedStatus`. */
  arrangements?: Array<{ value: Arrangement; expectedStatus?: ArrangementStatus }>;
  /** A new arrangement request, or a decided one that must still have `expectedStatus`. */
  arrangementRequest?: { value: ArrangementRequest; expectedStatus?: ArrangementRequestStatus };
  /** Serializes changes to the account's arrangements (create, close, request). */
  arrangementGuard?: { accountId: string; expectedVersion: number };
  /** A new dispute, or a changed one that must still be OPEN. */
  dispute?: { value: Dispute; expectedStatus?: Dispute['status'] };
  /** New deposits, or changed ones that must still have `expectedStatus`. */
  deposits?: Array<{ value: Deposit; expectedStatus?: DepositStatus }>;
  /** The account's budget-billing plan, written when its stored version is still `expectedVersion` (0 = none stored yet); stored with version expectedVersion + 1. */
  budget?: { value: BudgetPlan; expectedVersion: number };
  /** An autopay debit's NACHA trace number, claimed once and pointing at its payment (returns find it). */
  achTrace?: { traceNumber: string; paymentId: string; accountId: string };
  /** A new adjustment request, or a decided one that must still be PENDING. */
  adjustmentRequest?: { value: AdjustmentRequest; expectedStatus?: 'PENDING' };
}

export interface LedgerStore {
  /** Every entry of the account, oldest first (consistent read). */
  listEntries(accountId: string): Promise<LedgerEntry[]>;
  /** One page of the account's entries, newest first. */
  pageEntries(accountId: string, limit: number, cursor?: string): Promise<Page<LedgerEntry>>;
  getPayment(paymentId: string): Promise<Payment | undefined>;
  /** The account's payments, newest first. */
  listPayments(accountId: string, limit: number, cursor?: string): Promise<Page<Payment>>;
  /**
   * Claims an idempotency key: a new key (or a pending one whose lease ran out, with the same
   * fingerprint) is started for this caller; otherwise the stored state is returned.
   */
  beginRequest(key: string, fingerprint: string, now: Date, leaseMs: number): Promise<RequestSlot>;
  getRequest(key: string): Promise<RequestSlot | undefined>;
  /** Gives up a pending key this caller holds (its work failed); a finished request is kept. */
  releaseRequest(key: string, token: string): Promise<void>;
  /** Finishes a request that writes nothing else (a declined card). */
  completeRequest(record: RequestRecord): Promise<void>;
  /** Performs the write in one transaction; LedgerWriteRefused names the part whose condition failed. */
  commit(write: LedgerWrite): Promise<void>;
  /** Records a webhook event that changes nothing; false when it was seen before. */
  recordWebhookEvent(event: { eventId: string; type: string; receivedAt: string }): Promise<boolean>;
  refundGuardVersion(accountId: string): Promise<number>;
  /** The account's arrangements (oldest id first; consistent read). */
  listArrangements(accountId: string): Promise<Arrangement[]>;
  arrangementGuardVersion(accountId: string): Promise<number>;
  /** The account's arrangement requests, oldest id first (consistent read). */
  listArrangementRequests(accountId: string): Promise<ArrangementRequest[]>;
  /** One page of the PENDING arrangement requests across accounts, oldest first. */
  pagePendingArrangementRequests(limit: number, cursor?: string): Promise<Page<ArrangementRequest>>;
  /** The account's disputes, open and closed (consistent read). */
  listDisputes(accountId: string): Promise<Dispute[]>;
  /** The account's deposits, oldest id first (consistent read). */
  listDeposits(accountId: string): Promise<Deposit[]>;
  /** One page of the deposits held (BILLED) across accounts, by account. */
  pageHeldDeposits(limit: number, cursor?: string): Promise<Page<Deposit>>;
  /** The account's budget-billing plan (active or ended), if it ever enrolled. */
  getBudget(accountId: string): Promise<BudgetPlan | undefined>;
  /** The budget-billing plans of these accounts (accounts that never enrolled are left out). */
  getBudgets(accountIds: readonly string[]): Promise<BudgetPlan[]>;
  /** The payment an autopay debit's trace number belongs to. */
  paymentIdByTrace(traceNumber: string): Promise<string | undefined>;
  /** One adjustment request of the account (consistent read). */
  getAdjustmentRequest(accountId: string, requestId: string): Promise<AdjustmentRequest | undefined>;
  /** One page of the adjustment requests with this status across accounts, oldest request first. */
  pageAdjustmentRequests(status: AdjustmentRequestStatus, limit: number, cursor?: string): Promise<Page<AdjustmentRequest>>;
}

export type ChargeResult = { status: 'succeeded'; reference: string } | { status: 'declined'; reason: string };

export interface PaymentProvider {
  readonly name: string;
  /**
   * Charges a tokenized card or bank account. `idempotencyKey` (the payment id) makes a repeated
   * call return the first result instead of charging twice.
   */
  charge(input: { idempotencyKey: string; amount: string; currency: 'USD'; token: string; method: 'CARD' | 'BANK' }): Promise<ChargeResult>;
}
