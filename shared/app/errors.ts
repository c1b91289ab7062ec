/** Errors raised by use cases and by the ports they call (adapters raise these too). */
import { ConflictError, NotFoundError } from '../domain/errors';

/**
 * A store failure that may succeed when retried (throttling, 5xx, transaction conflicts,
 * network). The billing state machine retries tasks that fail with this name.
 */
export class TransientStoreError extends Error {
  override name = 'TransientStoreError';
}

/** An item in the table that does not have the shape its mapper expects. */
export class CorruptRecord extends Error {
  override name = 'CorruptRecord';
}

/** A dependency (Step Functions, ...) refused or failed; the caller may retry (HTTP 503). */
export class DependencyUnavailable extends Error {
  override name = 'DependencyUnavailable';
}

export class AccountNotFound extends NotFoundError {
  override name = 'AccountNotFound';
}

export class MeterNotFound extends NotFoundError {
  override name = 'MeterNotFound';
  readonly reason = 'unknown-meter';
}

export class TariffNotFound extends NotFoundError {
  override name = 'TariffNotFound';
}

export class BillingRunNotFound extends NotFoundError {
  override name = 'BillingRunNotFound';
}

/** The stored item changed since it was read (optimistic locking). */
export class VersionConflict extends ConflictError {
  override name = 'VersionConflict';
}

/** A billing run could not be started; the run record says FAILED and a new request is safe. */
export class BillingRunNotStarted extends DependencyUnavailable {
  override name = 'BillingRunNotStarted';
}

/** A rebill of a bill that is not (or no longer) posted: held, cancelled or rebilled already (HTTP 409). */
export class BillNotIssued extends ConflictError {
  override name = 'BillNotIssued';
}

/** A release of a held bill whose service could not be rated: correct the record and cancel it (HTTP 409). */
export class BillNotReleasable extends ConflictError {
  override name = 'BillNotReleasable';
}

/** A release or cancel of a bill that is not (or no longer) held (HTTP 409). */
export class BillNotHeld extends ConflictError {
  override name = 'BillNotHeld';
}

/** No bill exception (held bill) with that bill id (HTTP 404). */
export class BillExceptionNotFound extends NotFoundError {
  override name = 'BillExceptionNotFound';
}
