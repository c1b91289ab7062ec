/** What the customer-record use cases need from storage. */
import type { AuditEvent, AuditEntityType } from '../../domain/audit';
import type { AccountRecord, Agreement, CustomerRecord, DepositDecision, FieldRead, MeterRecord, Note, Premise, ServicePoint } from '../../domain/customers/model';
import type { SearchField, SearchToken } from '../../domain/customers/search';
import type { OrderState, ServiceOrder } from '../../domain/customers/service-orders';
import type { Page } from '../ports';

/**
 * One entity to write. Without `previous` the entity must not exist yet; with it, the stored
 * recordVersion must still be previous.recordVersion (the write stores previous + 1).
 */
export type Change =
  | { kind: 'customer'; value: CustomerRecord; previous?: CustomerRecord }
  | { kind: 'premise'; value: Premise; previous?: Premise }
  | { kind: 'servicePoint'; value: ServicePoint; previous?: ServicePoint }
  | { kind: 'meter'; value: MeterRecord; previous?: MeterRecord }
  | { kind: 'account'; value: AccountRecord; previous?: AccountRecord }
  | { kind: 'agreement'; value: Agreement; previous?: Agreement }
  | { kind: 'order'; value: ServiceOrder; previous?: ServiceOrder }
  | { kind: 'note'; value: Note }
  | { kind: 'fieldRead'; value: FieldRead & { readId: string } };

export interface SearchHit extends SearchToken {}

export interface CustomerRecordStore {
  getCustomer(customerId: string): Promise<CustomerRecord | undefined>;
  getCustomers(customerIds: readonly string[]): Promise<CustomerRecord[]>;
  getPremise(premiseId: string): Promise<Premise | undefined>;
  getPremises(premiseIds: readonly string[]): Promise<Premise[]>;
  findPremiseIdByAddress(normalizedAddress: string): Promise<string | undefined>;
  getServicePoint(servicePointId: string): Promise<ServicePoint | undefined>;
  listServicePoints(premiseId: string): Promise<ServicePoint[]>;
  getMeter(meterId: string): Promise<MeterRecord | undefined>;
  getMeters(meterIds: readonly string[]): Promise<MeterRecord[]>;
  getAccount(accountId: string): Promise<AccountRecord | undefined>;
  getAccounts(accountIds: readonly string[]): Promise<AccountRecord[]>;
  listAccountIdsOfCustomer(customerId: string): Promise<string[]>;
  listAccountIdsOfPremise(premiseId: string): Promise<string[]>;
  listAgreements(accountId: string): Promise<Agreement[]>;
  getOrder(orderId: string): Promise<ServiceOrder | undefined>;
  /** The orders of an account, oldest first. */
  listOrdersOfAccount(accountId: string): Promise<ServiceOrder[]>;
  /** One page of the orders in a state, latest change first (GSI2, eventually consistent). */
  pageOrdersByState(state: OrderState, limit: number, cursor?: string): Promise<Page<ServiceOrder>>;
  listNotes(accountId: string, limit: number): Promise<Note[]>;
  /** Newest first. */
  listAudit(entityType: AuditEntityType, entityId: string, limit: number): Promise<AuditEvent[]>;
  latestFieldRead(meterId: string): Promise<FieldRead | undefined>;
  searchPrefix(field: SearchField, prefix: string, limit: number): Promise<SearchHit[]>;
  /**
   * Writes every change and audit event in one transaction; ConcurrentWrite when another
   * writer changed one of the records first (the caller re-reads and decides again).
   */
  commit(changes: readonly Change[], audit: readonly AuditEvent[]): Promise<void>;
}

/** The deposit evaluation hook of an activation (the functions use shared/app/payments/deposit-policy.ts: credit history and the deposit rules). */
export interface DepositPolicy {
  evaluate(input: { customer: CustomerRecord; account: AccountRecord; agreements: readonly Agreement[]; otherAccounts: readonly AccountRecord[] }): Promise<DepositDecision>;
}

export const noDepositPolicy: DepositPolicy = {
  evaluate: async () => ({ required: false, amount: '0.00', reason: 'no-deposit-policy-configured' }),
};
