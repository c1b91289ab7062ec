/**
 * Named conflicts of the customer lifecycle (HTTP 409). The error name is the reason code a
 * client sees as `code`.
 */
import { ConflictError, RuleViolation } from '../errors';

/** A lifecycle transition that the current state does not allow. */
export class LifecycleConflict extends ConflictError {
  override name = 'LifecycleConflict';
}

export class MeterInstalledElsewhere extends LifecycleConflict {
  override name = 'MeterInstalledElsewhere';
}

export class ServicePointOccupied extends LifecycleConflict {
  override name = 'ServicePointOccupied';
}

export class IllegalOrderTransition extends LifecycleConflict {
  override name = 'IllegalOrderTransition';
}

export class AccountStateConflict extends LifecycleConflict {
  override name = 'AccountStateConflict';
}

export class DuplicateCustomer extends LifecycleConflict {
  override name = 'DuplicateCustomer';
  constructor(
    message: string,
    readonly candidates: readonly string[],
  ) {
    super(message);
  }

  override get details(): Record<string, unknown> {
    return { candidates: [...this.candidates] };
  }
}

export class PremiseExists extends LifecycleConflict {
  override name = 'PremiseExists';
}

/** A write lost a race with another write on the same records and was retried too often. */
export class ConcurrentChange extends LifecycleConflict {
  override name = 'ConcurrentChange';
}

/** Well-formed but not allowed by the rules (HTTP 422): e.g. a meter of the wrong service type. */
export class ServiceRuleViolation extends RuleViolation {
  override name = 'ServiceRuleViolation';
}
