/**
 * Items of the customer record (issue 5): customers, premises, service points, meters, accounts
 * and agreements, service orders, notes, field reads and search tokens. Accounts and meters keep
 * the attributes the billing and ingest slices read (accountToItem / meterToItem) and add theirs.
 * Legacy items (the demo seed) lack the new attributes: readers fill in defaults.
 */
import type { AccountRecord, Agreement, Contact, CustomerRecord, FieldRead, InstallEvent, MeterRecord, Note, Premise, PostalAddress, ServicePoint } from '../domain/customers/model';
import { BILL_DELIVERY, CHANNELS, CUSTOMER_KINDS, METER_TYPES, SERVICE_CLASSES, SERVICE_TYPES } from '../domain/customers/model';
import { serviceTypeOfUnit } from '../domain/customers/lifecycle';
import { NOTIFICATION_CHANNELS, NOTIFICATION_TOPICS, type NotificationChannel, type NotificationPreferences } from '../domain/customers/notifications';
import type { SearchToken } from '../domain/customers/search';
import { SEARCH_FIELDS } from '../domain/customers/search';
import { ORDER_STATES, ORDER_TYPES, type Milestone, type OrderCompletion, type ServiceOrder } from '../domain/customers/service-orders';
import { UNITS } from '../domain/units';
import { CorruptRecord } from '../app/errors';
import { accountFromItem, accountToItem, customerFromItem, customerToItem } from './account-store';
import type { Item } from './dynamo';
import { int, oneOf, optStr, str, strList } from './item';
import { keys } from './keys';
import { meterFromItem, meterToItem } from './meter-store';

const version = (item: Item): number => (item['recordVersion'] === undefined ? 0 : int(item, 'recordVersion'));

function list(item: Item, name: string): Item[] {
  const value = item[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'object' && entry !== null)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: ${name} is not a list of maps`);
  return value as Item[];
}

function optMap(item: Item, name: string): Item | undefined {
  const value = item[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: ${name} is not a map`);
  return value as Item;
}

const bool = (item: Item, name: string): boolean => item[name] === true;

function addressFromItem(item: Item): PostalAddress {
  const line2 = optStr(item, 'line2');
  return { line1: str(item, 'line1'), ...(line2 ? { line2 } : {}), city: str(item, 'city'), state: str(item, 'state'), zip: str(item, 'zip') };
}

export function customerRecordToItem(customer: CustomerRecord): Item {
  return {
    ...customerToItem(customer),
    kind: customer.kind,
    phones: [...customer.phones],
    billDelivery: customer.billDelivery,
    mailingAddress: customer.mailingAddress ? { ...customer.mailingAddress } : undefined,
    contacts: customer.contacts.map((contact) => ({ ...contact })),
    notifications: customer.notifications ? Object.fromEntries(Object.entries(customer.notifications).map(([topic, channels]) => [topic, [...channels]])) : undefined,
    recordVersion: customer.recordVersion,
  };
}

/** Stored notification preferences: every topic a list of known channels. */
function notificationsFromItem(stored: Item): NotificationPreferences {
  return Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, strList(stored, topic).map((channel) => {
    if (!(NOTIFICATION_CHANNELS as readonly string[]).includes(channel)) throw new CorruptRecord(`notifications.${topic} holds an unknown channel ${channel}`);
    return channel as NotificationChannel;
  })])) as NotificationPreferences;
}

