/** Customers, service accounts and meters: the records every other context hangs off. */
import type { Unit } from './units';

export type AccountStatus = 'ACTIVE' | 'INACTIVE';
export type MeterStatus = 'ACTIVE' | 'INACTIVE';

export interface Customer {
  customerId: string;
  name: string;
  email?: string;
  createdAt: string;
}

export interface Account {
  accountId: string;
  customerId: string;
  name: string;
  serviceAddress: string;
  /** Billing cycle code, e.g. "C1". */
  cycle: string;
  tariffId: string;
  status: AccountStatus;
  meterIds: string[];
  /** Fixed at creation: shardOf(accountId), 0..1023. */
  shard: number;
  createdAt: string;
}

export interface Meter {
  meterId: string;
  accountId: string;
  unit: Unit;
  status: MeterStatus;
  /** Integer register multiplier (CT/PT ratio) applied to usage when billing; 1 for most meters. */
  multiplier: number;
  /** Meter size ("5/8in", "1in", "200A"): the key of tariff charges by meter size. */
  size?: string;
}
