/**
 * Payments from the portal (card or bank through the payment provider) and at the counter
 * (staff), each behind its Idempotency-Key: while a payment arrangement is ACTIVE, to its
 * installments first (its covered charges); then to open charges oldest first (or to a named
 * service first), the rest an account-level credit; one ledger entry, the payment, its
 * audit event and the request's answer in one transaction.
 */
import { requireOwnAccount } from '../../domain/identity';
import { arrangementShareOf } from '../../domain/arrangements';
import { allocatePayment, paymentCredit, paymentEntry } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { paymentIdFor, requestFingerprint, type Payment, type PaymentMethod } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore, Clock } from '../ports';
import { activeArrangement, paidToward } from './arrangements';
import { LedgerWriteRefused } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { LedgerStore, PaymentProvider, RequestOutcome, RequestRecord } from './ports';

export interface PaymentDeps extends IdempotencyDeps {
  accounts: AccountStore;
  provider: PaymentProvider;
  newId: () => string;
}

interface PostInput {
  accountId: string;
  idempotencyKey: string;
  amount: string;
  method: PaymentMethod;
  service?: string | undefined;
  reference?: string | undefined;
}

/** What a payment request answers (and replays): the payment and where the money went. */
export interface PaymentAnswer {
  payment: Payment;
}

async function post(deps: PaymentDeps, channel: 'PORTAL' | 'COUNTER', actor: string, input: PostInput, token: string, charged: { reference?: string; provider?: string }): Promise<RequestOutcome> {
  const paymentId = paymentIdFor(input.accountId, `${channel}:${input.idempotencyKey}`);
  return postPayment(deps, {
    paymentId,
    accountId: input.accountId,
    amount: input.amount,
    method: input.method,
    channel,
    actor,
    description: `${channel === 'PORTAL' ? 'Portal' : 'Counter'} payment ${paymentId} (${input.method})`,
    ...(input.service ? { service: input.service } : {}),
    extra: { ...(charged.reference ? { reference: charged.reference } : {}), ...(charged.provider ? { provider: charged.provider } : {}) },
    request: (outcome) => ({ key: requestKey(channel, input.accountId, input.idempotencyKey), token, outcome }),
  });
}

const GUARD_ATTEMPTS = 4;

/** One payment to post: its id (the idempotency of the ledger write), where it came from, and what its write also completes. */
export interface PaymentToPost {
  paymentId: string;
  accountId: string;
  amount: string;
  method: PaymentMethod;
  channel: Payment['channel'];
  actor: string;
  description: string;
  service?: string;
  /** Fields stored on the payment besides the computed ones (reference, provider, trace number, file, ...). */
  extra?: Partial<Pick<Payment, 'reference' | 'provider' | 'traceNumber' | 'debitDate' | 'bankFileId' | 'bankFileLine'>>;
  /** The idempotent request the write completes, given the answer. */
  request?: (outcome: RequestOutcome) => RequestRecord;
  /** Claims the autopay debit's trace number in the same write. */
  achTrace?: string;
  /** More facts for the audit event. */
  auditDetails?: Record<string, unknown>;
}

/**
 * Posts one payment: while an arrangement is ACTIVE to its covered charges first, then oldest
 * first (or to `service` first), the rest an account-level credit; the entry, the payment, its
 * audit event (and the request it completes) in one transaction. A payment id posts at most once
 * (LedgerWriteRefused 'payment' or 'entry' otherwise); a racing arrangement change recomputes.
 */