export function customerRecordFromItem(item: Item): CustomerRecord {
  const mailing = optMap(item, 'mailingAddress');
  const notifications = optMap(item, 'notifications');
  return {
    ...customerFromItem(item),
    kind: item['kind'] === undefined ? 'PERSON' : oneOf(item, 'kind', CUSTOMER_KINDS),
    phones: strList(item, 'phones'),
    billDelivery: item['billDelivery'] === undefined ? 'PAPER' : oneOf(item, 'billDelivery', BILL_DELIVERY),
    ...(mailing ? { mailingAddress: addressFromItem(mailing) } : {}),
    contacts: list(item, 'contacts').map((c) => {
      const phone = optStr(c, 'phone');
      const email = optStr(c, 'email');
      return { name: str(c, 'name'), role: oneOf(c, 'role', ['PRIMARY', 'BILLING', 'EMERGENCY', 'AUTHORIZED'] as const), ...(phone ? { phone } : {}), ...(email ? { email } : {}) } satisfies Contact;
    }),
    ...(notifications ? { notifications: notificationsFromItem(notifications) } : {}),
    recordVersion: version(item),
  };
}

export function premiseToItem(premise: Premise): Item {
  return {
    ...keys.premise(premise.premiseId),
    ...keys.premiseByType(premise.premiseId),
    type: 'PREMISE',
    premiseId: premise.premiseId,
    address: { ...premise.address },
    normalizedAddress: premise.normalizedAddress,
    premiseType: premise.premiseType,
    ownerAccountId: premise.ownerAccountId,
    createdAt: premise.createdAt,
    recordVersion: premise.recordVersion,
  };
}

export function premiseFromItem(item: Item): Premise {
  const owner = optStr(item, 'ownerAccountId');
  const address = optMap(item, 'address');
  if (!address) throw new CorruptRecord(`item ${String(item['PK'])}: premise without address`);
  return {
    premiseId: str(item, 'premiseId'),
    address: addressFromItem(address),
    normalizedAddress: str(item, 'normalizedAddress'),
    premiseType: oneOf(item, 'premiseType', SERVICE_CLASSES),
    ...(owner ? { ownerAccountId: owner } : {}),
    createdAt: str(item, 'createdAt'),
    recordVersion: version(item),
  };
}

export function servicePointToItem(sp: ServicePoint): Item {
  return {
    ...keys.servicePoint(sp.servicePointId),
    ...keys.servicePointOfPremise(sp.premiseId, sp.servicePointId),
    type: 'SERVICE_POINT',
    servicePointId: sp.servicePointId,
    premiseId: sp.premiseId,
    serviceType: sp.serviceType,
    meterId: sp.meterId,
    activeAgreementId: sp.activeAgreementId,
    activeAccountId: sp.activeAccountId,
    connection: sp.connection,
    recordVersion: sp.recordVersion,
  };
}

export function servicePointFromItem(item: Item): ServicePoint {
  const meterId = optStr(item, 'meterId');
  const agreementId = optStr(item, 'activeAgreementId');
  const accountId = optStr(item, 'activeAccountId');
  return {
    servicePointId: str(item, 'servicePointId'),
    premiseId: str(item, 'premiseId'),
    serviceType: oneOf(item, 'serviceType', SERVICE_TYPES),
    ...(meterId ? { meterId } : {}),
    ...(agreementId ? { activeAgreementId: agreementId } : {}),
    ...(accountId ? { activeAccountId: accountId } : {}),
    connection: oneOf(item, 'connection', ['ON', 'OFF'] as const),
    recordVersion: version(item),
  };
}

export function meterRecordToItem(meter: MeterRecord): Item {
  return {
    ...meterToItem(meter),
    serviceType: meter.serviceType,
    meterType: meter.meterType,
    size: meter.size,
    dials: meter.dials,
    servicePointId: meter.servicePointId,
    installHistory: meter.installHistory.map((event) => ({ ...event })),
    recordVersion: meter.recordVersion,
  };
}

