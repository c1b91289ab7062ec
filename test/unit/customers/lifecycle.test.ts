import { AccountStateConflict, DuplicateCustomer, LifecycleConflict, MeterInstalledElsewhere, ServicePointOccupied, ServiceRuleViolation } from '../../../shared/domain/customers/errors';
import { assertNotDuplicate, closeAgreement, duplicateCandidates, installMeter, removeMeter, startAgreement, syncAccount } from '../../../shared/domain/customers/lifecycle';
import type { AccountRecord, Agreement, CustomerRecord, MeterRecord, ServicePoint } from '../../../shared/domain/customers/model';

const sp = (over: Partial<ServicePoint> = {}): ServicePoint => ({ servicePointId: 'P1-ELECTRIC', premiseId: 'P1', serviceType: 'electric', connection: 'OFF', recordVersion: 3, ...over });
const meter = (over: Partial<MeterRecord> = {}): MeterRecord => ({ meterId: 'ME1', accountId: '', unit: 'kWh', status: 'INACTIVE', multiplier: 1, serviceType: 'electric', meterType: 'AMI', size: '200A', dials: 5, installHistory: [], recordVersion: 0, ...over });
const agreement = (over: Partial<Agreement> = {}): Agreement => ({ agreementId: 'G1', accountId: 'A1', customerId: 'C1', premiseId: 'P1', servicePointId: 'P1-ELECTRIC', serviceType: 'electric', serviceClass: 'RESIDENTIAL', tariffId: 'ELEC-RES', cycle: 'C1', status: 'PENDING', finalBill: false, createdAt: 't', recordVersion: 0, ...over });
const account = (over: Partial<AccountRecord> = {}): AccountRecord => ({ accountId: 'A1', customerId: 'C1', name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: '', status: 'INACTIVE', meterIds: [], shard: 1, createdAt: 't', lifecycle: 'PENDING', serviceClass: 'RESIDENTIAL', finalBillDue: false, premiseIds: ['P1'], recordVersion: 0, ...over });
const customer = (over: Partial<CustomerRecord>): CustomerRecord => ({ customerId: 'C9', name: 'Someone Else', kind: 'PERSON', phones: [], billDelivery: 'PAPER', contacts: [], createdAt: 't', recordVersion: 0, ...over });

describe('meters at service points', () => {
  it('installs a stock meter and records its install history', () => {
    const { meter: installed, servicePoint } = installMeter(meter(), sp(), '2026-03-01T00:00:00Z', 'O1');
    expect(installed).toMatchObject({ servicePointId: 'P1-ELECTRIC', status: 'ACTIVE', installHistory: [{ servicePointId: 'P1-ELECTRIC', installedAt: '2026-03-01T00:00:00Z', orderId: 'O1' }] });
    expect(servicePoint.meterId).toBe('ME1');
    const removed = removeMeter(installed, servicePoint, '2026-04-01T00:00:00Z');
    expect(removed.meter).toMatchObject({ status: 'INACTIVE', accountId: '', installHistory: [{ removedAt: '2026-04-01T00:00:00Z' }] });
    expect(removed.meter.servicePointId).toBeUndefined();
    expect(removed.servicePoint.meterId).toBeUndefined();
  });

  it.each([
    ['installed elsewhere', meter({ servicePointId: 'P2-ELECTRIC' }), sp(), MeterInstalledElsewhere],
    ['another meter at the point', meter(), sp({ meterId: 'ME0' }), LifecycleConflict],
    ['the wrong service type', meter({ serviceType: 'water', unit: 'gal' }), sp(), ServiceRuleViolation],
  ])('refuses a meter %s', (_what, m, point, error) => {
    expect(() => installMeter(m, point, 't')).toThrow(error);
  });
});

