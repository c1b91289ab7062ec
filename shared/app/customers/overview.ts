/**
 * The CSR's one screen: everything about an account in one call, and staff search by name,
 * address, account number, meter number, phone or email.
 */
import type { AuditEvent } from '../../domain/audit';
import type { AccountRecord, Agreement, CustomerRecord, FieldRead, MeterRecord, Note, Premise } from '../../domain/customers/model';
import { notificationsOf } from '../../domain/customers/notifications';
import { nameWords, planSearch, type SearchField } from '../../domain/customers/search';
import { isOpen, type ServiceOrder } from '../../domain/customers/service-orders';
import type { Bill } from '../../domain/billing';
import { addDays, localDate } from '../../domain/calendar';
import { flattenDays, type ReadView } from '../get-account';
import type { BillStore, Clock, ReadStore } from '../ports';
import type { AccountBalance } from '../../domain/ledger';
import type { Dispute } from '../../domain/disputes';
import type { Payment } from '../../domain/payments';
import { arrangementsOf, type ArrangementView } from '../payments/arrangements';
import { balanceOf } from '../payments/ledger-reads';
import type { LedgerStore } from '../payments/ports';
import { RecordNotFound } from './errors';
import type { CustomerRecordStore } from './ports';

export interface OverviewDeps {
  records: CustomerRecordStore;
  bills: BillStore;
  reads: ReadStore;
  ledger: Pick<LedgerStore, 'listEntries' | 'listPayments' | 'listArrangements' | 'listDisputes'>;
  clock: Clock;
  timeZone: string;
}

export interface AccountOverview {
  account: AccountRecord;
  customers: CustomerRecord[];
  premises: Premise[];
  agreements: Agreement[];
  meters: Array<MeterRecord & { latestFieldRead: FieldRead | null; latestIntervalRead: ReadView | null }>;
  bills: Bill[];
  /** Accounts receivable from the ledger: decimal string, positive = the customer owes. */
  balance: string;
  /** The receivable in detail: per service, aging, past due, credit. */
  receivable: AccountBalance;
  /** The latest payments, newest first. */
  payments: Payment[];
  /** Payment arrangements with where each stands today, newest first. */
  arrangements: ArrangementView[];
  /** Disputes of charges, open ones first, newest first. */
  disputes: Dispute[];
  openServiceOrders: ServiceOrder[];
  recentServiceOrders: ServiceOrder[];
  notes: Note[];
  auditTimeline: AuditEvent[];
}

export const OVERVIEW_LIMITS = { bills: 12, payments: 12, notes: 50, audit: 100, closedOrders: 10 } as const;

export async function getAccountOverview(deps: OverviewDeps, accountId: string): Promise<AccountOverview> {
  const account = await deps.records.getAccount(accountId);
  if (!account) throw new RecordNotFound(`account ${accountId} does not exist`);
  const [agreements, orders, notes, accountAudit, bills, receivable, payments, arrangements, disputes] = await Promise.all([
    deps.records.listAgreements(accountId),
    deps.records.listOrdersOfAccount(accountId),
    deps.records.listNotes(accountId, OVERVIEW_LIMITS.notes),
    deps.records.listAudit('ACCOUNT', accountId, OVERVIEW_LIMITS.audit),
    deps.bills.listForAccount(accountId, OVERVIEW_LIMITS.bills),
    balanceOf(deps, accountId),
    deps.ledger.listPayments(accountId, OVERVIEW_LIMITS.payments),
    arrangementsOf(deps, accountId),
    deps.ledger.listDisputes(accountId),
  ]);
  const meterIds = [...new Set([...account.meterIds, ...agreements.flatMap((a) => (a.meterId ? [a.meterId] : []))])];
  const premiseIds = [...new Set([...account.premiseIds, ...agreements.map((a) => a.premiseId)])];
  const [customers, premises, meters, customerAudit] = await Promise.all([
    deps.records.getCustomers([account.customerId]),
    deps.records.getPremises(premiseIds),
    deps.records.getMeters(meterIds),
    deps.records.listAudit('CUSTOMER', account.customerId, OVERVIEW_LIMITS.audit),
  ]);
  const today = localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
  const withReads = await Promise.all(
    meters.map(async (meter) => {
      const [field, days] = await Promise.all([deps.records.latestFieldRead(meter.meterId), deps.reads.listDays(meter.meterId, addDays(today, -6), today)]);
      return { ...meter, latestFieldRead: field ?? null, latestIntervalRead: flattenDays(days).at(-1) ?? null };
    }),
  );
  const auditTimeline = [...accountAudit, ...customerAudit].sort((a, b) => b.at.localeCompare(a.at) || b.eventId.localeCompare(a.eventId)).slice(0, OVERVIEW_LIMITS.audit);
  return {
    account,
    // With the notification channels in force (defaults for topics the customer never chose).
    customers: customers.map((customer) => ({ ...customer, notifications: notificationsOf(customer) })),
    premises,
    agreements: agreements.sort((a, b) => (b.startDate ?? '9999').localeCompare(a.startDate ?? '9999') || a.agreementId.localeCompare(b.agreementId)),
    meters: withReads.sort((a, b) => a.meterId.localeCompare(b.meterId)),
    bills: bills.items,
    balance: receivable.balance,
    receivable,
    payments: payments.items,
    arrangements,
    disputes: disputes.sort((a, b) => (a.status === b.status ? 0 : a.status === 'OPEN' ? -1 : 1) || b.openedAt.localeCompare(a.openedAt)),
    openServiceOrders: orders.filter(isOpen).reverse(),
    recentServiceOrders: orders.filter((o) => !isOpen(o)).reverse().slice(0, OVERVIEW_LIMITS.closedOrders),
    notes,
    auditTimeline,
  };
}

