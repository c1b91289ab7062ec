/**
 * Lifecycle workflows of the customer record. Each builds one Session (one transaction with its
 * audit events) and is retried from fresh reads when it loses a race; the rules themselves are
 * in shared/domain/customers/lifecycle.ts.
 */
import { addDays } from '../../domain/calendar';
import { formatAddress, normalizeAddress } from '../../domain/customers/address';
import { AccountStateConflict, ServiceRuleViolation } from '../../domain/customers/errors';
import {
  assertCanApplyOrActivate,
  assertNotDuplicate,
  closeAgreement,
  defaultTariff,
  duplicateCandidates,
  installMeter,
  isMetered,
  startAgreement,
  syncAccount,
  UNITS_OF_SERVICE,
} from '../../domain/customers/lifecycle';
import type { AccountRecord, Agreement, BillDelivery, Contact, CustomerKind, CustomerRecord, MeterRecord, PostalAddress, Premise, ServiceClass, ServicePoint, ServiceType } from '../../domain/customers/model';
import { emailToken, nameWords, phoneDigits } from '../../domain/customers/search';
import { newOrder, type OrderType, type ServiceOrder } from '../../domain/customers/service-orders';
import { shardOf } from '../../domain/segments';
import type { TariffStore } from '../ports';
import { noDepositPolicy, type DepositPolicy } from './ports';
import { Session, withRetry, type SessionDeps } from './session';

export interface LifecycleDeps extends SessionDeps {
  tariffs: TariffStore;
  deposits?: DepositPolicy;
}

export interface NewCustomerInput {
  kind: CustomerKind;
  name: string;
  email?: string | undefined;
  phones: string[];
  billDelivery: BillDelivery;
  mailingAddress?: PostalAddress | undefined;
  contacts?: Contact[] | undefined;
}

export interface ApplicationInput {
  customerId?: string | undefined;
  newCustomer?: NewCustomerInput | undefined;
  confirmedNotDuplicate?: boolean | undefined;
  premiseId?: string | undefined;
  address?: PostalAddress | undefined;
  services: Array<{ serviceType: ServiceType }>;
  serviceClass: ServiceClass;
  cycle: string;
}

export interface ServiceSpec {
  serviceType: ServiceType;
  meterId?: string | undefined;
  tariffId?: string | undefined;
}

export interface ActivationInput {
  startDate: string;
  /** Enrolls the account in this billing cycle (default: the cycle of the application). */
  cycle?: string | undefined;
  services?: ServiceSpec[] | undefined;
}

export interface WorkflowResult {
  accountId: string;
  customerId: string;
  agreementIds: string[];
  orderIds: string[];
}

// ---------------------------------------------------------------- premises and meters

export interface PremiseInput {
  premiseId?: string | undefined;
  address: PostalAddress;
  premiseType: ServiceClass;
  serviceTypes: ServiceType[];
  ownerAccountId?: string | undefined;
}

export async function createPremise(deps: SessionDeps, actor: string, input: PremiseInput): Promise<{ premise: Premise; servicePoints: ServicePoint[] }> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    if (input.ownerAccountId) await session.mustAccount(input.ownerAccountId);
    const premiseId = input.premiseId ?? session.newId('P');
    const premise: Premise = {
      premiseId,
      address: input.address,
      normalizedAddress: normalizeAddress(input.address),
      premiseType: input.premiseType,
      ...(input.ownerAccountId ? { ownerAccountId: input.ownerAccountId } : {}),
      createdAt: session.at,
      recordVersion: 0,
    };
    session.put('premise', premise);
    const servicePoints = [...new Set(input.serviceTypes)].map((serviceType) => session.put('servicePoint', { servicePointId: `${premiseId}-${serviceType.toUpperCase()}`, premiseId, serviceType, connection: 'OFF', recordVersion: 0 }));
    session.audit('PREMISE', premiseId, 'premise.created', { address: premise.normalizedAddress, servicePoints: servicePoints.length });
    await session.commit();
    return { premise, servicePoints };
  });
}

export interface MeterInput {
  meterId: string;
  serviceType: ServiceType;
  unit: MeterRecord['unit'];
  meterType: MeterRecord['meterType'];
  size: string;
  dials: number;
  multiplier: number;
}