export async function postPayment(deps: { ledger: LedgerStore; clock: Clock; newId: () => string }, spec: PaymentToPost): Promise<RequestOutcome> {
  const at = deps.clock.now().toISOString();
  for (let attempt = 1; ; attempt++) {
    try {
      return await postOnce(deps, spec, at);
    } catch (error) {
      // Another payment to the same arrangement (or a change to it) committed first: recompute the share.
      if (error instanceof LedgerWriteRefused && error.part === 'guard' && attempt < GUARD_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function postOnce(deps: { ledger: LedgerStore; newId: () => string }, spec: PaymentToPost, at: string): Promise<RequestOutcome> {
  const { paymentId } = spec;
  const amount = new Money(spec.amount);
  // The guard version first: a payment that pays an arrangement advances it, so two cannot both take its last installment.
  const guard = await deps.ledger.arrangementGuardVersion(spec.accountId);
  const [entries, arrangements] = await Promise.all([deps.ledger.listEntries(spec.accountId), deps.ledger.listArrangements(spec.accountId)]);
  const arrangement = activeArrangement(arrangements);
  const share = arrangement ? arrangementShareOf(arrangement, await paidToward(deps.ledger, arrangement), amount) : new Money(0);
  const allocations = allocatePayment(entries, amount, spec.service, arrangement && share.gt(0) ? new Set(arrangement.coveredCharges) : undefined);
  const entry = paymentEntry({ accountId: spec.accountId, paymentId, amount, allocations, postedAt: at, description: spec.description, actor: spec.actor });
  const payment: Payment = {
    paymentId,
    accountId: spec.accountId,
    amount: formatMoney(amount),
    method: spec.method,
    channel: spec.channel,
    status: 'POSTED',
    receivedAt: at,
    allocations,
    credit: formatMoney(paymentCredit(entries, amount)),
    entryId: entry.entryId,
    actor: spec.actor,
    ...(spec.extra ?? {}),
    ...(spec.service ? { service: spec.service } : {}),
    ...(arrangement && share.gt(0) ? { arrangement: { arrangementId: arrangement.arrangementId, amount: formatMoney(share) } } : {}),
  };
  const outcome: RequestOutcome = { statusCode: 201, body: { payment } satisfies PaymentAnswer };
  await deps.ledger.commit({
    entries: [entry],
    payment: { value: payment },
    audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: spec.accountId, at, actor: spec.actor, action: 'payment.posted', details: { paymentId, amount: payment.amount, method: spec.method, channel: spec.channel, credit: payment.credit, entryId: entry.entryId, arrangementId: payment.arrangement?.arrangementId ?? null, toArrangement: payment.arrangement?.amount ?? null, ...(spec.auditDetails ?? {}) } }],
    ...(spec.request ? { request: spec.request(outcome) } : {}),
    ...(payment.arrangement ? { arrangementGuard: { accountId: spec.accountId, expectedVersion: guard } } : {}),
    ...(spec.achTrace ? { achTrace: { traceNumber: spec.achTrace, paymentId, accountId: spec.accountId } } : {}),
  });
  return outcome;
}

function requestKey(channel: Payment['channel'], accountId: string, idempotencyKey: string): string {
  return `payment:${channel}:${accountId}:${idempotencyKey}`;
}

/** POST /portal/accounts/{accountId}/payments: the customer's own account only. */
export async function makePortalPayment(
  deps: PaymentDeps,
  principal: { customerId: string; username: string },
  input: { accountId: string; idempotencyKey: string; amount: string; method: 'CARD' | 'BANK'; token: string; service?: string | undefined },
): Promise<RequestOutcome> {
  requireOwnAccount(await deps.accounts.get(input.accountId), principal.customerId, input.accountId);
  const fingerprint = requestFingerprint({ amount: input.amount, method: input.method, token: input.token, service: input.service ?? null });
  return idempotent(deps, requestKey('PORTAL', input.accountId, input.idempotencyKey), fingerprint, async (holder) => {
    const paymentId = paymentIdFor(input.accountId, `PORTAL:${input.idempotencyKey}`);
    // The payment id is the provider's idempotency key: a retry after a crash is not charged twice.
    const charge = await deps.provider.charge({ idempotencyKey: paymentId, amount: input.amount, currency: 'USD', token: input.token, method: input.method });
    if (charge.status === 'declined') {
      const outcome: RequestOutcome = { statusCode: 422, body: { message: `the payment was declined: ${charge.reason}`, code: 'PaymentDeclined', reason: charge.reason } };
      await deps.ledger.completeRequest({ key: requestKey('PORTAL', input.accountId, input.idempotencyKey), token: holder, outcome });
      return outcome;
    }
    return post(deps, 'PORTAL', `customer:${principal.customerId}`, input, holder, { reference: charge.reference, provider: deps.provider.name });
  });
}

/** POST /staff/accounts/{accountId}/payments: cash, check, money order or card taken at the counter. */
export async function postCounterPayment(
  deps: PaymentDeps,
  actor: string,
  input: { accountId: string; idempotencyKey: string; amount: string; method: PaymentMethod; reference?: string | undefined; service?: string | undefined },
): Promise<RequestOutcome> {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const fingerprint = requestFingerprint({ amount: input.amount, method: input.method, reference: input.reference ?? null, service: input.service ?? null });
  return idempotent(deps, requestKey('COUNTER', input.accountId, input.idempotencyKey), fingerprint, (holder) =>
    post(deps, 'COUNTER', actor, input, holder, input.reference ? { reference: input.reference } : {}),
  );
}