export function meterRecordFromItem(item: Item): MeterRecord {
  const meter = meterFromItem(item);
  const sp = optStr(item, 'servicePointId');
  return {
    ...meter,
    serviceType: item['serviceType'] === undefined ? serviceTypeOfUnit(meter.unit) : oneOf(item, 'serviceType', SERVICE_TYPES),
    meterType: item['meterType'] === undefined ? 'AMI' : oneOf(item, 'meterType', METER_TYPES),
    size: optStr(item, 'size') ?? '',
    dials: item['dials'] === undefined ? 0 : int(item, 'dials'),
    ...(sp ? { servicePointId: sp } : {}),
    installHistory: list(item, 'installHistory').map((e) => {
      const removedAt = optStr(e, 'removedAt');
      const orderId = optStr(e, 'orderId');
      return { servicePointId: str(e, 'servicePointId'), installedAt: str(e, 'installedAt'), ...(removedAt ? { removedAt } : {}), ...(orderId ? { orderId } : {}) } satisfies InstallEvent;
    }),
    recordVersion: version(item),
  };
}

export function accountRecordToItem(account: AccountRecord): Item {
  return {
    ...accountToItem(account),
    lifecycle: account.lifecycle,
    serviceClass: account.serviceClass,
    finalBillDue: account.finalBillDue,
    premiseIds: [...account.premiseIds],
    deposit: account.deposit ? { ...account.deposit } : undefined,
    recordVersion: account.recordVersion,
  };
}

export function accountRecordFromItem(item: Item): AccountRecord {
  const account = accountFromItem(item);
  const deposit = optMap(item, 'deposit');
  return {
    ...account,
    lifecycle: item['lifecycle'] === undefined ? (account.status === 'ACTIVE' ? 'ACTIVE' : 'FINAL') : oneOf(item, 'lifecycle', ['PENDING', 'ACTIVE', 'FINAL', 'CLOSED'] as const),
    serviceClass: item['serviceClass'] === undefined ? 'RESIDENTIAL' : oneOf(item, 'serviceClass', SERVICE_CLASSES),
    finalBillDue: bool(item, 'finalBillDue'),
    premiseIds: strList(item, 'premiseIds'),
    ...(deposit ? { deposit: { required: deposit['required'] === true, amount: str(deposit, 'amount'), reason: str(deposit, 'reason') } } : {}),
    recordVersion: version(item),
  };
}

export function agreementToItem(a: Agreement): Item {
  return {
    ...keys.agreement(a.accountId, a.agreementId),
    ...keys.agreementOfServicePoint(a.servicePointId, a.startDate ?? 'PENDING', a.agreementId),
    type: 'AGREEMENT',
    ...a,
  };
}

export function agreementFromItem(item: Item): Agreement {
  const opt = (name: string) => optStr(item, name);
  const startDate = opt('startDate');
  const endDate = opt('endDate');
  const meterId = opt('meterId');
  const closeReason = opt('closeReason') as Agreement['closeReason'] | undefined;
  const fallback = opt('fallbackFromAgreementId');
  return {
    agreementId: str(item, 'agreementId'),
    accountId: str(item, 'accountId'),
    customerId: str(item, 'customerId'),
    premiseId: str(item, 'premiseId'),
    servicePointId: str(item, 'servicePointId'),
    serviceType: oneOf(item, 'serviceType', SERVICE_TYPES),
    serviceClass: oneOf(item, 'serviceClass', SERVICE_CLASSES),
    tariffId: str(item, 'tariffId'),
    cycle: str(item, 'cycle'),
    status: oneOf(item, 'status', ['PENDING', 'ACTIVE', 'CLOSED', 'CANCELLED'] as const),
    ...(startDate ? { startDate } : {}),
    ...(endDate ? { endDate } : {}),
    ...(meterId ? { meterId } : {}),
    finalBill: bool(item, 'finalBill'),
    ...(closeReason ? { closeReason } : {}),
    ...(fallback ? { fallbackFromAgreementId: fallback } : {}),
    createdAt: str(item, 'createdAt'),
    recordVersion: version(item),
  };
}

