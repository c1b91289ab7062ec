/** Errors of the customer-record use cases and their store. */
import { NotFoundError } from '../../domain/errors';
import { VersionConflict } from '../errors';

/** A transaction lost to a concurrent writer (a record's version moved, or DynamoDB reported a conflict). */
export class ConcurrentWrite extends VersionConflict {
  override name = 'ConcurrentWrite';
}

export class RecordNotFound extends NotFoundError {
  override name = 'RecordNotFound';
}
