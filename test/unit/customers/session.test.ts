import { ConcurrentWrite } from '../../../shared/app/customers/errors';
import type { Change, CustomerRecordStore } from '../../../shared/app/customers/ports';
import { Session, withRetry } from '../../../shared/app/customers/session';
import type { AuditEvent } from '../../../shared/domain/audit';
import { ConcurrentChange } from '../../../shared/domain/customers/errors';
import type { ServicePoint } from '../../../shared/domain/customers/model';

const sp: ServicePoint = { servicePointId: 'P1-WATER', premiseId: 'P1', serviceType: 'water', connection: 'OFF', recordVersion: 7 };

function fakeStore(failures: number) {
  const commits: Array<{ changes: readonly Change[]; audit: readonly AuditEvent[] }> = [];
  let reads = 0;
  const store = {
    getServicePoint: async () => {
      reads++;
      return { ...sp };
    },
    commit: async (changes: readonly Change[], audit: readonly AuditEvent[]) => {
      if (commits.length < failures) {
        commits.push({ changes, audit });
        throw new ConcurrentWrite('lost');
      }
      commits.push({ changes, audit });
    },
  } as unknown as CustomerRecordStore;
  return { store, commits, reads: () => reads };
}

const deps = (records: CustomerRecordStore) => ({ records, clock: { now: () => new Date('2026-03-01T00:00:00Z') }, newId: () => '00000000-0000-4000-8000-000000000001' });

async function connect(records: CustomerRecordStore): Promise<string> {
  const session = new Session(deps(records), 'casey');
  const point = await session.mustServicePoint('P1-WATER');
  await session.mustServicePoint('P1-WATER');
  session.put('servicePoint', { ...point, connection: 'ON' });
  session.audit('PREMISE', 'P1', 'service-point.connected');
  await session.commit();
  return session.at;
}

describe('Session and withRetry', () => {
  it('commits the changed entity with the version it read, once per load, with its audit events', async () => {
    const fake = fakeStore(0);
    expect(await withRetry(() => connect(fake.store))).toBe('2026-03-01T00:00:00.000Z');
    expect(fake.reads()).toBe(1);
    expect(fake.commits).toHaveLength(1);
    const [change] = fake.commits[0]!.changes;
    expect(change).toEqual({ kind: 'servicePoint', value: { ...sp, connection: 'ON' }, previous: sp });
    expect(fake.commits[0]!.audit).toEqual([{ eventId: 'EV000000000000', entityType: 'PREMISE', entityId: 'P1', at: '2026-03-01T00:00:00.000Z', actor: 'casey', action: 'service-point.connected', details: {} }]);
  });

  it('runs the workflow again from fresh reads after a lost race', async () => {
    const fake = fakeStore(2);
    await withRetry(() => connect(fake.store));
    expect(fake.commits).toHaveLength(3);
    expect(fake.reads()).toBe(3);
  });

  it('gives up with a 409 ConcurrentChange after four lost races, and passes other errors through at once', async () => {
    const fake = fakeStore(10);
    await expect(withRetry(() => connect(fake.store))).rejects.toThrow(ConcurrentChange);
    expect(fake.commits).toHaveLength(4);
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new RangeError('boom');
      }),
    ).rejects.toThrow(RangeError);
    expect(calls).toBe(1);
  });

  it('answers 404 for a record that does not exist', async () => {
    const session = new Session(deps({ getAccount: async () => undefined } as unknown as CustomerRecordStore), 'casey');
    await expect(session.mustAccount('A404')).rejects.toMatchObject({ name: 'RecordNotFound', message: 'account A404 does not exist' });
  });
});
