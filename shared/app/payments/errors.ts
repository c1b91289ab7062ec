/** Errors of the ledger and payment use cases (the HTTP adapter maps them by category). */
import { ConflictError, Forbidden, NotFoundError, RuleViolation } from '../../domain/errors';

/** A part of a ledger write whose condition failed: the entry was posted before, the payment changed, ... */
export class LedgerWriteRefused extends ConflictError {
  override name = 'LedgerWriteRefused';
  constructor(
    readonly part: 'entry' | 'payment' | 'request' | 'webhook' | 'guard' | 'audit' | 'arrangement' | 'arrangement-request' | 'dispute' | 'deposit' | 'budget' | 'trace' | 'adjustment-request',
    message: string,
  ) {
    super(message);
  }
}

/** The idempotency key was used before for a different request (HTTP 409). */
export class IdempotencyKeyReused extends ConflictError {
  override name = 'IdempotencyKeyReused';
}

/** Another request with the same idempotency key is still being processed (HTTP 409; retry later). */
export class RequestInProgress extends ConflictError {
  override name = 'RequestInProgress';
}

export class PaymentNotFound extends NotFoundError {
  override name = 'PaymentNotFound';
}

/** The payment was returned already (HTTP 409). */
export class PaymentNotReturnable extends ConflictError {
  override name = 'PaymentNotReturnable';
}

/** The provider declined the card or bank account (HTTP 422, reason from the provider). */
export class PaymentDeclined extends RuleViolation {
  override name = 'PaymentDeclined';
}

/** A refund larger than the account's credit balance (HTTP 422). */
export class RefundExceedsCredit extends RuleViolation {
  override name = 'RefundExceedsCredit';
}

export class EntryNotFound extends NotFoundError {
  override name = 'EntryNotFound';
}

/** The entry has a reversal already (HTTP 409). */
export class EntryAlreadyReversed extends ConflictError {
  override name = 'EntryAlreadyReversed';
}

/** Staff may not reverse this kind of entry directly (HTTP 422, reason not-reversible). */
export class EntryNotReversible extends RuleViolation {
  override name = 'EntryNotReversible';
}

export class ArrangementNotFound extends NotFoundError {
  override name = 'ArrangementNotFound';
}

/** The account has an arrangement that is still running (HTTP 409): cancel it first. */
export class ArrangementExists extends ConflictError {
  override name = 'ArrangementExists';
}

/** The arrangement is no longer ACTIVE (HTTP 409). */
export class ArrangementNotActive extends ConflictError {
  override name = 'ArrangementNotActive';
}

export class DisputeNotFound extends NotFoundError {
  override name = 'DisputeNotFound';
}

/** The dispute was closed already (HTTP 409). */
export class DisputeNotOpen extends ConflictError {
  override name = 'DisputeNotOpen';
}

export class DepositNotFound extends NotFoundError {
  override name = 'DepositNotFound';
}

/** The deposit was refunded or waived already (HTTP 409). */
export class DepositNotHeld extends ConflictError {
  override name = 'DepositNotHeld';
}

/** The deposit is not yet due for a refund (HTTP 422, with what blocks it). */
export class DepositNotRefundable extends RuleViolation {
  override name = 'DepositNotRefundable';
}

/** The account is not enrolled in budget billing (HTTP 409). */
export class BudgetNotActive extends ConflictError {
  override name = 'BudgetNotActive';
}

/** The account is enrolled in budget billing already (HTTP 409). */
export class BudgetAlreadyActive extends ConflictError {
  override name = 'BudgetAlreadyActive';
}

/** A balance transfer the rules refuse (other customer without consent, inactive target; HTTP 422). */
export class TransferRefused extends RuleViolation {
  override name = 'TransferRefused';
}

export class SuspenseNotFound extends NotFoundError {
  override name = 'SuspenseNotFound';
}

/** A suspense credit of an imported file was applied to an account already (HTTP 409). */
export class SuspenseAlreadyApplied extends ConflictError {
  override name = 'SuspenseAlreadyApplied';
}

export class AdjustmentRequestNotFound extends NotFoundError {
  override name = 'AdjustmentRequestNotFound';
}

/** The adjustment request was approved or rejected already (HTTP 409). */
export class AdjustmentRequestDecided extends ConflictError {
  override name = 'AdjustmentRequestDecided';
}

/** The user may not decide this adjustment request: their own, or above their limit (HTTP 403). */
export class AdjustmentDecisionForbidden extends Forbidden {
  override name = 'AdjustmentDecisionForbidden';
}

export class ArrangementRequestNotFound extends NotFoundError {
  override name = 'ArrangementRequestNotFound';
}

/** The account has a request for an arrangement waiting for staff already (HTTP 409). */
export class ArrangementRequestPending extends ConflictError {
  override name = 'ArrangementRequestPending';
}

/** The request was decided already, the other way (HTTP 409). */
export class ArrangementRequestDecided extends ConflictError {
  override name = 'ArrangementRequestDecided';
}