export async function registerMeter(deps: SessionDeps, actor: string, input: MeterInput): Promise<MeterRecord> {
  if (!UNITS_OF_SERVICE[input.serviceType].includes(input.unit)) throw new ServiceRuleViolation('unit-service-mismatch', `a ${input.serviceType} meter cannot measure ${input.unit}`);
  const session = new Session(deps, actor);
  const meter: MeterRecord = { ...input, accountId: '', status: 'INACTIVE', installHistory: [], recordVersion: 0 };
  session.put('meter', meter);
  session.audit('METER', meter.meterId, 'meter.registered', { serviceType: meter.serviceType, unit: meter.unit, size: meter.size });
  await session.commit();
  return meter;
}

// ---------------------------------------------------------------- application, activation, move-in

async function resolveCustomer(session: Session, input: ApplicationInput): Promise<CustomerRecord> {
  if (input.customerId) return session.mustCustomer(input.customerId);
  const applicant = input.newCustomer!;
  const hits = await Promise.all([
    ...(applicant.email ? [session.records.searchPrefix('email', emailToken(applicant.email), 20)] : []),
    ...applicant.phones.map((phone) => session.records.searchPrefix('phone', phoneDigits(phone), 20)),
    // The longest name word is the most selective one (usually the family name).
    ...[...nameWords(applicant.name)].sort((a, b) => b.length - a.length).slice(0, 1).map((word) => session.records.searchPrefix('name', word, 50)),
  ]);
  const ids = [...new Set(hits.flat().filter((hit) => hit.entityType === 'CUSTOMER').map((hit) => hit.entityId))];
  const existing = await session.records.getCustomers(ids);
  assertNotDuplicate(duplicateCandidates(applicant, existing), input.confirmedNotDuplicate === true);
  const customer: CustomerRecord = {
    customerId: session.newId('C'),
    name: applicant.name,
    ...(applicant.email ? { email: applicant.email } : {}),
    kind: applicant.kind,
    phones: applicant.phones.map(phoneDigits),
    billDelivery: applicant.billDelivery,
    ...(applicant.mailingAddress ? { mailingAddress: applicant.mailingAddress } : {}),
    contacts: applicant.contacts ?? [],
    createdAt: session.at,
    recordVersion: 0,
  };
  session.put('customer', customer);
  session.audit('CUSTOMER', customer.customerId, 'customer.created', { kind: customer.kind, duplicateCheckOverridden: input.confirmedNotDuplicate === true });
  return customer;
}

/** Address verification: the service address must be a known premise. */
async function resolvePremise(session: Session, premiseId: string | undefined, address: PostalAddress | undefined): Promise<Premise> {
  if (premiseId) return session.mustPremise(premiseId);
  const normalized = normalizeAddress(address!);
  const found = await session.records.findPremiseIdByAddress(normalized);
  if (!found) throw new ServiceRuleViolation('address-not-verified', `no known premise at ${normalized}; check the address or create the premise first`);
  return session.mustPremise(found);
}

async function servicePointFor(session: Session, premise: Premise, serviceType: ServiceType): Promise<ServicePoint> {
  const sp = (await session.servicePointsOf(premise.premiseId)).find((candidate) => candidate.serviceType === serviceType);
  if (!sp) throw new ServiceRuleViolation('no-service-point', `premise ${premise.premiseId} has no ${serviceType} service point`);
  return sp;
}

async function apply(session: Session, input: ApplicationInput): Promise<{ account: AccountRecord; customer: CustomerRecord; agreements: Agreement[] }> {
  const customer = await resolveCustomer(session, input);
  const premise = await resolvePremise(session, input.premiseId, input.address);
  const servicePoints = await Promise.all(input.services.map((service) => servicePointFor(session, premise, service.serviceType)));
  const accountId = session.newId('A');
  const agreements = servicePoints.map((sp) =>
    session.put('agreement', {
      agreementId: session.newId('G'),
      accountId,
      customerId: customer.customerId,
      premiseId: premise.premiseId,
      servicePointId: sp.servicePointId,
      serviceType: sp.serviceType,
      serviceClass: input.serviceClass,
      tariffId: defaultTariff(sp.serviceType, input.serviceClass) ?? '',
      cycle: input.cycle,
      status: 'PENDING',
      finalBill: false,
      createdAt: session.at,
      recordVersion: 0,
    }),
  );
  const account: AccountRecord = session.put('account', {
    accountId,
    customerId: customer.customerId,
    name: customer.name,
    serviceAddress: formatAddress(premise.address),
    cycle: input.cycle,
    tariffId: agreements[0]?.tariffId ?? '',
    status: 'INACTIVE',
    meterIds: [],
    shard: shardOf(accountId),
    createdAt: session.at,
    lifecycle: 'PENDING',
    serviceClass: input.serviceClass,
    finalBillDue: false,
    premiseIds: [premise.premiseId],
    recordVersion: 0,
  });
  session.audit('ACCOUNT', accountId, 'service.applied', { customerId: customer.customerId, premiseId: premise.premiseId, services: servicePoints.map((sp) => sp.serviceType).join(','), serviceClass: input.serviceClass });
  return { account, customer, agreements };
}

