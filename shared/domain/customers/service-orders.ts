/**
 * Service orders: field work on a service point (turn-on, turn-off, meter exchange, re-read,
 * final read, investigations, disconnect, reconnect) with the states created -> scheduled ->
 * dispatched -> completed, or cancelled, and milestones the customer may see.
 */
import { IllegalOrderTransition, ServiceRuleViolation } from './errors';
import type { ServiceType } from './model';

export const ORDER_TYPES = ['TURN_ON', 'TURN_OFF', 'METER_EXCHANGE', 'RE_READ', 'FINAL_READ', 'LEAK_INVESTIGATION', 'HIGH_BILL_INVESTIGATION', 'DISCONNECT', 'RECONNECT'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** What a customer may request from the portal. */
export const PORTAL_ORDER_TYPES = ['RE_READ', 'LEAK_INVESTIGATION', 'HIGH_BILL_INVESTIGATION'] as const satisfies readonly OrderType[];
export type PortalOrderType = (typeof PORTAL_ORDER_TYPES)[number];

export const ORDER_STATES = ['CREATED', 'SCHEDULED', 'DISPATCHED', 'COMPLETED', 'CANCELLED'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ORDER_ACTIONS = ['schedule', 'dispatch', 'complete', 'cancel'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** The states each action may start from; terminal states allow nothing. */
export const TRANSITIONS: Record<OrderAction, { from: readonly OrderState[]; to: OrderState }> = {
  schedule: { from: ['CREATED', 'SCHEDULED'], to: 'SCHEDULED' },
  dispatch: { from: ['CREATED', 'SCHEDULED'], to: 'DISPATCHED' },
  complete: { from: ['SCHEDULED', 'DISPATCHED'], to: 'COMPLETED' },
  cancel: { from: ['CREATED', 'SCHEDULED', 'DISPATCHED'], to: 'CANCELLED' },
};

/** Orders whose completion records a register read of the meter at the service point. */
export const READ_ORDERS: readonly OrderType[] = ['TURN_ON', 'TURN_OFF', 'RE_READ', 'FINAL_READ', 'DISCONNECT', 'RECONNECT'];

export interface Milestone {
  state: OrderState;
  at: string;
  /** Customer-visible wording. */
  text: string;
}

export interface ServiceOrder {
  orderId: string;
  type: OrderType;
  state: OrderState;
  servicePointId: string;
  premiseId: string;
  serviceType: ServiceType;
  accountId?: string;
  meterId?: string;
  /** Who asked: a staff user name, "portal:<customerId>", or a workflow ("move-out"). */
  requestedBy: string;
  description?: string;
  /** YYYY-MM-DD the work is due. */
  scheduledFor?: string;
  milestones: Milestone[];
  completion?: OrderCompletion;
  cancelReason?: string;
  createdAt: string;
  updatedAt: string;
  recordVersion: number;
}

export interface OrderCompletion {
  completedAt: string;
  /** Register read of the meter at the service point (decimal string), for read orders. */
  read?: string;
  /** Meter exchange: the removed meter's last read, the new meter and its first read. */
  removedRead?: string;
  newMeterId?: string;
  newMeterRead?: string;
  findings?: string;
}

const CUSTOMER_TEXT: Record<OrderState, (order: Pick<ServiceOrder, 'type' | 'scheduledFor'>) => string> = {
  CREATED: (o) => `We received your ${label(o.type)} request.`,
  SCHEDULED: (o) => `Your ${label(o.type)} is scheduled for ${o.scheduledFor ?? 'a date to be confirmed'}.`,
  DISPATCHED: (o) => `A field technician is on the way for your ${label(o.type)}.`,
  COMPLETED: (o) => `Your ${label(o.type)} is complete.`,
  CANCELLED: (o) => `Your ${label(o.type)} was cancelled.`,
};

export function label(type: OrderType): string {
  return type.toLowerCase().replace(/_/g, ' ');
}

export function newOrder(input: Omit<ServiceOrder, 'state' | 'milestones' | 'updatedAt' | 'recordVersion' | 'completion' | 'cancelReason'>): ServiceOrder {
  const state: OrderState = input.scheduledFor ? 'SCHEDULED' : 'CREATED';
  const milestones: Milestone[] = [{ state: 'CREATED', at: input.createdAt, text: CUSTOMER_TEXT.CREATED(input) }];
  if (state === 'SCHEDULED') milestones.push({ state, at: input.createdAt, text: CUSTOMER_TEXT.SCHEDULED(input) });
  return { ...input, state, milestones, updatedAt: input.createdAt, recordVersion: 0 };
}

export interface TransitionInput {
  action: OrderAction;
  at: string;
  scheduledFor?: string;
  reason?: string;
  completion?: Omit<OrderCompletion, 'completedAt'>;
}

/** The order after `action`, or IllegalOrderTransition (409) / ServiceRuleViolation (422). */
export function transition(order: ServiceOrder, input: TransitionInput): ServiceOrder {
  const rule = TRANSITIONS[input.action];
  if (!rule.from.includes(order.state)) {
    throw new IllegalOrderTransition(`service order ${order.orderId} is ${order.state}: it cannot be ${input.action === 'complete' ? 'completed' : `${input.action}d`} (allowed from ${rule.from.join(', ')})`);
  }
  const next: ServiceOrder = { ...order, state: rule.to, updatedAt: input.at, recordVersion: order.recordVersion };
  if (input.action === 'schedule') {
    if (!input.scheduledFor) throw new ServiceRuleViolation('schedule-date-required', 'scheduling needs scheduledFor');
    next.scheduledFor = input.scheduledFor;
  }
  if (input.action === 'cancel' && input.reason) next.cancelReason = input.reason;
  if (input.action === 'complete') next.completion = { completedAt: input.at, ...checkCompletion(order, input.completion ?? {}) };
  next.milestones = [...order.milestones, { state: rule.to, at: input.at, text: CUSTOMER_TEXT[rule.to](next) }];
  return next;
}

/** What completing an order of this type needs. */
export function checkCompletion(order: Pick<ServiceOrder, 'orderId' | 'type' | 'meterId'>, completion: Omit<OrderCompletion, 'completedAt'>): Omit<OrderCompletion, 'completedAt'> {
  if (order.type === 'METER_EXCHANGE') {
    if (!completion.newMeterId) throw new ServiceRuleViolation('new-meter-required', `completing meter exchange ${order.orderId} needs newMeterId`);
    if (completion.newMeterRead === undefined) throw new ServiceRuleViolation('read-required', `completing meter exchange ${order.orderId} needs newMeterRead`);
    if (order.meterId && completion.removedRead === undefined) throw new ServiceRuleViolation('read-required', `completing meter exchange ${order.orderId} needs removedRead of meter ${order.meterId}`);
    return completion;
  }
  if (READ_ORDERS.includes(order.type) && order.meterId && completion.read === undefined) {
    throw new ServiceRuleViolation('read-required', `completing ${label(order.type)} ${order.orderId} needs the meter read (read)`);
  }
  return completion;
}

export const isOpen = (order: Pick<ServiceOrder, 'state'>): boolean => order.state !== 'COMPLETED' && order.state !== 'CANCELLED';