export function orderToItem(order: ServiceOrder): Item {
  return {
    ...keys.serviceOrder(order.orderId),
    ...keys.serviceOrderOfOwner(keys.serviceOrderOwner(order), order.createdAt, order.orderId),
    ...keys.serviceOrderByState(order.state, order.updatedAt, order.orderId),
    ...order,
    type: 'SERVICE_ORDER',
    orderType: order.type,
    milestones: order.milestones.map((m) => ({ ...m })),
    completion: order.completion ? { ...order.completion } : undefined,
  };
}

export function orderFromItem(item: Item): ServiceOrder {
  const opt = (name: string) => optStr(item, name);
  const completion = optMap(item, 'completion');
  const optional: Partial<ServiceOrder> = {};
  for (const name of ['accountId', 'meterId', 'description', 'scheduledFor', 'cancelReason'] as const) {
    const value = opt(name);
    if (value !== undefined) optional[name] = value;
  }
  return {
    orderId: str(item, 'orderId'),
    type: oneOf(item, 'orderType', ORDER_TYPES),
    state: oneOf(item, 'state', ORDER_STATES),
    servicePointId: str(item, 'servicePointId'),
    premiseId: str(item, 'premiseId'),
    serviceType: oneOf(item, 'serviceType', SERVICE_TYPES),
    requestedBy: str(item, 'requestedBy'),
    ...optional,
    milestones: list(item, 'milestones').map((m) => ({ state: oneOf(m, 'state', ORDER_STATES), at: str(m, 'at'), text: str(m, 'text') }) satisfies Milestone),
    ...(completion ? { completion: Object.fromEntries(Object.entries(completion).filter(([, v]) => typeof v === 'string')) as unknown as OrderCompletion } : {}),
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
    recordVersion: version(item),
  };
}

export function noteToItem(note: Note): Item {
  return { ...keys.note(note.accountId, note.at, note.noteId), type: 'NOTE', ...note };
}

export function noteFromItem(item: Item): Note {
  const channel = item['channel'] === undefined ? undefined : oneOf(item, 'channel', CHANNELS);
  const direction = item['direction'] === undefined ? undefined : oneOf(item, 'direction', ['INBOUND', 'OUTBOUND'] as const);
  const outcome = optStr(item, 'outcome');
  return {
    noteId: str(item, 'noteId'),
    accountId: str(item, 'accountId'),
    kind: oneOf(item, 'kind', ['NOTE', 'INTERACTION'] as const),
    text: str(item, 'text'),
    ...(channel ? { channel } : {}),
    ...(direction ? { direction } : {}),
    ...(outcome ? { outcome } : {}),
    at: str(item, 'at'),
    by: str(item, 'by'),
  };
}

export function fieldReadToItem(read: FieldRead & { readId: string }): Item {
  return { ...keys.fieldRead(read.meterId, read.readAt, read.readId), type: 'FIELD_READ', ...read };
}

export function fieldReadFromItem(item: Item): FieldRead {
  const orderId = optStr(item, 'orderId');
  return {
    meterId: str(item, 'meterId'),
    readAt: str(item, 'readAt'),
    value: str(item, 'value'),
    unit: oneOf(item, 'unit', UNITS),
    source: oneOf(item, 'source', ['SERVICE_ORDER', 'IMPORT'] as const),
    ...(orderId ? { orderId } : {}),
    readType: oneOf(item, 'readType', ['TURN_ON', 'TURN_OFF', 'FINAL', 'RE_READ', 'REMOVAL', 'INSTALL', 'CHECK', 'OPENING'] as const),
  };
}

export function searchTokenToItem(token: SearchToken): Item {
  return { ...keys.searchToken(token.field, token.token, token.entityType, token.entityId), type: 'SEARCH', ...token };
}

export function searchTokenFromItem(item: Item): SearchToken {
  return {
    field: oneOf(item, 'field', SEARCH_FIELDS),
    token: str(item, 'token'),
    entityType: oneOf(item, 'entityType', ['CUSTOMER', 'PREMISE', 'ACCOUNT', 'METER'] as const),
    entityId: str(item, 'entityId'),
    label: str(item, 'label'),
  };
}
