/**
 * The rules of the customer lifecycle, as pure functions from the current records to the next
 * ones. Use cases load the records, call these, and write everything that changed in one
 * transaction (with optimistic locking), so a rule checked here still holds when it is written.
 */
import type { Unit } from '../units';
import { addDays } from '../calendar';
import { AccountStateConflict, DuplicateCustomer, LifecycleConflict, MeterInstalledElsewhere, ServicePointOccupied, ServiceRuleViolation } from './errors';
import type { AccountRecord, Agreement, CustomerRecord, MeterRecord, ServiceClass, ServicePoint, ServiceType } from './model';
import { METERED_SERVICES } from './model';
import { nameWords, phoneDigits } from './search';

/** Default tariff per service type and class, used when an activation does not name one. */
export const DEFAULT_TARIFFS: Partial<Record<ServiceType, Partial<Record<ServiceClass, string>>>> = {
  electric: { RESIDENTIAL: 'ELEC-RES' },
  water: { RESIDENTIAL: 'WATER-RES' },
};

/** Units a meter of each service type may measure in. */
export const UNITS_OF_SERVICE: Record<ServiceType, readonly Unit[]> = {
  electric: ['kWh', 'Wh'],
  water: ['gal', 'ccf'],
  gas: ['therm', 'ccf'],
  sewer: ['gal', 'ccf'],
  stormwater: ['gal', 'ccf'],
};

export const isMetered = (serviceType: ServiceType): boolean => METERED_SERVICES.includes(serviceType);

export function defaultTariff(serviceType: ServiceType, serviceClass: ServiceClass): string | undefined {
  return DEFAULT_TARIFFS[serviceType]?.[serviceClass];
}

/** The service type a legacy meter (without one stored) measures, from its unit. */
export { serviceTypeOfUnit } from '../units';

/**
 * Existing customers that look like the applicant: same email, a shared phone number, or the
 * same name words. The CSR confirms "not a duplicate" to go on.
 */
export function duplicateCandidates(applicant: { name: string; email?: string; phones: readonly string[] }, existing: readonly CustomerRecord[]): string[] {
  const email = applicant.email?.trim().toLowerCase();
  const phones = new Set(applicant.phones.map(phoneDigits));
  const name = nameWords(applicant.name).sort().join(' ');
  return existing
    .filter((customer) => (email && customer.email?.toLowerCase() === email) || customer.phones.some((phone) => phones.has(phoneDigits(phone))) || (name.length > 0 && nameWords(customer.name).sort().join(' ') === name))
    .map((customer) => customer.customerId)
    .sort();
}

export function assertNotDuplicate(candidates: readonly string[], confirmedNotDuplicate: boolean): void {
  if (candidates.length > 0 && !confirmedNotDuplicate) {
    throw new DuplicateCustomer(`the applicant looks like existing customer(s) ${candidates.join(', ')}; apply for the existing customer, or set confirmedNotDuplicate`, candidates);
  }
}

/** A service point can take a new agreement when it has none, or only an owner's fallback agreement (which the move-in ends). */
export function assertServicePointFree(servicePoint: ServicePoint, occupant: Agreement | undefined, forAgreementId: string): void {
  if (!servicePoint.activeAgreementId || servicePoint.activeAgreementId === forAgreementId) return;
  if (occupant?.fallbackFromAgreementId) return;
  throw new ServicePointOccupied(`service point ${servicePoint.servicePointId} already has active agreement ${servicePoint.activeAgreementId} (account ${servicePoint.activeAccountId ?? '?'}); move that account out first`);
}

/** Checks that `meter` may serve at `servicePoint`. */
export function assertMeterFits(meter: MeterRecord, servicePoint: ServicePoint): void {
  if (meter.servicePointId && meter.servicePointId !== servicePoint.servicePointId) {
    throw new MeterInstalledElsewhere(`meter ${meter.meterId} is installed at service point ${meter.servicePointId}; remove it there (meter exchange) first`);
  }
  if (servicePoint.meterId && servicePoint.meterId !== meter.meterId) {
    throw new LifecycleConflict(`service point ${servicePoint.servicePointId} has meter ${servicePoint.meterId}; exchange it with a METER_EXCHANGE order`);
  }
  if (meter.serviceType !== servicePoint.serviceType) {
    throw new ServiceRuleViolation('meter-service-mismatch', `meter ${meter.meterId} is a ${meter.serviceType} meter but service point ${servicePoint.servicePointId} is ${servicePoint.serviceType}`);
  }
}

/** Installs `meter` at `servicePoint` (no-op when it is already there). */
export function installMeter(meter: MeterRecord, servicePoint: ServicePoint, at: string, orderId?: string): { meter: MeterRecord; servicePoint: ServicePoint } {
  assertMeterFits(meter, servicePoint);
  if (meter.servicePointId === servicePoint.servicePointId && servicePoint.meterId === meter.meterId) return { meter, servicePoint };
  return {
    meter: { ...meter, servicePointId: servicePoint.servicePointId, status: 'ACTIVE', installHistory: [...meter.installHistory, { servicePointId: servicePoint.servicePointId, installedAt: at, ...(orderId ? { orderId } : {}) }] },
    servicePoint: { ...servicePoint, meterId: meter.meterId },
  };
}

