import { decodeCursor, encodeCursor, isTransient, storeCall } from '../../../shared/adapters/dynamo';
import { TransientStoreError } from '../../../shared/app/errors';
import { InvalidInput } from '../../../shared/domain/errors';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name }, extra);

describe('DynamoDB plumbing', () => {
  it.each([
    [named('ProvisionedThroughputExceededException'), true],
    [named('ThrottlingException'), true],
    [named('TransactionConflictException'), true],
    [named('InternalServerError'), true],
    [named('Whatever', { $metadata: { httpStatusCode: 503 } }), true],
    [named('Error', { code: 'ECONNREFUSED' }), true],
    [named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }), false],
    [named('ValidationException', { $metadata: { httpStatusCode: 400 } }), false],
    [named('TransactionCanceledException'), false],
  ])('classifies %s as transient: %s', (error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });

  it('turns transient failures into TransientStoreError and passes others through', async () => {
    await expect(storeCall('Get', () => Promise.reject(named('ThrottlingException')))).rejects.toThrow(TransientStoreError);
    await expect(storeCall('Get', () => Promise.reject(named('ValidationException')))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('round-trips cursors and refuses forged or foreign ones', () => {
    const key = { PK: 'ACCOUNT#A1', SK: 'BILL#2026-01-01#B1' };
    const cursor = encodeCursor(key)!;
    expect(decodeCursor(cursor, { PK: 'ACCOUNT#A1' }, ['PK', 'SK'])).toEqual(key);
    expect(() => decodeCursor(cursor, { PK: 'ACCOUNT#A2' }, ['PK', 'SK'])).toThrow(InvalidInput);
    expect(() => decodeCursor('not-base64-json', { PK: 'ACCOUNT#A1' }, ['PK', 'SK'])).toThrow(InvalidInput);
    expect(() => decodeCursor(encodeCursor({ PK: 'ACCOUNT#A1', SK: 1 }), { PK: 'ACCOUNT#A1' }, ['PK', 'SK'])).toThrow(InvalidInput);
    expect(() => decodeCursor(encodeCursor({ ...key, extra: 'x' }), { PK: 'ACCOUNT#A1' }, ['PK', 'SK'])).toThrow(InvalidInput);
    expect(decodeCursor(undefined, {}, [])).toBeUndefined();
    expect(encodeCursor(undefined)).toBeUndefined();
  });
});