export interface SearchResult {
  accountId: string;
  customerId: string;
  name: string;
  serviceAddress: string;
  status: AccountRecord['status'];
  lifecycle: AccountRecord['lifecycle'];
  matchedOn: SearchField[];
}

export interface PremiseHit {
  premiseId: string;
  address: string;
}

export const SEARCH_LIMIT = 25;

/** Free-text search over the token index; exact account and meter ids also hit legacy records without tokens. */
export async function searchAccounts(deps: { records: CustomerRecordStore }, query: string, limit = SEARCH_LIMIT): Promise<{ items: SearchResult[]; premises: PremiseHit[] }> {
  const plans = planSearch(query);
  const matched = new Map<string, Set<SearchField>>();
  const premises = new Map<string, string>();
  const note = (accountId: string, field: SearchField) => {
    if (!accountId) return;
    const set = matched.get(accountId) ?? new Set<SearchField>();
    set.add(field);
    matched.set(accountId, set);
  };
  const hitsPerPlan = await Promise.all(plans.map((plan) => deps.records.searchPrefix(plan.field, plan.prefix, limit * 2)));
  await Promise.all(
    plans.map(async (plan, index) => {
      const hits = hitsPerPlan[index]!.filter((hit) => !plan.alsoWords || plan.alsoWords.every((word) => nameWords(hit.label).some((w) => w.startsWith(word))));
      for (const hit of hits) {
        if (hit.entityType === 'ACCOUNT') note(hit.entityId, plan.field);
        else if (hit.entityType === 'CUSTOMER') for (const id of await deps.records.listAccountIdsOfCustomer(hit.entityId)) note(id, plan.field);
        else if (hit.entityType === 'PREMISE') {
          premises.set(hit.entityId, hit.label);
          for (const id of await deps.records.listAccountIdsOfPremise(hit.entityId)) note(id, plan.field);
        }
        else if (hit.entityType === 'METER') {
          const meter = await deps.records.getMeter(hit.entityId);
          if (meter?.accountId) note(meter.accountId, plan.field);
        }
      }
    }),
  );
  const exactId = query.trim();
  if (/^[A-Za-z0-9_-]{1,64}$/.test(exactId)) {
    const [account, meter] = await Promise.all([deps.records.getAccount(exactId), deps.records.getMeter(exactId)]);
    if (account) note(account.accountId, 'account');
    if (meter?.accountId) note(meter.accountId, 'meter');
  }
  const accounts = await deps.records.getAccounts([...matched.keys()].slice(0, limit * 2));
  const items = accounts
    .map((account) => ({ accountId: account.accountId, customerId: account.customerId, name: account.name, serviceAddress: account.serviceAddress, status: account.status, lifecycle: account.lifecycle, matchedOn: [...(matched.get(account.accountId) ?? [])].sort() }))
    .sort((a, b) => b.matchedOn.length - a.matchedOn.length || (a.status === b.status ? 0 : a.status === 'ACTIVE' ? -1 : 1) || a.accountId.localeCompare(b.accountId))
    .slice(0, limit);
  // Premises match too, with or without accounts (a vacant premise is where a move-in starts).
  return { items, premises: [...premises.entries()].map(([premiseId, address]) => ({ premiseId, address })).sort((a, b) => a.address.localeCompare(b.address)).slice(0, limit) };
}

export interface PremiseView {
  premise: Premise;
  servicePoints: Array<ServicePointView>;
}

export interface ServicePointView {
  servicePointId: string;
  serviceType: string;
  connection: string;
  meter: MeterRecord | null;
  activeAgreementId: string | null;
  activeAccountId: string | null;
}

/** A premise with its service points, their meters and who holds them now. */
export async function getPremise(deps: { records: CustomerRecordStore }, premiseId: string): Promise<PremiseView & { accountIds: string[] }> {
  const premise = await deps.records.getPremise(premiseId);
  if (!premise) throw new RecordNotFound(`premise ${premiseId} does not exist`);
  const [servicePoints, accountIds] = await Promise.all([deps.records.listServicePoints(premiseId), deps.records.listAccountIdsOfPremise(premiseId)]);
  const meters = new Map((await deps.records.getMeters(servicePoints.flatMap((sp) => (sp.meterId ? [sp.meterId] : [])))).map((m) => [m.meterId, m]));
  return {
    premise,
    servicePoints: servicePoints.map((sp) => ({
      servicePointId: sp.servicePointId,
      serviceType: sp.serviceType,
      connection: sp.connection,
      meter: (sp.meterId && meters.get(sp.meterId)) || null,
      activeAgreementId: sp.activeAgreementId ?? null,
      activeAccountId: sp.activeAccountId ?? null,
    })),
    accountIds: accountIds.sort(),
  };
}
