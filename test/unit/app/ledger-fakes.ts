/** An in-memory LedgerStore with the conditions of the DynamoDB one (keys once, payments by status, requests by token). */
import { LedgerWriteRefused } from '../../../shared/app/payments/errors';
import type { ChargeResult, LedgerStore, LedgerWrite, PaymentProvider, RequestRecord, RequestSlot } from '../../../shared/app/payments/ports';
import type { Page } from '../../../shared/app/ports';
import type { AdjustmentRequest, AdjustmentRequestStatus } from '../../../shared/domain/adjustment-approval';
import type { ArrangementRequest } from '../../../shared/domain/arrangement-requests';
import type { Arrangement } from '../../../shared/domain/arrangements';
import type { AuditEvent } from '../../../shared/domain/audit';
import type { BudgetPlan } from '../../../shared/domain/budget';
import type { Deposit } from '../../../shared/domain/deposits';
import type { Dispute } from '../../../shared/domain/disputes';
import type { LedgerEntry } from '../../../shared/domain/ledger';
import type { Payment } from '../../../shared/domain/payments';

interface StoredRequest {
  fingerprint: string;
  status: 'PENDING' | 'DONE';
  token: string;
  leaseUntil: string;
  outcome?: RequestRecord['outcome'];
}

export class MemoryLedger implements LedgerStore {
  readonly entries: LedgerEntry[] = [];
  readonly keys = new Set<string>();
  readonly payments = new Map<string, Payment>();
  readonly requests = new Map<string, StoredRequest>();
  readonly webhookEvents = new Set<string>();
  readonly audit: AuditEvent[] = [];
  readonly guards = new Map<string, number>();
  readonly arrangementGuards = new Map<string, number>();
  readonly arrangements = new Map<string, Arrangement>();
  readonly arrangementRequests = new Map<string, ArrangementRequest>();
  readonly disputes = new Map<string, Dispute>();
  readonly deposits = new Map<string, Deposit>();
  readonly budgets = new Map<string, BudgetPlan>();
  /** Fails the next commit (after its checks, before writing) with this error: a crash half-way. */
  failNextCommit?: Error;
  readonly traces = new Map<string, string>();
  readonly adjustmentRequests = new Map<string, AdjustmentRequest>();
  private tokens = 0;

