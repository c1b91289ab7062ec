/** Lazily wired dependencies of the customer-record handlers, and the staff roles they allow. */
import type { StaffRole } from '../domain/identity';
import { DynamoCustomerRecordStore } from './customer-record-store';
import { DynamoLedgerStore } from './ledger-store';
import { lazy, tableDeps } from './runtime';
import { creditHistoryDepositPolicy } from '../app/payments/deposit-policy';
import type { DepositPolicy } from '../app/customers/ports';
import { depositRulesWith } from '../domain/deposits';
import { DepositEnv } from '../schemas/env';
import { parseEnv } from './env';

export const customerDeps = lazy(() => {
  const table = tableDeps();
  const records = new DynamoCustomerRecordStore(table.documentClient, table.tableName);
  const ledger = new DynamoLedgerStore(table.documentClient, table.tableName);
  // Activations decide the deposit from the customer's credit history (DEPOSIT_POLICY).
  const deposits = creditHistoryDepositPolicy({ ledger, records, clock: table.clock, timeZone: table.timeZone, depositRules: depositRulesWith(parseEnv(DepositEnv).DEPOSIT_POLICY) });
  return { ...table, records, ledger, deposits };
});
/** The deposit hook is optional: without it an activation requires no deposit (tests, tools). */
export type CustomerDeps = Omit<ReturnType<typeof customerDeps>, 'deposits'> & { deposits?: DepositPolicy };

/** Staff roles that may change the customer record; auditors read only. */
export const RECORD_WRITERS: readonly StaffRole[] = ['csr', 'admin'];
/** Notes and the interaction log: every role that talks to customers. */
export const NOTE_WRITERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
