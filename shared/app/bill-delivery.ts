/** Announces posted bills on the delivery queue with each customer's channel (see shared/domain/bill-delivery.ts). */
import { deliveryEvent, type BillDeliveryEvent, type DeliveredBill } from '../domain/bill-delivery';
import type { CustomerRecord } from '../domain/customers/model';
import type { Logger } from './ports';

export interface BillDeliveryQueue {
  /** Sends every event or throws (TransientStoreError: the caller's retry sends them again). */
  send(events: readonly BillDeliveryEvent[]): Promise<void>;
}

export interface BillDeliveryDeps {
  records: { getCustomers(customerIds: readonly string[]): Promise<CustomerRecord[]> };
  queue: BillDeliveryQueue;
  log: Logger;
}

/** The hook a billing segment, a release and a rebill call with the bills they posted. */
export function billDeliveryHook(deps: BillDeliveryDeps) {
  return async (bills: readonly DeliveredBill[]): Promise<{ sent: number }> => {
    if (bills.length === 0) return { sent: 0 };
    const customers = new Map((await deps.records.getCustomers([...new Set(bills.map((bill) => bill.customerId))])).map((customer) => [customer.customerId, customer]));
    const events = bills.map((bill) => deliveryEvent(bill, customers.get(bill.customerId)));
    await deps.queue.send(events);
    return { sent: events.length };
  };
}

/** Runs the hooks one after the other (posting hooks before the delivery announcement). */
export function inOrder<T>(...hooks: Array<((bills: readonly T[]) => Promise<unknown>) | undefined>) {
  return async (bills: readonly T[]): Promise<void> => {
    for (const hook of hooks) if (hook) await hook(bills);
  };
}