  async listEntries(accountId: string) {
    return this.entries.filter((e) => e.accountId === accountId).sort((a, b) => a.postedAt.localeCompare(b.postedAt));
  }
  async pageEntries(accountId: string, limit: number): Promise<Page<LedgerEntry>> {
    return { items: (await this.listEntries(accountId)).reverse().slice(0, limit) };
  }
  async getPayment(paymentId: string) {
    return this.payments.get(paymentId);
  }
  async listPayments(accountId: string, limit: number): Promise<Page<Payment>> {
    return { items: [...this.payments.values()].filter((p) => p.accountId === accountId).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, limit) };
  }
  async beginRequest(key: string, fingerprint: string, now: Date, leaseMs: number): Promise<RequestSlot> {
    const old = this.requests.get(key);
    if (old && !(old.status === 'PENDING' && old.leaseUntil < now.toISOString() && old.fingerprint === fingerprint)) return this.slotOf(old);
    const token = `T${++this.tokens}`;
    this.requests.set(key, { fingerprint, status: 'PENDING', token, leaseUntil: new Date(now.getTime() + leaseMs).toISOString() });
    return { state: 'started', token };
  }
  private slotOf(stored: StoredRequest): RequestSlot {
    return stored.status === 'DONE' ? { state: 'done', fingerprint: stored.fingerprint, outcome: stored.outcome! } : { state: 'pending', fingerprint: stored.fingerprint, leaseUntil: stored.leaseUntil };
  }
  async getRequest(key: string) {
    const stored = this.requests.get(key);
    return stored && this.slotOf(stored);
  }
  async releaseRequest(key: string, token: string) {
    const stored = this.requests.get(key);
    if (stored?.status === 'PENDING' && stored.token === token) this.requests.delete(key);
  }
  private checkRequest(record: RequestRecord): StoredRequest {
    const stored = this.requests.get(record.key);
    if (!stored || stored.status !== 'PENDING' || stored.token !== record.token) throw new LedgerWriteRefused('request', `request ${record.key} is no longer held by this caller`);
    return stored;
  }
  async completeRequest(record: RequestRecord) {
    const stored = this.checkRequest(record);
    Object.assign(stored, { status: 'DONE', outcome: record.outcome });
  }
  async commit(write: LedgerWrite) {
    // Check every condition first: all or nothing, like a transaction.
    for (const entry of write.entries) if (this.keys.has(`${entry.accountId}|${entry.idempotencyKey}`)) throw new LedgerWriteRefused('entry', `ledger entry ${entry.idempotencyKey} was posted before`);
    if (write.payment) {
      const current = this.payments.get(write.payment.value.paymentId);
      if (write.payment.expectedStatus ? current?.status !== write.payment.expectedStatus : current) throw new LedgerWriteRefused('payment', 'payment changed');
    }
    const request = write.request && this.checkRequest(write.request);
    if (write.webhookEvent && this.webhookEvents.has(write.webhookEvent.eventId)) throw new LedgerWriteRefused('webhook', 'event seen');
    if (write.refundGuard && (this.guards.get(write.refundGuard.accountId) ?? 0) !== write.refundGuard.expectedVersion) throw new LedgerWriteRefused('guard', 'guard moved');
    if (write.arrangementGuard && (this.arrangementGuards.get(write.arrangementGuard.accountId) ?? 0) !== write.arrangementGuard.expectedVersion) throw new LedgerWriteRefused('guard', 'arrangement guard moved');
    for (const change of write.arrangements ?? []) {
      const current = this.arrangements.get(change.value.arrangementId);
      if (change.expectedStatus ? current?.status !== change.expectedStatus : current) throw new LedgerWriteRefused('arrangement', 'arrangement changed');
    }
    if (write.arrangementRequest) {
      const current = this.arrangementRequests.get(write.arrangementRequest.value.requestId);
      if (write.arrangementRequest.expectedStatus ? current?.status !== write.arrangementRequest.expectedStatus : current) throw new LedgerWriteRefused('arrangement-request', 'arrangement request changed');
    }
    if (write.dispute) {
      const current = this.disputes.get(write.dispute.value.disputeId);
      if (write.dispute.expectedStatus ? current?.status !== write.dispute.expectedStatus : current) throw new LedgerWriteRefused('dispute', 'dispute changed');
    }
    for (const change of write.deposits ?? []) {
      const current = this.deposits.get(change.value.depositId);
      if (change.expectedStatus ? current?.status !== change.expectedStatus : current) throw new LedgerWriteRefused('deposit', 'deposit changed');
    }
    if (write.budget && (this.budgets.get(write.budget.value.accountId)?.version ?? 0) !== write.budget.expectedVersion) throw new LedgerWriteRefused('budget', 'budget changed');
    if (write.adjustmentRequest) {
      const current = this.adjustmentRequests.get(`${write.adjustmentRequest.value.accountId}|${write.adjustmentRequest.value.requestId}`);
      if (write.adjustmentRequest.expectedStatus ? current?.status !== write.adjustmentRequest.expectedStatus : current) throw new LedgerWriteRefused('adjustment-request', 'adjustment request changed');
    }
    if (this.failNextCommit) {
      const failure = this.failNextCommit;
      delete this.failNextCommit;
      throw failure;
    }
    if (write.achTrace && this.traces.has(write.achTrace.traceNumber)) throw new LedgerWriteRefused('trace', 'trace claimed');
    for (const entry of write.entries) {
      this.keys.add(`${entry.accountId}|${entry.idempotencyKey}`);
      this.entries.push(entry);
    }
    if (write.payment) this.payments.set(write.payment.value.paymentId, write.payment.value);
    this.audit.push(...write.audit);
    if (request) Object.assign(request, { status: 'DONE', outcome: write.request!.outcome });
    if (write.webhookEvent) this.webhookEvents.add(write.webhookEvent.eventId);
    if (write.refundGuard) this.guards.set(write.refundGuard.accountId, write.refundGuard.expectedVersion + 1);
    if (write.arrangementGuard) this.arrangementGuards.set(write.arrangementGuard.accountId, write.arrangementGuard.expectedVersion + 1);
    for (const change of write.arrangements ?? []) this.arrangements.set(change.value.arrangementId, change.value);
    if (write.arrangementRequest) this.arrangementRequests.set(write.arrangementRequest.value.requestId, write.arrangementRequest.value);
    if (write.dispute) this.disputes.set(write.dispute.value.disputeId, write.dispute.value);
    for (const change of write.deposits ?? []) this.deposits.set(change.value.depositId, change.value);
    if (write.budget) this.budgets.set(write.budget.value.accountId, { ...write.budget.value, version: write.budget.expectedVersion + 1 });
    if (write.achTrace) this.traces.set(write.achTrace.traceNumber, write.achTrace.paymentId);
    if (write.adjustmentRequest) this.adjustmentRequests.set(`${write.adjustmentRequest.value.accountId}|${write.adjustmentRequest.value.requestId}`, write.adjustmentRequest.value);
  }
  async getAdjustmentRequest(accountId: string, requestId: string) {
    return this.adjustmentRequests.get(`${accountId}|${requestId}`);
  }
  async pageAdjustmentRequests(status: AdjustmentRequestStatus, limit: number): Promise<Page<AdjustmentRequest>> {
    const key = (r: AdjustmentRequest) => `${r.requestedAt}#${r.accountId}#${r.requestId}`;
    return { items: [...this.adjustmentRequests.values()].filter((r) => r.status === status).sort((a, b) => key(a).localeCompare(key(b))).slice(0, limit) };
  }
  async paymentIdByTrace(traceNumber: string) {
    return this.traces.get(traceNumber);
  }
  async recordWebhookEvent(event: { eventId: string }) {
    if (this.webhookEvents.has(event.eventId)) return false;
    this.webhookEvents.add(event.eventId);
    return true;
  }
  async refundGuardVersion(accountId: string) {
    return this.guards.get(accountId) ?? 0;
  }
  async arrangementGuardVersion(accountId: string) {
    return this.arrangementGuards.get(accountId) ?? 0;
  }
  async listArrangements(accountId: string) {
    return [...this.arrangements.values()].filter((a) => a.accountId === accountId).sort((a, b) => a.arrangementId.localeCompare(b.arrangementId));
  }
  async listArrangementRequests(accountId: string) {
    return [...this.arrangementRequests.values()].filter((r) => r.accountId === accountId).sort((a, b) => a.requestId.localeCompare(b.requestId));
  }
  async pagePendingArrangementRequests(limit: number): Promise<Page<ArrangementRequest>> {
    return { items: [...this.arrangementRequests.values()].filter((r) => r.status === 'PENDING').sort((a, b) => `${a.requestedAt}#${a.accountId}#${a.requestId}`.localeCompare(`${b.requestedAt}#${b.accountId}#${b.requestId}`)).slice(0, limit) };
  }
  async listDeposits(accountId: string) {
    return [...this.deposits.values()].filter((d) => d.accountId === accountId).sort((a, b) => a.depositId.localeCompare(b.depositId));
  }
  async pageHeldDeposits(limit: number): Promise<Page<Deposit>> {
    return { items: [...this.deposits.values()].filter((d) => d.status === 'BILLED').sort((a, b) => `${a.accountId}#${a.depositId}`.localeCompare(`${b.accountId}#${b.depositId}`)).slice(0, limit) };
  }
  async getBudget(accountId: string) {
    return this.budgets.get(accountId);
  }
  async getBudgets(accountIds: readonly string[]) {
    return accountIds.flatMap((id) => (this.budgets.has(id) ? [this.budgets.get(id)!] : []));
  }
  async listDisputes(accountId: string) {
    return [...this.disputes.values()].filter((d) => d.accountId === accountId).sort((a, b) => a.disputeId.localeCompare(b.disputeId));
  }
}

/** A provider that records its calls and answers from a table of tokens. */
export class RecordingProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly calls: Array<{ idempotencyKey: string; amount: string; token: string }> = [];
  constructor(private readonly answer: (token: string, key: string) => ChargeResult = (_token, key) => ({ status: 'succeeded', reference: `ref-${key}` })) {}
  async charge(input: { idempotencyKey: string; amount: string; token: string }): Promise<ChargeResult> {
    this.calls.push({ idempotencyKey: input.idempotencyKey, amount: input.amount, token: input.token });
    return this.answer(input.token, input.idempotencyKey);
  }
}