export async function applyForService(deps: LifecycleDeps, actor: string, input: ApplicationInput): Promise<WorkflowResult> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const { account, customer, agreements } = await apply(session, input);
    await session.commit();
    return { accountId: account.accountId, customerId: customer.customerId, agreementIds: agreements.map((a) => a.agreementId), orderIds: [] };
  });
}

function order(session: Session, type: OrderType, sp: ServicePoint, accountId: string | undefined, meterId: string | undefined, scheduledFor: string, description: string): ServiceOrder {
  const created = session.put(
    'order',
    newOrder({ orderId: session.newId('O'), type, servicePointId: sp.servicePointId, premiseId: sp.premiseId, serviceType: sp.serviceType, ...(accountId ? { accountId } : {}), ...(meterId ? { meterId } : {}), requestedBy: session.actor, description, scheduledFor, createdAt: session.at }),
  );
  session.audit('SERVICE_ORDER', created.orderId, 'service-order.created', { type, servicePointId: sp.servicePointId, accountId: accountId ?? null, scheduledFor });
  return created;
}

/** Closes an owner's fallback agreement when a tenant takes the service point over. */
async function endFallback(session: Session, sp: ServicePoint, startDate: string): Promise<ServicePoint> {
  const occupant = await session.occupantOf(sp);
  if (!occupant?.fallbackFromAgreementId) return sp;
  const closed = closeAgreement(occupant, sp, addDays(startDate, -1), 'LANDLORD_FALLBACK_ENDED', false);
  session.put('agreement', closed.agreement);
  const owner = await session.mustAccount(occupant.accountId);
  session.put('account', syncAccount(owner, await session.agreementsOf(owner.accountId)));
  session.audit('ACCOUNT', owner.accountId, 'service.fallback-ended', { agreementId: occupant.agreementId, servicePointId: sp.servicePointId, endDate: closed.agreement.endDate ?? null });
  return closed.servicePoint;
}

/** Starts one pending agreement: meter, tariff, service point lock, turn-on order. */
async function activateAgreement(session: Session, deps: LifecycleDeps, account: AccountRecord, agreement: Agreement, spec: ServiceSpec | undefined, startDate: string): Promise<{ agreement: Agreement; order: ServiceOrder }> {
  let sp = await session.mustServicePoint(agreement.servicePointId);
  const occupant = await session.occupantOf(sp);
  if (occupant?.fallbackFromAgreementId && occupant.startDate && startDate < occupant.startDate) {
    throw new ServiceRuleViolation('start-before-vacancy', `service point ${sp.servicePointId} is vacant (held by the owner) from ${occupant.startDate}; start on or after that day`);
  }
  if (occupant?.fallbackFromAgreementId) sp = await endFallback(session, sp, startDate);
  const meterId = spec?.meterId ?? sp.meterId;
  let meter: MeterRecord | undefined;
  if (meterId && isMetered(sp.serviceType)) {
    const installed = installMeter(await session.mustMeter(meterId), sp, session.at);
    sp = installed.servicePoint;
    meter = { ...installed.meter, accountId: account.accountId, status: 'ACTIVE' };
  }
  const tariffId = spec?.tariffId ?? (agreement.tariffId || defaultTariff(agreement.serviceType, agreement.serviceClass));
  if (!tariffId) throw new ServiceRuleViolation('tariff-required', `no default ${agreement.serviceClass} tariff for ${agreement.serviceType}; give a tariffId`);
  const tariff = await deps.tariffs.get(tariffId);
  if (!tariff) throw new ServiceRuleViolation('unknown-tariff', `tariff ${tariffId} does not exist`);
  if (meter && tariff.unit !== meter.unit) throw new ServiceRuleViolation('unit-mismatch', `meter ${meter.meterId} measures ${meter.unit} but tariff ${tariffId} prices ${tariff.unit}`);
  const started = startAgreement({ ...agreement, tariffId, cycle: account.cycle }, sp, occupant?.fallbackFromAgreementId ? undefined : occupant, startDate, meter?.meterId);
  session.put('agreement', started.agreement);
  session.put('servicePoint', started.servicePoint);
  if (meter) {
    session.put('meter', meter);
    session.audit('METER', meter.meterId, 'meter.assigned', { accountId: account.accountId, servicePointId: sp.servicePointId });
  }
  const turnOn = order(session, 'TURN_ON', started.servicePoint, account.accountId, meter?.meterId, startDate, `Turn on ${sp.serviceType} service`);
  return { agreement: started.agreement, order: turnOn };
}

