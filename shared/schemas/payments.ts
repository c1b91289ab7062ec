/** Requests of the ledger and payment routes (portal, staff and the provider's webhook). */
import { z } from 'zod';
import { SERVICE_TYPES } from '../domain/customers/model';
import { ADJUSTMENT_REQUEST_STATUSES } from '../domain/adjustment-approval';
import { ARRANGEMENT_DECISIONS } from '../domain/arrangement-requests';
import { MAX_INSTALLMENTS } from '../domain/arrangements';
import { MAX_DISPUTED_CHARGES } from '../domain/disputes';
import { COUNTER_METHODS, PORTAL_METHODS } from '../domain/payments';
import { AccountPath, bodyError, CalendarDate, Cursor, Id, Limit, Line } from './common';

/** The largest amount one payment or refund may move. */
export const MAX_PAYMENT_AMOUNT = '100000.00';

/** A money amount over HTTP: a decimal string, positive, at most 2 decimals, at most MAX_PAYMENT_AMOUNT. */
export const PositiveAmount = (what: string) =>
  z
    .string({ error: `${what} must be a decimal string like "12.50"` })
    .regex(AMOUNT, `${what} must be a decimal string with at most 2 decimals, like "12.50"`)
    // Each check passes what the regex already refused, so one message names the problem.
    .refine((value) => !AMOUNT.test(value) || cents(value) > 0n, `${what} must be more than 0`)
    .refine((value) => !AMOUNT.test(value) || cents(value) <= cents(MAX_PAYMENT_AMOUNT), `${what} must be at most ${MAX_PAYMENT_AMOUNT}`);

const AMOUNT = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;

/** Whole cents of an amount that matches AMOUNT (exact: BigInt, no float). */
function cents(value: string): bigint {
  const [whole = '0', fraction = ''] = value.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** The Idempotency-Key header: required on every request that moves money. */
export const IdempotencyHeaders = z.object(
  {
    'idempotency-key': z
      .string({ error: 'the Idempotency-Key header is required (a unique value per payment, reused only to retry it)' })
      .regex(/^[\x21-\x7e]{1,128}$/, 'the Idempotency-Key header must be 1 to 128 visible ASCII characters'),
  },
  { error: 'the Idempotency-Key header is required' },
);

const ServiceSchema = z.enum(SERVICE_TYPES, { error: `service must be one of ${SERVICE_TYPES.join(', ')}` });

export const PortalPaymentRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject(
    {
      amount: PositiveAmount('amount'),
      method: z.enum(PORTAL_METHODS, { error: `method must be one of ${PORTAL_METHODS.join(', ')}` }),
      /** The provider's token for the card or bank account (from its hosted fields). */
      token: z.string({ error: 'token must be a string' }).regex(/^[A-Za-z0-9_-]{1,128}$/, 'token must be the payment token from the payment form'),
      service: ServiceSchema.optional(),
    },
    { error: bodyError },
  ),
});
export type PortalPaymentRequest = z.infer<typeof PortalPaymentRequest>;

export const CounterPaymentRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject(
    {
      amount: PositiveAmount('amount'),
      method: z.enum(COUNTER_METHODS, { error: `method must be one of ${COUNTER_METHODS.join(', ')}` }),
      /** Check number, receipt number, ... */
      reference: Line('reference', 64).optional(),
      service: ServiceSchema.optional(),
    },
    { error: bodyError },
  ),
});
export type CounterPaymentRequest = z.infer<typeof CounterPaymentRequest>;

export const ReturnPaymentRequest = z.object({
  path: z.object({ paymentId: Id('paymentId') }),
  body: z.strictObject({ reason: Line('reason', 200) }, { error: bodyError }),
});
export type ReturnPaymentRequest = z.infer<typeof ReturnPaymentRequest>;

export const RefundRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject({ amount: PositiveAmount('amount'), reason: Line('reason', 200) }, { error: bodyError }),
});
export type RefundRequest = z.infer<typeof RefundRequest>;

export const AdjustmentRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject(
    {
      amount: PositiveAmount('amount'),
      direction: z.enum(['debit', 'credit'], { error: 'direction must be debit (the customer owes more) or credit (the customer owes less)' }),
      service: ServiceSchema.optional(),
      reason: Line('reason', 200),
    },
    { error: bodyError },
  ),
});
export type AdjustmentRequest = z.infer<typeof AdjustmentRequest>;

/** GET /staff/adjustment-requests?status=&limit=&cursor= (status PENDING by default). */
export const ListAdjustmentRequestsRequest = z.object({
  query: z.object({
    status: z.enum(ADJUSTMENT_REQUEST_STATUSES, { error: `status must be one of ${ADJUSTMENT_REQUEST_STATUSES.join(', ')}` }).default('PENDING'),
    limit: Limit(50, 200),
    cursor: Cursor,
  }),
});
export type ListAdjustmentRequestsRequest = z.infer<typeof ListAdjustmentRequestsRequest>;

