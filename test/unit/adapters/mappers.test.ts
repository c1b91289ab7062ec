import { ratedTestBill } from '../../functions/helpers';
import { accountFromItem, accountToItem } from '../../../shared/adapters/account-store';
import { billFromItem, billToItem, heldBillFromItem, heldBillToItem, ledgerEntryToItem } from '../../../shared/adapters/bill-store';
import { heldBillOf } from '../../../shared/domain/bill-exceptions';
import type { Bill } from '../../../shared/domain/billing';
import { keys } from '../../../shared/adapters/keys';
import { dayReadsFromItem, dayReadsToItem } from '../../../shared/adapters/read-store';
import { runFromItem, runToItem } from '../../../shared/adapters/run-store';
import { CorruptRecord } from '../../../shared/app/errors';
import type { Account } from '../../../shared/domain/accounts';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { mergeDay } from '../../../shared/domain/reads';
import { emptyCounts } from '../../../shared/domain/runs';

const account: Account = { accountId: 'A0001', customerId: 'C0001', name: 'Avery', serviceAddress: '101 Main St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE', meterIds: ['M0001'], shard: 7, createdAt: '2026-01-01T00:00:00.000Z' };

describe('keys and mappers', () => {
  it('lays out the account item as the contract says', () => {
    expect(accountToItem(account)).toMatchObject({ PK: 'ACCOUNT#A0001', SK: 'ACCOUNT', GSI1PK: 'CYCLE#C1#SHARD#0007', GSI1SK: 'ACCOUNT#A0001', GSI2PK: 'TYPE#ACCOUNT', GSI2SK: 'A0001', shard: 7 });
    expect(accountFromItem(accountToItem(account))).toEqual(account);
    expect(accountFromItem({ ...accountToItem(account), shard: '7' }).shard).toBe(7);
    expect(() => accountFromItem({ ...accountToItem(account), shard: 7.5 })).toThrow(CorruptRecord);
    expect(() => accountFromItem({ ...accountToItem(account), status: 'GONE' })).toThrow(CorruptRecord);
  });

  it('lays out the other keys', () => {
    expect(keys.customer('C1')).toEqual({ PK: 'CUSTOMER#C1', SK: 'CUSTOMER' });
    expect(keys.customerAccountLink('C1', 'A1')).toEqual({ PK: 'CUSTOMER#C1', SK: 'ACCOUNT#A1' });
    expect(keys.meter('M1')).toEqual({ PK: 'METER#M1', SK: 'METER' });
    expect(keys.readsDay('M1', '2026-01-01')).toEqual({ PK: 'METER#M1', SK: 'DAY#2026-01-01' });
    expect(keys.tariff('T1')).toEqual({ PK: 'TARIFF#T1', SK: 'TARIFF' });
    expect(keys.bill('A1', '2026-01-01', 'B1')).toEqual({ PK: 'ACCOUNT#A1', SK: 'BILL#2026-01-01#B1' });
    expect(keys.ledgerEntry('A1', '2026-02-01T00:00:00Z', 'E1')).toEqual({ PK: 'ACCOUNT#A1', SK: 'LEDGER#2026-02-01T00:00:00Z#E1' });
    expect(keys.run('R1')).toEqual({ PK: 'RUN#R1', SK: 'RUN' });
    expect(keys.auditEvent('RUN', 'R1', '2026-02-01T00:00:00Z', 'E1')).toEqual({ PK: 'AUDIT#RUN#R1', SK: 'AUDIT#2026-02-01T00:00:00Z#E1' });
  });

  it('keeps money as strings and quantities as integers', () => {
    const bill = ratedTestBill('run-1', '2026-02-01T00:00:00.000Z');
    const item = billToItem(bill);
    expect(typeof item['total']).toBe('string');
    expect(billFromItem(item)).toEqual(bill);
    expect(() => billFromItem({ ...item, total: 74.07 })).toThrow(CorruptRecord);
    expect(() => billFromItem({ ...item, services: [{ ...bill.services[0], subtotal: 74.07 }] })).toThrow(CorruptRecord);
    // A bill stored before bills had service sections reads as one section.
    const legacy = { ...item, tariffId: 'ELEC-RES', usage: { quantity: '600.2', unit: 'kWh' }, lines: [{ description: 'Usage', quantity: '600.2', unit: 'kWh', rate: '0.1125', amount: '67.52', periodStart: '2026-01-01', periodEnd: '2026-01-31' }], total: '67.52' };
    delete (legacy as Record<string, unknown>)['services'];
    delete (legacy as Record<string, unknown>)['dueDate'];
    expect(billFromItem(legacy)).toMatchObject({ total: '67.52', dueDate: '2026-02-22', services: [{ serviceType: 'electric', tariffId: 'ELEC-RES', subtotal: '67.52', lines: [{ amount: '67.52', category: 'base' }] }] });
    expect(ledgerEntryToItem(ledgerEntryForBill(bill, bill.issuedAt))).toMatchObject({ PK: 'ACCOUNT#A0001', idempotencyKey: bill.billId });
    // Held, estimated, reviewed and later revisions round-trip; a bill of an unknown status is refused.
    const reviewed: Bill = {
      ...bill,
      status: 'CANCELLED',
      revision: 2,
      estimated: true,
      services: [{ ...bill.services[0]!, estimated: true, estimateMethod: 'average-daily' }],
      holds: [{ reason: 'high-bill', message: 'm' }],
      review: { action: 'cancelled', at: 't', by: 'bill', note: 'n' },
    };
    expect(billFromItem(billToItem(reviewed))).toEqual(reviewed);
    expect(() => billFromItem({ ...item, status: 'DRAFT' })).toThrow(CorruptRecord);
    const held = heldBillOf({ ...bill, status: 'HELD' }, [{ reason: 'zero-usage', message: 'used nothing' }], 't1');
    expect(heldBillFromItem(heldBillToItem(held))).toEqual(held);
    const released = { ...held, status: 'RELEASED' as const, review: { action: 'released' as const, at: 't2', by: 'bill' } };
    expect(heldBillToItem(released)).not.toHaveProperty('GSI2PK');
    expect(heldBillFromItem(heldBillToItem(released))).toEqual(released);
    expect(keys.billHistory('A1', '2026-01-01', 'B1')).toEqual({ PK: 'ACCOUNT#A1', SK: 'AGREEMENT#~BILL#2026-01-01#B1' });
    expect(keys.runSegment('R1', 7)).toEqual({ PK: 'RUN#R1', SK: 'SEGMENT#00007' });

    const day = mergeDay(undefined, { meterId: 'M0001', unit: 'kWh' }, '2026-01-01', [{ startEpochSec: 1_767_250_800, durationSec: 3600, quantityMicro: 1_250_000, quality: 'A' }], { at: 't', by: 'mqtt' }).day;
    expect(dayReadsToItem(day)).toMatchObject({ PK: 'METER#M0001', SK: 'DAY#2026-01-01', iv: '1767250800,1250000,3600,A', version: 1 });
    expect(dayReadsFromItem(dayReadsToItem(day))).toEqual(day);
    const mapFormat: Record<string, unknown> = { ...dayReadsToItem(day), intervals: { '1767250800': [1_250_000, 3600, 'A'] } };
    delete mapFormat['iv'];
    expect(dayReadsFromItem(mapFormat)).toEqual(day);
    expect(() => dayReadsFromItem({ ...mapFormat, intervals: { '1767250800': [1.5, 3600, 'A'] } })).toThrow(CorruptRecord);
    for (const iv of ['1767250800,1.5,3600,A', '1767250800,1,3600,X', '1767250800,1,3600', '1767250800,1,3600,A;0,1,3600,A', 'x,1,3600,A']) {
      expect(() => dayReadsFromItem({ ...dayReadsToItem(day), iv })).toThrow(CorruptRecord);
    }

    const run = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'RUNNING' as const, counts: emptyCounts(), startedAt: 't', startedBy: 'dana', errors: [] };
    expect(runToItem(run)).toMatchObject({ PK: 'RUN#run-1', SK: 'RUN', GSI2PK: 'TYPE#RUN' });
    expect(Object.values(runToItem(run))).not.toContain(undefined);
    expect(runFromItem(runToItem(run))).toEqual(run);
  });
});