async function activate(session: Session, deps: LifecycleDeps, accountId: string, input: ActivationInput): Promise<{ agreements: Agreement[]; orders: ServiceOrder[] }> {
  const loaded = await session.mustAccount(accountId);
  assertCanApplyOrActivate(loaded);
  const account = input.cycle && input.cycle !== loaded.cycle ? session.put('account', { ...loaded, cycle: input.cycle }) : loaded;
  const pending = (await session.agreementsOf(accountId)).filter((a) => a.status === 'PENDING');
  const chosen = input.services?.length ? pending.filter((a) => input.services!.some((s) => s.serviceType === a.serviceType)) : pending;
  if (chosen.length === 0) throw new AccountStateConflict(`account ${accountId} has no pending service agreement to activate`);
  const results = [];
  for (const agreement of chosen) results.push(await activateAgreement(session, deps, account, agreement, input.services?.find((s) => s.serviceType === agreement.serviceType), input.startDate));
  const synced = syncAccount(account, await session.agreementsOf(accountId));
  const customer = await session.mustCustomer(account.customerId);
  const others = await session.records.getAccounts((await session.records.listAccountIdsOfCustomer(customer.customerId)).filter((id) => id !== accountId));
  const deposit = await (deps.deposits ?? noDepositPolicy).evaluate({ customer, account: synced, agreements: results.map((r) => r.agreement), otherAccounts: others });
  session.put('account', { ...synced, deposit });
  session.audit('ACCOUNT', accountId, 'service.activated', {
    startDate: input.startDate,
    agreements: results.map((r) => r.agreement.agreementId).join(','),
    meters: synced.meterIds.join(','),
    cycle: synced.cycle,
    depositRequired: deposit.required,
    depositAmount: deposit.amount,
    depositReason: deposit.reason,
  });
  return { agreements: results.map((r) => r.agreement), orders: results.map((r) => r.order) };
}

export async function activateService(deps: LifecycleDeps, actor: string, accountId: string, input: ActivationInput): Promise<WorkflowResult> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const { agreements, orders } = await activate(session, deps, accountId, input);
    await session.commit();
    const account = await session.mustAccount(accountId);
    return { accountId, customerId: account.customerId, agreementIds: agreements.map((a) => a.agreementId), orderIds: orders.map((o) => o.orderId) };
  });
}

/** Move-in: application and activation in one transaction (the common counter or phone case). */
export async function moveIn(deps: LifecycleDeps, actor: string, input: ApplicationInput & { startDate: string; services: ServiceSpec[] }): Promise<WorkflowResult> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const { account, customer } = await apply(session, input);
    const { agreements, orders } = await activate(session, deps, account.accountId, { startDate: input.startDate, services: input.services });
    session.audit('ACCOUNT', account.accountId, 'service.moved-in', { premiseId: agreements[0]?.premiseId ?? null, startDate: input.startDate });
    await session.commit();
    return { accountId: account.accountId, customerId: customer.customerId, agreementIds: agreements.map((a) => a.agreementId), orderIds: orders.map((o) => o.orderId) };
  });
}

// ---------------------------------------------------------------- move-out, stop, transfer, reopen

export interface EndServiceInput {
  /** The last day of service. */
  endDate: string;
  serviceTypes?: ServiceType[] | undefined;
  forwardingAddress?: PostalAddress | undefined;
}

type EndMode = 'MOVE_OUT' | 'STOP' | 'TRANSFER';