/** POST /staff/adjustment-requests/{accountId}/{requestId}/decision {decision, reason}: a rejection needs its reason. */
export const AdjustmentDecisionRequest = z.object({
  path: z.object({ accountId: Id('accountId'), requestId: Id('requestId') }),
  body: z
    .strictObject(
      {
        decision: z.enum(['approve', 'reject'], { error: 'decision must be approve or reject' }),
        reason: Line('reason', 200).optional(),
      },
      { error: bodyError },
    )
    .refine((body) => body.decision === 'approve' || body.reason !== undefined, { path: ['reason'], error: 'reason is required to reject an adjustment request' }),
});
export type AdjustmentDecisionRequest = z.infer<typeof AdjustmentDecisionRequest>;

export const ReversalRequest = z.object({
  path: z.object({ accountId: Id('accountId'), entryId: Id('entryId') }),
  body: z.strictObject({ reason: Line('reason', 200) }, { error: bodyError }),
});
export type ReversalRequest = z.infer<typeof ReversalRequest>;

export const AccountReadRequest = z.object({ path: AccountPath });
export type AccountReadRequest = z.infer<typeof AccountReadRequest>;

export const AccountPageRequest = z.object({ path: AccountPath, query: z.object({ limit: Limit(50, 200), cursor: Cursor }) });
export type AccountPageRequest = z.infer<typeof AccountPageRequest>;

export const CreateArrangementRequest = z.object({
  path: AccountPath,
  body: z.strictObject(
    {
      installments: z.number({ error: `installments must be a whole number from 1 to ${MAX_INSTALLMENTS}` }).int(`installments must be a whole number from 1 to ${MAX_INSTALLMENTS}`).min(1, `installments must be a whole number from 1 to ${MAX_INSTALLMENTS}`).max(MAX_INSTALLMENTS, `installments must be a whole number from 1 to ${MAX_INSTALLMENTS}`),
      firstDueDate: CalendarDate('firstDueDate'),
      downPayment: PositiveAmount('downPayment').optional(),
      reason: Line('reason', 200),
    },
    { error: bodyError },
  ),
});
export type CreateArrangementRequest = z.infer<typeof CreateArrangementRequest>;

export const CancelArrangementRequest = z.object({
  path: z.object({ accountId: Id('accountId'), arrangementId: Id('arrangementId') }),
  body: z.strictObject({ reason: Line('reason', 200) }, { error: bodyError }),
});
export type CancelArrangementRequest = z.infer<typeof CancelArrangementRequest>;

export const OpenDisputeRequest = z.object({
  path: AccountPath,
  body: z.strictObject(
    {
      entryIds: z
        .array(Id('entryIds[]'), { error: 'entryIds must be a list of ledger entry ids' })
        .min(1, 'entryIds must name at least one charge')
        .max(MAX_DISPUTED_CHARGES, `entryIds must name at most ${MAX_DISPUTED_CHARGES} charges`)
        .refine((ids) => new Set(ids).size === ids.length, 'entryIds must not repeat an entry'),
      amount: PositiveAmount('amount').optional(),
      reason: Line('reason', 200),
    },
    { error: bodyError },
  ),
});
export type OpenDisputeRequest = z.infer<typeof OpenDisputeRequest>;

export const CloseDisputeRequest = z.object({
  path: z.object({ accountId: Id('accountId'), disputeId: Id('disputeId') }),
  body: z.strictObject({ resolution: Line('resolution', 200) }, { error: bodyError }),
});
export type CloseDisputeRequest = z.infer<typeof CloseDisputeRequest>;

export const LateFeesRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject({ asOf: CalendarDate('asOf').optional() }, { error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? 'the body must be a JSON object' : undefined) }).optional(),
});
export type LateFeesRequest = z.infer<typeof LateFeesRequest>;

/** A provider event as the webhook receives it (after the signature check). */
export const PaymentWebhookEvent = z.object({
  id: z.string({ error: 'id must be a string' }).regex(/^[A-Za-z0-9_-]{1,100}$/, 'id must be the event id'),
  type: z.string({ error: 'type must be a string' }).max(100, 'type is too long'),
  created: z.number({ error: 'created must be a number (unix seconds)' }).int('created must be whole seconds'),
  data: z.object({
    paymentId: Id('data.paymentId').optional(),
    reference: z.string().max(128).optional(),
    reason: z.string().max(200).optional(),
  }),
});
export type PaymentWebhookEvent = z.infer<typeof PaymentWebhookEvent>;

/** POST /staff/accounts/{accountId}/deposits: bill a deposit (the amount given, or the activation's decision) or waive it. */
export const DepositRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z
    .strictObject(
      {
        action: z.enum(['require', 'waive'], { error: 'action must be "require" or "waive"' }),
        amount: PositiveAmount('amount').optional(),
        reason: Line('reason', 200),
      },
      { error: bodyError },
    )
    .refine((body) => body.action === 'require' || body.amount === undefined, { error: 'amount is only given to require a deposit', path: ['amount'] }),
});
export type DepositRequest = z.infer<typeof DepositRequest>;

