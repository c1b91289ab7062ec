/** Lazily wired dependencies of the customer-record handlers, and the staff roles they allow. */
import type { StaffRole } from '../domain/identity';
import { DynamoCustomerRecordStore } from './customer-record-store';
import { DynamoLedgerStore } from './ledger-store';
import { lazy, tableDeps } from './runtime';

export const customerDeps = lazy(() => {
  const table = tableDeps();
  return { ...table, records: new DynamoCustomerRecordStore(table.documentClient, table.tableName), ledger: new DynamoLedgerStore(table.documentClient, table.tableName) };
});
export type CustomerDeps = ReturnType<typeof customerDeps>;

/** Staff roles that may change the customer record; auditors read only. */
export const RECORD_WRITERS: readonly StaffRole[] = ['csr', 'admin'];
/** Notes and the interaction log: every role that talks to customers. */
export const NOTE_WRITERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
