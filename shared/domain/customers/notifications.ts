/**
 * Notification preferences of a customer: for each topic the channels (e-mail, text message) the
 * customer wants to hear about it on. A customer who never chose gets every topic by e-mail when
 * the record has an e-mail address, else nothing (bills still go by their bill delivery). A channel
 * needs its address: EMAIL an e-mail address, SMS a phone number.
 */
import { ServiceRuleViolation } from './errors';
import type { CustomerRecord } from './model';

export const NOTIFICATION_TOPICS = ['billReady', 'paymentDue', 'highUsage', 'serviceOrders', 'collections'] as const;
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

export const NOTIFICATION_CHANNELS = ['EMAIL', 'SMS'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export type NotificationPreferences = Record<NotificationTopic, NotificationChannel[]>;

/** The preferences in force: the stored ones, topics never chosen from the defaults. */
export function notificationsOf(customer: Pick<CustomerRecord, 'email' | 'notifications'>): NotificationPreferences {
  const fallback: NotificationChannel[] = customer.email ? ['EMAIL'] : [];
  return Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, [...(customer.notifications?.[topic] ?? fallback)]])) as NotificationPreferences;
}

/** Channels in a stable order without repeats. */
export function normalizeChannels(channels: readonly NotificationChannel[]): NotificationChannel[] {
  return NOTIFICATION_CHANNELS.filter((channel) => channels.includes(channel));
}

/** Refuses a channel without its address (422 email-required or phone-required, naming the topic). */
export function checkNotifications(preferences: NotificationPreferences, customer: Pick<CustomerRecord, 'email' | 'phones'>): void {
  for (const topic of NOTIFICATION_TOPICS) {
    const channels = preferences[topic];
    if (channels.includes('EMAIL') && !customer.email) throw new ServiceRuleViolation('email-required', `notifications.${topic}: e-mail notifications need an email address`);
    if (channels.includes('SMS') && customer.phones.length === 0) throw new ServiceRuleViolation('phone-required', `notifications.${topic}: text messages need a phone number`);
  }
}
