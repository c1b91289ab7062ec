/** Changes to a customer's contacts and preferences (staff, or the customer from the portal). */
import type { BillDelivery, Contact, CustomerKind, CustomerRecord, PostalAddress } from '../../domain/customers/model';
import { ServiceRuleViolation } from '../../domain/customers/errors';
import { checkNotifications, normalizeChannels, notificationsOf, NOTIFICATION_TOPICS, type NotificationPreferences } from '../../domain/customers/notifications';
import { phoneDigits } from '../../domain/customers/search';
import { Session, withRetry, type SessionDeps } from './session';

export interface CustomerChanges {
  name?: string | undefined;
  kind?: CustomerKind | undefined;
  /** null removes it. */
  email?: string | null | undefined;
  phones?: string[] | undefined;
  billDelivery?: BillDelivery | undefined;
  mailingAddress?: PostalAddress | null | undefined;
  contacts?: Contact[] | undefined;
  /** Topics to change; topics left out keep their channels. */
  notifications?: Partial<NotificationPreferences> | undefined;
}

export async function updateCustomer(deps: SessionDeps, actor: string, customerId: string, changes: CustomerChanges): Promise<CustomerRecord> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const current = await session.mustCustomer(customerId);
    const next: CustomerRecord = { ...current };
    if (changes.name !== undefined) next.name = changes.name;
    if (changes.kind !== undefined) next.kind = changes.kind;
    if (changes.email === null) delete next.email;
    else if (changes.email !== undefined) next.email = changes.email;
    if (changes.phones !== undefined) next.phones = changes.phones.map(phoneDigits);
    if (changes.billDelivery !== undefined) next.billDelivery = changes.billDelivery;
    if (changes.mailingAddress === null) delete next.mailingAddress;
    else if (changes.mailingAddress !== undefined) next.mailingAddress = changes.mailingAddress;
    if (changes.contacts !== undefined) next.contacts = changes.contacts;
    if (changes.notifications !== undefined) {
      const current = notificationsOf(next);
      next.notifications = Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, normalizeChannels(changes.notifications?.[topic] ?? current[topic])])) as NotificationPreferences;
    }
    // Stored choices must keep their addresses (removing the e-mail address or the last phone included).
    if (next.notifications) checkNotifications(next.notifications, next);
    if ((next.billDelivery === 'EMAIL' || next.billDelivery === 'PORTAL') && !next.email) {
      throw new ServiceRuleViolation('email-required', `bill delivery ${next.billDelivery} needs an email address`);
    }
    const changed = Object.keys(changes).filter((key) => changes[key as keyof CustomerChanges] !== undefined);
    if (changed.length === 0) return current;
    session.put('customer', next);
    session.audit('CUSTOMER', customerId, 'customer.updated', { fields: changed.sort().join(','), ...(changes.billDelivery ? { billDelivery: changes.billDelivery } : {}), ...(next.notifications && changes.notifications ? { notifications: NOTIFICATION_TOPICS.map((topic) => `${topic}=${next.notifications![topic].join('+') || 'none'}`).join(',') } : {}) });
    await session.commit();
    return { ...next, recordVersion: current.recordVersion + 1 };
  });
}

/** What the portal shows and changes on the Preferences screen: contacts, bill delivery and notifications in force. */
export function preferencesOf(customer: CustomerRecord) {
  return {
    customerId: customer.customerId,
    name: customer.name,
    email: customer.email ?? null,
    phones: customer.phones,
    billDelivery: customer.billDelivery,
    /** No paper bill: EMAIL (the bill by e-mail) or PORTAL (a notice; the bill in the portal). */
    paperless: customer.billDelivery !== 'PAPER',
    mailingAddress: customer.mailingAddress ?? null,
    notifications: notificationsOf(customer),
  };
}

/** GET /portal/preferences: the signed-in customer's preferences. */
export async function getMyPreferences(deps: SessionDeps, customerId: string): Promise<ReturnType<typeof preferencesOf>> {
  const session = new Session(deps, `portal:${customerId}`);
  return preferencesOf(await session.mustCustomer(customerId));
}
