/**
 * Error categories shared by every layer. Concrete errors extend one of these and set their own
 * `name`: Step Functions `Catch` matches on the name, the HTTP adapter maps the category to a
 * status code (400, 401, 403, 404, 409, 422).
 */

/** The request or message is malformed (HTTP 400). */
export class InvalidInput extends Error {
  override name = 'InvalidInput';
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** No identity, or an identity without the claims we need (HTTP 401). */
export class Unauthenticated extends Error {
  override name = 'Unauthenticated';
}

/** A known identity that may not do this (HTTP 403). */
export class Forbidden extends Error {
  override name = 'Forbidden';
}

/** The addressed entity does not exist (HTTP 404). Subclasses name the entity. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The request conflicts with the current state (HTTP 409). */
export class ConflictError extends Error {
  override name = 'ConflictError';

  /** A short reason code for clients: the error's name in kebab case (`MeterInstalledElsewhere` -> `meter-installed-elsewhere`). */
  get reason(): string {
    return this.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  }

  /** Facts a client needs to resolve the conflict (for example the matching customers); none by default. */
  get details(): Record<string, unknown> | undefined {
    return undefined;
  }
}

/** Well-formed input that breaks a business rule (HTTP 422). Carries a short reason code. */
export class RuleViolation extends Error {
  override name = 'RuleViolation';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