/** Takes `meter` out of `servicePoint` (back to stock, inactive). */
export function removeMeter(meter: MeterRecord, servicePoint: ServicePoint, at: string, orderId?: string): { meter: MeterRecord; servicePoint: ServicePoint } {
  if (meter.servicePointId !== servicePoint.servicePointId || servicePoint.meterId !== meter.meterId) {
    throw new LifecycleConflict(`meter ${meter.meterId} is not installed at service point ${servicePoint.servicePointId}`);
  }
  const history = meter.installHistory.map((event, index) => (index === meter.installHistory.length - 1 && !event.removedAt ? { ...event, removedAt: at, ...(orderId ? { orderId } : {}) } : event));
  const { servicePointId: _sp, ...stocked } = meter;
  const { meterId: _m, ...emptied } = servicePoint;
  return { meter: { ...stocked, accountId: '', status: 'INACTIVE', installHistory: history }, servicePoint: emptied };
}

/** Starts an agreement on a free service point. */
export function startAgreement(agreement: Agreement, servicePoint: ServicePoint, occupant: Agreement | undefined, startDate: string, meterId: string | undefined): { agreement: Agreement; servicePoint: ServicePoint } {
  if (agreement.status !== 'PENDING') throw new AccountStateConflict(`agreement ${agreement.agreementId} is ${agreement.status}, not PENDING`);
  assertServicePointFree(servicePoint, occupant, agreement.agreementId);
  if (isMetered(servicePoint.serviceType) && !meterId) {
    throw new ServiceRuleViolation('meter-required', `service point ${servicePoint.servicePointId} (${servicePoint.serviceType}) has no meter; give a meterId`);
  }
  return {
    agreement: { ...agreement, status: 'ACTIVE', startDate, ...(meterId ? { meterId } : {}) },
    servicePoint: { ...servicePoint, activeAgreementId: agreement.agreementId, activeAccountId: agreement.accountId },
  };
}

/** Ends an active agreement on `endDate` (its last day of service) and frees the service point. */
export function closeAgreement(agreement: Agreement, servicePoint: ServicePoint, endDate: string, reason: NonNullable<Agreement['closeReason']>, finalBill: boolean): { agreement: Agreement; servicePoint: ServicePoint } {
  if (agreement.status !== 'ACTIVE') throw new AccountStateConflict(`agreement ${agreement.agreementId} is ${agreement.status}, not ACTIVE`);
  if (servicePoint.activeAgreementId !== agreement.agreementId) {
    throw new LifecycleConflict(`service point ${servicePoint.servicePointId} is held by ${servicePoint.activeAgreementId ?? 'no agreement'}, not ${agreement.agreementId}`);
  }
  if (agreement.startDate && endDate < addDays(agreement.startDate, -1)) {
    throw new ServiceRuleViolation('end-before-start', `agreement ${agreement.agreementId} started ${agreement.startDate}; it cannot end ${endDate}`);
  }
  const { activeAgreementId: _a, activeAccountId: _b, ...freed } = servicePoint;
  return { agreement: { ...agreement, status: 'CLOSED', endDate, closeReason: reason, finalBill }, servicePoint: freed };
}

/**
 * The account fields the billing slice reads, kept in step with the agreements: status ACTIVE
 * while an agreement is active; tariffId of the first active agreement; meterIds of all active
 * agreements (an account with services of different units needs agreement-aware billing), plus
 * legacy meters that no agreement knows (accounts from before agreements, e.g. the demo seed).
 */
export function syncAccount(account: AccountRecord, agreements: readonly Agreement[], removedMeterIds: readonly string[] = []): AccountRecord {
  const active = agreements.filter((a) => a.status === 'ACTIVE').sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? '') || a.agreementId.localeCompare(b.agreementId));
  const known = new Set([...agreements.flatMap((a) => (a.meterId ? [a.meterId] : [])), ...removedMeterIds]);
  const legacy = account.meterIds.filter((meterId) => !known.has(meterId));
  const serving = active.length > 0 || (legacy.length > 0 && account.status === 'ACTIVE');
  const pending = agreements.some((a) => a.status === 'PENDING');
  let lifecycle = account.lifecycle;
  if (serving) lifecycle = 'ACTIVE';
  else if (pending && account.lifecycle !== 'FINAL' && account.lifecycle !== 'CLOSED') lifecycle = 'PENDING';
  else if (account.lifecycle === 'ACTIVE') lifecycle = 'FINAL';
  return {
    ...account,
    status: serving ? 'ACTIVE' : 'INACTIVE',
    lifecycle,
    tariffId: active[0]?.tariffId ?? account.tariffId,
    meterIds: [...new Set([...legacy, ...active.flatMap((a) => (a.meterId ? [a.meterId] : []))])],
    finalBillDue: active.length > 0 ? false : account.finalBillDue,
    premiseIds: [...new Set([...account.premiseIds, ...agreements.map((a) => a.premiseId)])],
  };
}

export function assertCanApplyOrActivate(account: AccountRecord): void {
  if (account.lifecycle === 'CLOSED') throw new AccountStateConflict(`account ${account.accountId} is CLOSED`);
}
