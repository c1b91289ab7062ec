/**
 * The customer record: customers (people and businesses), premises (service addresses), service
 * points (one per service type at a premise), meters with their install history, accounts and
 * the effective-dated service agreements that tie an account, a service point, a tariff and a
 * billing cycle together. Several agreements on one account bill on one invoice.
 *
 * Every stored entity carries `recordVersion` (optimistic locking: a write names the version it
 * read, so two concurrent workflows on one service point cannot both win).
 */
import type { Account, Customer, Meter } from '../accounts';
import type { NotificationPreferences } from './notifications';

export const SERVICE_TYPES = ['water', 'electric', 'gas', 'sewer', 'stormwater'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const SERVICE_CLASSES = ['RESIDENTIAL', 'COMMERCIAL', 'INDUSTRIAL', 'IRRIGATION'] as const;
export type ServiceClass = (typeof SERVICE_CLASSES)[number];

export const CUSTOMER_KINDS = ['PERSON', 'BUSINESS'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

export const BILL_DELIVERY = ['PAPER', 'EMAIL', 'PORTAL'] as const;
export type BillDelivery = (typeof BILL_DELIVERY)[number];

export const METER_TYPES = ['AMI', 'AMR', 'MANUAL'] as const;
export type MeterType = (typeof METER_TYPES)[number];

/** Service types measured by a meter; sewer and stormwater are usually unmetered (billed on water or area). */
export const METERED_SERVICES: readonly ServiceType[] = ['water', 'electric', 'gas'];

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  /** Two-letter state code. */
  state: string;
  /** Five-digit ZIP or ZIP+4. */
  zip: string;
}

export interface Contact {
  name: string;
  role: 'PRIMARY' | 'BILLING' | 'EMERGENCY' | 'AUTHORIZED';
  phone?: string;
  email?: string;
}

export interface CustomerRecord extends Customer {
  kind: CustomerKind;
  /** Phone numbers as digits only (10 digits for US numbers). */
  phones: string[];
  billDelivery: BillDelivery;
  mailingAddress?: PostalAddress;
  contacts: Contact[];
  /** Channels per notification topic the customer chose (absent: the defaults of notificationsOf). */
  notifications?: NotificationPreferences;
  recordVersion: number;
}

export interface Premise {
  premiseId: string;
  address: PostalAddress;
  /** normalizeAddress(address): the key that makes addresses comparable and searchable. */
  normalizedAddress: string;
  premiseType: ServiceClass;
  /** The owner or landlord who takes over service when a tenant leaves (landlord fallback). */
  ownerAccountId?: string;
  createdAt: string;
  recordVersion: number;
}

export type Connection = 'ON' | 'OFF';

export interface ServicePoint {
  servicePointId: string;
  premiseId: string;
  serviceType: ServiceType;
  /** The meter installed here now (metered services only). */
  meterId?: string;
  /** At most one active agreement at a time; the lock that decides concurrent move-ins. */
  activeAgreementId?: string;
  activeAccountId?: string;
  connection: Connection;
  recordVersion: number;
}

export interface InstallEvent {
  servicePointId: string;
  installedAt: string;
  removedAt?: string;
  /** The order that installed or removed it, when there was one. */
  orderId?: string;
}

export interface MeterRecord extends Meter {
  serviceType: ServiceType;
  meterType: MeterType;
  /** e.g. "5/8in", "200A", "250 cfh". */
  size: string;
  /** Register dials (the read rolls over at 10^dials). */
  dials: number;
  /** Where it is installed now; absent when in stock. */
  servicePointId?: string;
  installHistory: InstallEvent[];
  recordVersion: number;
}

export type AccountLifecycle = 'PENDING' | 'ACTIVE' | 'FINAL' | 'CLOSED';

export interface DepositDecision {
  required: boolean;
  /** Decimal string. */
  amount: string;
  reason: string;
}

/**
 * The account as the billing slice knows it (Account: tariffId, meterIds, cycle, shard, status),
 * plus its lifecycle. `tariffId` and `meterIds` are kept in step with the active agreements.
 */
export interface AccountRecord extends Account {
  lifecycle: AccountLifecycle;
  serviceClass: ServiceClass;
  /** Set by a move-out or stop: the next bill is the final bill. */
  finalBillDue: boolean;
  premiseIds: string[];
  deposit?: DepositDecision;
  recordVersion: number;
}

export type AgreementStatus = 'PENDING' | 'ACTIVE' | 'CLOSED' | 'CANCELLED';

export interface Agreement {
  agreementId: string;
  accountId: string;
  customerId: string;
  premiseId: string;
  servicePointId: string;
  serviceType: ServiceType;
  serviceClass: ServiceClass;
  tariffId: string;
  cycle: string;
  status: AgreementStatus;
  /** Effective dates (YYYY-MM-DD, utility local); endDate is the last day of service. */
  startDate?: string;
  endDate?: string;
  meterId?: string;
  /** The closing bill of this agreement is a final bill. */
  finalBill: boolean;
  closeReason?: 'MOVE_OUT' | 'STOP' | 'TRANSFER' | 'LANDLORD_FALLBACK_ENDED';
  /** Set when the agreement was started for the owner after a tenant left. */
  fallbackFromAgreementId?: string;
  createdAt: string;
  recordVersion: number;
}

export interface FieldRead {
  meterId: string;
  /** ISO instant. */
  readAt: string;
  /** Register value, a decimal string in the meter's unit. */
  value: string;
  unit: Meter['unit'];
  source: 'SERVICE_ORDER' | 'IMPORT';
  orderId?: string;
  readType: 'TURN_ON' | 'TURN_OFF' | 'FINAL' | 'RE_READ' | 'REMOVAL' | 'INSTALL' | 'CHECK' | 'OPENING';
}

export type NoteKind = 'NOTE' | 'INTERACTION';
export const CHANNELS = ['PHONE', 'EMAIL', 'WALK_IN', 'PORTAL', 'LETTER', 'FIELD'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Note {
  noteId: string;
  accountId: string;
  kind: NoteKind;
  text: string;
  /** Interactions: how the customer reached us and how it ended. */
  channel?: Channel;
  direction?: 'INBOUND' | 'OUTBOUND';
  outcome?: string;
  at: string;
  by: string;
}
