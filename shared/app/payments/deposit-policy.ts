/**
 * The activation's deposit hook (shared/app/customers/ports DepositPolicy) backed by the
 * deposit rules: the customer's credit history comes from the ledgers of the customer's other
 * accounts (and the account's own, when it is reopened): returned payments, late fees, bills of
 * the lookback, and completed DISCONNECT orders.
 */
import type { Decimal } from 'decimal.js';
import { addMonths } from '../../domain/arrangements';
import { localDate } from '../../domain/calendar';
import type { DepositDecision } from '../../domain/customers/model';
import { creditEventsOf, depositRequirement, type CreditFacts, type DepositRules } from '../../domain/deposits';
import { postingDay } from '../../domain/ledger';
import { billReceivable } from '../../domain/budget';
import type { CustomerRecordStore, DepositPolicy } from '../customers/ports';
import type { Clock } from '../ports';
import type { LedgerStore } from './ports';

export interface CreditHistoryDeps {
  ledger: Pick<LedgerStore, 'listEntries'>;
  records: Pick<CustomerRecordStore, 'listOrdersOfAccount'>;
  clock: Clock;
  timeZone: string;
  depositRules: DepositRules;
}

/** Completed disconnections of an account (days), from its service orders. */
export async function disconnectionDays(records: Pick<CustomerRecordStore, 'listOrdersOfAccount'>, accountId: string): Promise<string[]> {
  const orders = await records.listOrdersOfAccount(accountId);
  return orders.filter((order) => order.type === 'DISCONNECT' && order.state === 'COMPLETED').map((order) => (order.completion?.completedAt ?? order.updatedAt).slice(0, 10));
}

/** The credit facts of a customer from the given accounts' ledgers and orders. */
export async function creditFacts(deps: Omit<CreditHistoryDeps, 'depositRules'>, accountIds: readonly string[], asOf: string, lookbackMonths: number, serviceTypes: readonly string[]): Promise<CreditFacts> {
  const facts: CreditFacts = { hasHistory: false, returnedPayments: [], latePayments: [], disconnections: [], billTotals: [], serviceTypes };
  const from = addMonths(asOf, -lookbackMonths);
  const billTotals: Array<{ day: string; total: Decimal }> = [];
  for (const accountId of accountIds) {
    const [entries, disconnections] = await Promise.all([deps.ledger.listEntries(accountId), disconnectionDays(deps.records, accountId)]);
    if (entries.length > 0) facts.hasHistory = true;
    const events = creditEventsOf(entries);
    (facts.returnedPayments as string[]).push(...events.returnedPayments);
    (facts.latePayments as string[]).push(...events.latePayments);
    (facts.disconnections as string[]).push(...disconnections);
    for (const entry of entries) if (entry.kind === 'BILL' && postingDay(entry.postedAt) > from) billTotals.push({ day: postingDay(entry.postedAt), total: billReceivable(entry) });
  }
  facts.billTotals = billTotals.sort((a, b) => a.day.localeCompare(b.day)).map((bill) => bill.total);
  return facts;
}

export function creditHistoryDepositPolicy(deps: CreditHistoryDeps): DepositPolicy {
  return {
    async evaluate({ account, agreements, otherAccounts }): Promise<DepositDecision> {
      const asOf = localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
      const accountIds = [account.accountId, ...otherAccounts.map((other) => other.accountId)];
      const facts = await creditFacts(deps, accountIds, asOf, deps.depositRules.lookbackMonths, agreements.map((agreement) => agreement.serviceType));
      const requirement = depositRequirement(deps.depositRules, facts, account.serviceClass, asOf);
      return { required: requirement.required, amount: requirement.amount, reason: requirement.reason };
    },
  };
}
