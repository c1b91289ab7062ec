/**
 * Bill delivery: every posted bill is announced once on the delivery queue with the channel the
 * customer chose (paper to the print vendor, e-mail, or a portal notice only), so the mailing,
 * e-mail and portal-notification services each take their own bills. Events are at least once
 * (a retried billing segment announces its bills again): consumers keep the bill id they handled.
 */
import type { Bill } from './billing';
import type { BillDelivery, CustomerRecord } from './customers/model';
import { notificationsOf, type NotificationChannel } from './customers/notifications';

export type DeliveredBill = Pick<Bill, 'billId' | 'accountId' | 'customerId' | 'periodStart' | 'periodEnd' | 'total' | 'dueDate' | 'finalBill'>;

export interface BillDeliveryEvent {
  type: 'bill.ready';
  billId: string;
  accountId: string;
  customerId: string;
  channel: BillDelivery;
  periodStart: string;
  periodEnd: string;
  total: string;
  dueDate: string;
  finalBill: boolean;
  /** The API path of the bill's document (PDF by default, `?format=html` for the web page). */
  documentPath: string;
  /** EMAIL: where to send it. */
  email?: string;
  /** PAPER: the address to print on the envelope. */
  mailingAddress?: CustomerRecord['mailingAddress'];
  /** The customer's "bill ready" notification channels (a notifier sends on these; [] = none). */
  notify: NotificationChannel[];
  /** The address of each channel in `notify`. */
  notifyEmail?: string;
  notifyPhone?: string;
}

/**
 * The delivery event of a bill for its customer. A customer record that is missing, or an e-mail
 * delivery without an address, falls back to paper, so no bill goes undelivered.
 */
export function deliveryEvent(bill: DeliveredBill, customer: (Pick<CustomerRecord, 'billDelivery' | 'email' | 'mailingAddress'> & Partial<Pick<CustomerRecord, 'phones' | 'notifications'>>) | undefined): BillDeliveryEvent {
  const wanted = customer?.billDelivery ?? 'PAPER';
  const channel: BillDelivery = wanted === 'EMAIL' && !customer?.email ? 'PAPER' : wanted;
  // A channel whose address is gone is left out rather than sent nowhere.
  const notify = customer ? notificationsOf(customer).billReady.filter((c) => (c === 'EMAIL' ? Boolean(customer.email) : (customer.phones?.length ?? 0) > 0)) : [];
  return {
    type: 'bill.ready',
    billId: bill.billId,
    accountId: bill.accountId,
    customerId: bill.customerId,
    channel,
    periodStart: bill.periodStart,
    periodEnd: bill.periodEnd,
    total: bill.total,
    dueDate: bill.dueDate,
    finalBill: bill.finalBill,
    documentPath: `/portal/accounts/${bill.accountId}/bills/${bill.billId}/document`,
    ...(channel === 'EMAIL' && customer?.email ? { email: customer.email } : {}),
    ...(channel === 'PAPER' && customer?.mailingAddress ? { mailingAddress: { ...customer.mailingAddress } } : {}),
    notify,
    ...(notify.includes('EMAIL') && customer?.email ? { notifyEmail: customer.email } : {}),
    ...(notify.includes('SMS') && customer?.phones?.[0] ? { notifyPhone: customer.phones[0] } : {}),
  };
}