async function endServices(session: Session, deps: LifecycleDeps, accountId: string, input: EndServiceInput, mode: EndMode): Promise<{ closed: Agreement[]; orders: ServiceOrder[]; fallbacks: Agreement[] }> {
  const account = await session.mustAccount(accountId);
  const active = (await session.agreementsOf(accountId)).filter((a) => a.status === 'ACTIVE' && (!input.serviceTypes?.length || input.serviceTypes.includes(a.serviceType)));
  if (active.length === 0) throw new AccountStateConflict(`account ${accountId} has no active service agreement${input.serviceTypes?.length ? ` for ${input.serviceTypes.join(', ')}` : ''}`);
  const closed: Agreement[] = [];
  const orders: ServiceOrder[] = [];
  const fallbacks: Agreement[] = [];
  for (const agreement of active) {
    const sp = await session.mustServicePoint(agreement.servicePointId);
    const result = closeAgreement(agreement, sp, input.endDate, mode, mode !== 'TRANSFER');
    closed.push(session.put('agreement', result.agreement));
    let freed = result.servicePoint;
    const orderType: OrderType = mode === 'STOP' ? 'TURN_OFF' : 'FINAL_READ';
    if (agreement.meterId || mode === 'STOP') orders.push(order(session, orderType, freed, accountId, agreement.meterId, input.endDate, mode === 'STOP' ? `Turn off ${sp.serviceType} service` : `Final read for ${sp.serviceType} service`));
    // Landlord / owner fallback: the owner carries the service until the next tenant.
    const premise = await session.mustPremise(agreement.premiseId);
    let newHolder = '';
    if (mode !== 'STOP' && premise.ownerAccountId && premise.ownerAccountId !== accountId) {
      const owner = await session.account(premise.ownerAccountId);
      if (owner && owner.lifecycle !== 'CLOSED') {
        const fallback: Agreement = {
          ...agreement,
          agreementId: session.newId('G'),
          accountId: owner.accountId,
          customerId: owner.customerId,
          cycle: owner.cycle,
          status: 'PENDING',
          finalBill: false,
          fallbackFromAgreementId: agreement.agreementId,
          createdAt: session.at,
          recordVersion: 0,
        };
        delete fallback.endDate;
        delete fallback.closeReason;
        delete fallback.startDate;
        const started = startAgreement(fallback, freed, undefined, addDays(input.endDate, 1), agreement.meterId);
        fallbacks.push(session.put('agreement', started.agreement));
        freed = started.servicePoint;
        newHolder = owner.accountId;
        await session.agreementsOf(owner.accountId);
        session.put('account', syncAccount(owner, await session.agreementsOf(owner.accountId)));
        session.audit('ACCOUNT', owner.accountId, 'service.landlord-fallback', { servicePointId: sp.servicePointId, fromAccountId: accountId, startDate: started.agreement.startDate ?? null });
      }
    }
    session.put('servicePoint', freed);
    if (agreement.meterId) {
      const meter = await session.mustMeter(agreement.meterId);
      session.put('meter', { ...meter, accountId: newHolder });
    }
  }
  let synced = syncAccount(account, await session.agreementsOf(accountId));
  if (mode !== 'TRANSFER' && synced.status === 'INACTIVE') synced = { ...synced, lifecycle: 'FINAL', finalBillDue: true };
  session.put('account', synced);
  if (input.forwardingAddress) {
    const customer = await session.mustCustomer(account.customerId);
    session.put('customer', { ...customer, mailingAddress: input.forwardingAddress });
  }
  return { closed, orders, fallbacks };
}

export async function moveOut(deps: LifecycleDeps, actor: string, accountId: string, input: EndServiceInput): Promise<WorkflowResult & { fallbackAgreementIds: string[]; finalBillDue: boolean }> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const { closed, orders, fallbacks } = await endServices(session, deps, accountId, input, 'MOVE_OUT');
    const account = await session.mustAccount(accountId);
    session.audit('ACCOUNT', accountId, 'service.moved-out', { endDate: input.endDate, agreements: closed.map((a) => a.agreementId).join(','), finalBillDue: account.finalBillDue, landlordFallbacks: fallbacks.length });
    await session.commit();
    return { accountId, customerId: account.customerId, agreementIds: closed.map((a) => a.agreementId), orderIds: orders.map((o) => o.orderId), fallbackAgreementIds: fallbacks.map((a) => a.agreementId), finalBillDue: account.finalBillDue };
  });
}