describe('agreements on service points', () => {
  it('starts on a free point and holds it; a second agreement is refused', () => {
    const started = startAgreement(agreement(), sp({ meterId: 'ME1' }), undefined, '2026-03-01', 'ME1');
    expect(started.agreement).toMatchObject({ status: 'ACTIVE', startDate: '2026-03-01', meterId: 'ME1' });
    expect(started.servicePoint).toMatchObject({ activeAgreementId: 'G1', activeAccountId: 'A1' });
    expect(() => startAgreement(agreement({ agreementId: 'G2', accountId: 'A2' }), started.servicePoint, started.agreement, '2026-03-02', 'ME1')).toThrow(ServicePointOccupied);
  });

  it("lets a tenant take a point held by the owner's fallback agreement", () => {
    const held = sp({ activeAgreementId: 'GF', activeAccountId: 'OWNER', meterId: 'ME1' });
    expect(() => startAgreement(agreement(), held, agreement({ agreementId: 'GF', fallbackFromAgreementId: 'G0' }), '2026-03-01', 'ME1')).not.toThrow();
  });

  it('needs a meter for metered service and a pending agreement', () => {
    expect(() => startAgreement(agreement(), sp(), undefined, '2026-03-01', undefined)).toThrow(/has no meter/);
    expect(() => startAgreement(agreement({ status: 'ACTIVE' }), sp(), undefined, '2026-03-01', 'ME1')).toThrow(AccountStateConflict);
  });

  it('closes an active agreement and frees the point; not before it started, not twice', () => {
    const { agreement: active, servicePoint } = startAgreement(agreement(), sp({ meterId: 'ME1' }), undefined, '2026-03-01', 'ME1');
    const closed = closeAgreement(active, servicePoint, '2026-04-30', 'MOVE_OUT', true);
    expect(closed.agreement).toMatchObject({ status: 'CLOSED', endDate: '2026-04-30', closeReason: 'MOVE_OUT', finalBill: true });
    expect(closed.servicePoint.activeAgreementId).toBeUndefined();
    expect(() => closeAgreement(active, servicePoint, '2026-02-01', 'MOVE_OUT', true)).toThrow(ServiceRuleViolation);
    expect(() => closeAgreement(closed.agreement, closed.servicePoint, '2026-04-30', 'MOVE_OUT', true)).toThrow(AccountStateConflict);
  });
});

describe('syncAccount keeps the billing fields in step', () => {
  it('takes meters and tariff from active agreements and keeps legacy meters', () => {
    const synced = syncAccount(account({ meterIds: ['LEGACY'], status: 'ACTIVE', lifecycle: 'ACTIVE' }), [agreement({ status: 'ACTIVE', meterId: 'ME1', startDate: '2026-03-01' }), agreement({ agreementId: 'G0', status: 'CLOSED', meterId: 'OLD' })]);
    expect(synced).toMatchObject({ status: 'ACTIVE', lifecycle: 'ACTIVE', tariffId: 'ELEC-RES', meterIds: ['LEGACY', 'ME1'] });
  });

  it('turns an account without active agreements inactive and final', () => {
    const synced = syncAccount(account({ status: 'ACTIVE', lifecycle: 'ACTIVE', meterIds: ['ME1'] }), [agreement({ status: 'CLOSED', meterId: 'ME1', finalBill: true })]);
    expect(synced).toMatchObject({ status: 'INACTIVE', lifecycle: 'FINAL', meterIds: [] });
    expect(syncAccount(account(), [agreement()])).toMatchObject({ status: 'INACTIVE', lifecycle: 'PENDING' });
  });
});

describe('duplicate customers', () => {
  const existing = [customer({ customerId: 'C1', name: 'Jordan Rivera', email: 'jr@example.com', phones: ['5550102000'] }), customer({ customerId: 'C2', name: 'Other Person', phones: ['5559999999'] })];
  it.each([
    ['same email', { name: 'X', email: 'JR@example.com', phones: [] }, ['C1']],
    ['shared phone', { name: 'X', phones: ['(555) 999-9999'] }, ['C2']],
    ['same name', { name: 'rivera, jordan', phones: [] }, ['C1']],
    ['nobody', { name: 'New Person', email: 'new@example.com', phones: ['5551112222'] }, []],
  ])('finds %s', (_what, applicant, expected) => {
    expect(duplicateCandidates(applicant, existing)).toEqual(expected);
  });

  it('refuses a duplicate unless confirmed', () => {
    expect(() => assertNotDuplicate(['C1'], false)).toThrow(DuplicateCustomer);
    expect(() => assertNotDuplicate(['C1'], true)).not.toThrow();
    expect(() => assertNotDuplicate([], false)).not.toThrow();
  });
});