export const DepositRefundRequest = z.object({
  path: z.object({ accountId: Id('accountId'), depositId: Id('depositId') }),
  headers: IdempotencyHeaders,
  body: z.strictObject(
    {
      reason: Line('reason', 200),
      /** Refund before good standing (staff decision, audited). */
      force: z.boolean({ error: 'force must be true or false' }).optional(),
      /** What is left after paying the balance: kept as a credit (default) or refunded. */
      remainder: z.enum(['credit', 'refund'], { error: 'remainder must be "credit" or "refund"' }).optional(),
    },
    { error: bodyError },
  ),
});
export type DepositRefundRequest = z.infer<typeof DepositRefundRequest>;

/** POST /staff/deposits/interest: accrue the interest of held deposits for the complete months up to asOf. */
export const DepositInterestRequest = z.object({
  body: z.strictObject(
    {
      asOf: CalendarDate('asOf'),
      refundEligible: z.boolean({ error: 'refundEligible must be true or false' }).optional(),
      limit: z.number({ error: 'limit must be a whole number from 1 to 500' }).int('limit must be a whole number from 1 to 500').min(1, 'limit must be a whole number from 1 to 500').max(500, 'limit must be a whole number from 1 to 500').optional(),
      cursor: Cursor,
    },
    { error: bodyError },
  ),
});
export type DepositInterestRequest = z.infer<typeof DepositInterestRequest>;

/** POST /staff/accounts/{accountId}/budget: enroll (with a levelized amount when the account has no bill yet) or unenroll. */
export const BudgetRequest = z.object({
  path: AccountPath,
  body: z
    .strictObject(
      {
        action: z.enum(['enroll', 'unenroll'], { error: 'action must be "enroll" or "unenroll"' }),
        levelizedAmount: PositiveAmount('levelizedAmount').optional(),
      },
      { error: bodyError },
    )
    .refine((body) => body.action === 'enroll' || body.levelizedAmount === undefined, { error: 'levelizedAmount is only given to enroll', path: ['levelizedAmount'] }),
});
export type BudgetRequest = z.infer<typeof BudgetRequest>;

/** POST /portal/accounts/{accountId}/budget: the customer enrolls (amount from the account's bills) or unenrolls. */
export const PortalBudgetRequest = z.object({
  path: AccountPath,
  body: z.strictObject({ action: z.enum(['enroll', 'unenroll'], { error: 'action must be "enroll" or "unenroll"' }) }, { error: bodyError }),
});
export type PortalBudgetRequest = z.infer<typeof PortalBudgetRequest>;

/** POST /staff/accounts/{accountId}/transfer-balance: move the balance to another account. */
export const TransferBalanceRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject(
    {
      toAccountId: Id('toAccountId'),
      /** The customer agreed to the transfer to another customer's account (required then). */
      consent: z.boolean({ error: 'consent must be true or false' }).optional(),
      reason: Line('reason', 200).optional(),
    },
    { error: bodyError },
  ),
});
export type TransferBalanceRequest = z.infer<typeof TransferBalanceRequest>;

const Installments = z
  .number({ error: `installments must be a whole number from 2 to ${MAX_INSTALLMENTS}` })
  .int(`installments must be a whole number from 2 to ${MAX_INSTALLMENTS}`)
  .min(2, `installments must be a whole number from 2 to ${MAX_INSTALLMENTS}`)
  .max(MAX_INSTALLMENTS, `installments must be a whole number from 2 to ${MAX_INSTALLMENTS}`);

/** A customer asks for a payment arrangement of the past-due balance (one Idempotency-Key per request). */
export const RequestArrangementRequest = z.object({
  path: AccountPath,
  headers: IdempotencyHeaders,
  body: z.strictObject({ installments: Installments, reason: Line('reason', 500).optional() }, { error: bodyError }),
});
export type RequestArrangementRequest = z.infer<typeof RequestArrangementRequest>;

export const ListArrangementRequestsRequest = z.object({
  query: z.object({
    status: z.enum(['PENDING'], { error: 'status must be PENDING (decided requests are on the account)' }).default('PENDING'),
    limit: Limit(50, 200),
    cursor: Cursor,
  }),
});
export type ListArrangementRequestsRequest = z.infer<typeof ListArrangementRequestsRequest>;

export const DecideArrangementRequest = z.object({
  path: z.object({ accountId: Id('accountId'), requestId: Id('requestId') }),
  body: z.strictObject(
    {
      decision: z.enum(ARRANGEMENT_DECISIONS, { error: `decision must be one of ${ARRANGEMENT_DECISIONS.join(', ')}` }),
      reason: Line('reason', 200),
      firstDueDate: CalendarDate('firstDueDate').optional(),
    },
    { error: bodyError },
  ),
});
export type DecideArrangementRequest = z.infer<typeof DecideArrangementRequest>;
