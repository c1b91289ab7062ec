import { errorResponse } from '../../../shared/adapters/http';
import { TransientStoreError } from '../../../shared/app/errors';
import { DuplicateCustomer, MeterInstalledElsewhere } from '../../../shared/domain/customers/errors';
import { ConflictError, InvalidInput, RuleViolation } from '../../../shared/domain/errors';

const bodyOf = (error: unknown) => {
  const response = errorResponse(error);
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
};

describe('errorResponse', () => {
  it('gives a 409 the reason code of its error and the facts needed to resolve it', () => {
    expect(bodyOf(new MeterInstalledElsewhere('meter M1 is installed at SP2'))).toEqual({ status: 409, body: { message: 'meter M1 is installed at SP2', code: 'MeterInstalledElsewhere', reason: 'meter-installed-elsewhere' } });
    expect(bodyOf(new DuplicateCustomer('looks like C0001', ['C0001', 'C0042']))).toEqual({
      status: 409,
      body: { message: 'looks like C0001', code: 'DuplicateCustomer', reason: 'duplicate-customer', details: { candidates: ['C0001', 'C0042'] } },
    });
    expect(bodyOf(new ConflictError('changed meanwhile')).body).toMatchObject({ code: 'ConflictError', reason: 'conflict-error' });
  });

  it('keeps a rule violation reason, names bad fields, and hides internals of a 500', () => {
    expect(bodyOf(new RuleViolation('read-required', 'a read is required'))).toEqual({ status: 422, body: { message: 'a read is required', code: 'RuleViolation', reason: 'read-required' } });
    expect(bodyOf(new InvalidInput('bad body', [{ path: 'body.email', message: 'not an email' }]))).toEqual({ status: 400, body: { message: 'bad body', code: 'InvalidInput', issues: [{ path: 'body.email', message: 'not an email' }] } });
    expect(bodyOf(new TransientStoreError('throttled')).status).toBe(503);
    expect(bodyOf(new Error('secret table name'))).toEqual({ status: 500, body: { message: 'Internal server error' } });
  });
});
