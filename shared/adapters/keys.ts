/**
 * Every key of the single table, in one place. PK/SK = primary key; GSI1 = accounts of a
 * billing cycle by shard; GSI2 = entities by type (listing).
 */
import { formatShard } from '../domain/segments';

export interface Key {
  PK: string;
  SK: string;
}

export const GSI1 = 'GSI1';
export const GSI2 = 'GSI2';

export const TYPE_ACCOUNT = 'TYPE#ACCOUNT';
export const TYPE_CUSTOMER = 'TYPE#CUSTOMER';
export const TYPE_RUN = 'TYPE#RUN';

export const keys = {
  account: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'ACCOUNT' }),
  accountCycleShard: (cycle: string, shard: number, accountId: string) => ({ GSI1PK: cycleShardPartition(cycle, shard), GSI1SK: `ACCOUNT#${accountId}` }),
  accountByType: (accountId: string) => ({ GSI2PK: TYPE_ACCOUNT, GSI2SK: accountId }),

  customer: (customerId: string): Key => ({ PK: `CUSTOMER#${customerId}`, SK: 'CUSTOMER' }),
  customerByType: (customerId: string) => ({ GSI2PK: TYPE_CUSTOMER, GSI2SK: customerId }),
  customerAccountLink: (customerId: string, accountId: string): Key => ({ PK: `CUSTOMER#${customerId}`, SK: `ACCOUNT#${accountId}` }),
  customerPartition: (customerId: string) => `CUSTOMER#${customerId}`,
  ACCOUNT_LINK_PREFIX: 'ACCOUNT#',

  meter: (meterId: string): Key => ({ PK: `METER#${meterId}`, SK: 'METER' }),
  meterPartition: (meterId: string) => `METER#${meterId}`,
  readsDay: (meterId: string, day: string): Key => ({ PK: `METER#${meterId}`, SK: `DAY#${day}` }),
  readsDaySort: (day: string) => `DAY#${day}`,

  tariff: (tariffId: string): Key => ({ PK: `TARIFF#${tariffId}`, SK: 'TARIFF' }),

  accountPartition: (accountId: string) => `ACCOUNT#${accountId}`,
  bill: (accountId: string, periodStart: string, billId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `BILL#${periodStart}#${billId}` }),
  BILL_PREFIX: 'BILL#',
  ledgerEntry: (accountId: string, postedAt: string, entryId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `LEDGER#${postedAt}#${entryId}` }),
  LEDGER_PREFIX: 'LEDGER#',

  run: (runId: string): Key => ({ PK: `RUN#${runId}`, SK: 'RUN' }),
  runByType: (runId: string, startedAt: string) => ({ GSI2PK: TYPE_RUN, GSI2SK: `${startedAt}#${runId}` }),

  auditEvent: (entityType: string, entityId: string, at: string, eventId: string): Key => ({ PK: `AUDIT#${entityType}#${entityId}`, SK: `AUDIT#${at}#${eventId}` }),
} as const;

export function cycleShardPartition(cycle: string, shard: number): string {
  return `CYCLE#${cycle}#SHARD#${formatShard(shard)}`;
}