export async function stopService(deps: LifecycleDeps, actor: string, accountId: string, input: EndServiceInput): Promise<WorkflowResult & { finalBillDue: boolean }> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const { closed, orders } = await endServices(session, deps, accountId, input, 'STOP');
    const account = await session.mustAccount(accountId);
    session.audit('ACCOUNT', accountId, 'service.stopped', { endDate: input.endDate, agreements: closed.map((a) => a.agreementId).join(','), finalBillDue: account.finalBillDue });
    await session.commit();
    return { accountId, customerId: account.customerId, agreementIds: closed.map((a) => a.agreementId), orderIds: orders.map((o) => o.orderId), finalBillDue: account.finalBillDue };
  });
}

function pendingLike(session: Session, account: AccountRecord, from: Agreement, premiseId: string, sp: ServicePoint): Agreement {
  return session.put('agreement', {
    agreementId: session.newId('G'),
    accountId: account.accountId,
    customerId: account.customerId,
    premiseId,
    servicePointId: sp.servicePointId,
    serviceType: sp.serviceType,
    serviceClass: from.serviceClass,
    tariffId: from.tariffId,
    cycle: account.cycle,
    status: 'PENDING',
    finalBill: false,
    createdAt: session.at,
    recordVersion: 0,
  });
}

/** Transfer of service: the account's services end at one premise and start at another, on one date. */
export async function transferService(deps: LifecycleDeps, actor: string, accountId: string, input: { date: string; toPremiseId?: string | undefined; toAddress?: PostalAddress | undefined; services?: ServiceSpec[] | undefined }): Promise<WorkflowResult> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const target = await resolvePremise(session, input.toPremiseId, input.toAddress);
    const { closed, orders } = await endServices(session, deps, accountId, { endDate: input.date }, 'TRANSFER');
    if (closed.some((a) => a.premiseId === target.premiseId)) throw new AccountStateConflict(`account ${accountId} already has service at premise ${target.premiseId}`);
    const account = await session.mustAccount(accountId);
    for (const agreement of closed) pendingLike(session, account, agreement, target.premiseId, await servicePointFor(session, target, agreement.serviceType));
    const started = await activate(session, deps, accountId, { startDate: input.date, services: input.services?.length ? input.services : closed.map((a) => ({ serviceType: a.serviceType })) });
    const synced = await session.mustAccount(accountId);
    session.put('account', { ...synced, serviceAddress: formatAddress(target.address) });
    session.audit('ACCOUNT', accountId, 'service.transferred', { date: input.date, toPremiseId: target.premiseId, closed: closed.map((a) => a.agreementId).join(','), started: started.agreements.map((a) => a.agreementId).join(',') });
    await session.commit();
    return { accountId, customerId: account.customerId, agreementIds: started.agreements.map((a) => a.agreementId), orderIds: [...orders, ...started.orders].map((o) => o.orderId) };
  });
}

/** Reopening: a final (or closed) account takes service again at the service points it last had. */
export async function reopenAccount(deps: LifecycleDeps, actor: string, accountId: string, input: ActivationInput): Promise<WorkflowResult> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const account = await session.mustAccount(accountId);
    if (account.lifecycle !== 'FINAL' && account.lifecycle !== 'CLOSED') throw new AccountStateConflict(`account ${accountId} is ${account.lifecycle}; only a FINAL or CLOSED account can be reopened`);
    const agreements = await session.agreementsOf(accountId);
    const lastEnd = agreements.filter((a) => a.status === 'CLOSED').map((a) => a.endDate ?? '').sort().at(-1);
    const last = agreements.filter((a) => a.status === 'CLOSED' && a.endDate === lastEnd);
    if (last.length === 0) throw new AccountStateConflict(`account ${accountId} has no closed agreement to reopen`);
    session.put('account', { ...account, lifecycle: 'PENDING' });
    for (const agreement of last) pendingLike(session, account, agreement, agreement.premiseId, await session.mustServicePoint(agreement.servicePointId));
    const started = await activate(session, deps, accountId, input);
    session.audit('ACCOUNT', accountId, 'account.reopened', { startDate: input.startDate, agreements: started.agreements.map((a) => a.agreementId).join(',') });
    await session.commit();
    return { accountId, customerId: account.customerId, agreementIds: started.agreements.map((a) => a.agreementId), orderIds: started.orders.map((o) => o.orderId) };
  });
}
