/**
 * Service orders: created by staff, by workflows (turn-on, final read, turn-off) and by
 * customers from the portal; moved through their states by staff; completing one posts its
 * meter read (a field read on the meter) or its meter exchange, in the same transaction.
 */
import { requireOwnAccount } from '../../domain/identity';
import { ServiceRuleViolation } from '../../domain/customers/errors';
import { installMeter, removeMeter, syncAccount } from '../../domain/customers/lifecycle';
import type { FieldRead } from '../../domain/customers/model';
import { isOpen, newOrder, PORTAL_ORDER_TYPES, READ_ORDERS, transition, type OrderAction, type OrderCompletion, type OrderState, type OrderType, type PortalOrderType, type ServiceOrder } from '../../domain/customers/service-orders';
import { Session, withRetry, type SessionDeps } from './session';

export interface CreateOrderInput {
  type: OrderType;
  servicePointId: string;
  accountId?: string | undefined;
  scheduledFor?: string | undefined;
  description?: string | undefined;
}

export async function createServiceOrder(deps: SessionDeps, actor: string, input: CreateOrderInput): Promise<ServiceOrder> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const sp = await session.mustServicePoint(input.servicePointId);
    const accountId = input.accountId ?? sp.activeAccountId;
    if (input.accountId) {
      const agreements = await session.agreementsOf(input.accountId);
      if (!agreements.some((a) => a.servicePointId === sp.servicePointId)) throw new ServiceRuleViolation('not-on-account', `account ${input.accountId} has no agreement on service point ${sp.servicePointId}`);
    }
    const order = session.put(
      'order',
      newOrder({
        orderId: session.newId('O'),
        type: input.type,
        servicePointId: sp.servicePointId,
        premiseId: sp.premiseId,
        serviceType: sp.serviceType,
        ...(accountId ? { accountId } : {}),
        ...(sp.meterId ? { meterId: sp.meterId } : {}),
        requestedBy: actor,
        ...(input.description ? { description: input.description } : {}),
        ...(input.scheduledFor ? { scheduledFor: input.scheduledFor } : {}),
        createdAt: session.at,
      }),
    );
    session.audit('SERVICE_ORDER', order.orderId, 'service-order.created', { type: order.type, servicePointId: sp.servicePointId, accountId: accountId ?? null });
    if (accountId) session.audit('ACCOUNT', accountId, 'service-order.created', { orderId: order.orderId, type: order.type });
    await session.commit();
    return order;
  });
}

export interface TransitionOrderInput {
  action: OrderAction;
  scheduledFor?: string | undefined;
  reason?: string | undefined;
  completion?: Omit<OrderCompletion, 'completedAt'> | undefined;
}

const READ_TYPE: Partial<Record<OrderType, FieldRead['readType']>> = { TURN_ON: 'TURN_ON', TURN_OFF: 'TURN_OFF', FINAL_READ: 'FINAL', RE_READ: 'RE_READ', DISCONNECT: 'TURN_OFF', RECONNECT: 'TURN_ON' };

export async function transitionServiceOrder(deps: SessionDeps, actor: string, orderId: string, input: TransitionOrderInput): Promise<ServiceOrder> {
  return withRetry(async () => {
    const session = new Session(deps, actor);
    const current = await session.mustOrder(orderId);
    const next = session.put('order', transition(current, { action: input.action, at: session.at, ...(input.scheduledFor ? { scheduledFor: input.scheduledFor } : {}), ...(input.reason ? { reason: input.reason } : {}), ...(input.completion ? { completion: input.completion } : {}) }));
    if (input.action === 'complete') await postCompletion(session, next);
    session.audit('SERVICE_ORDER', orderId, `service-order.${next.state.toLowerCase()}`, { from: current.state, to: next.state, ...(input.reason ? { reason: input.reason } : {}), ...(next.scheduledFor ? { scheduledFor: next.scheduledFor } : {}) });
    if (next.accountId) session.audit('ACCOUNT', next.accountId, `service-order.${next.state.toLowerCase()}`, { orderId, type: next.type });
    await session.commit();
    return next;
  });
}

async function postCompletion(session: Session, order: ServiceOrder): Promise<void> {
  const completion = order.completion!;
  let sp = await session.mustServicePoint(order.servicePointId);
  const read = (meterId: string, value: string, readType: FieldRead['readType'], unit: FieldRead['unit']) => {
    session.put('fieldRead', { meterId, readAt: completion.completedAt, value, unit, source: 'SERVICE_ORDER', orderId: order.orderId, readType, readId: order.orderId });
    session.audit('METER', meterId, 'meter.read-posted', { orderId: order.orderId, value, readType });
  };
  if (order.type === 'METER_EXCHANGE') {
    const fresh = await session.mustMeter(completion.newMeterId!);
    if (order.meterId && sp.meterId === order.meterId) {
      const old = await session.mustMeter(order.meterId);
      read(old.meterId, completion.removedRead!, 'REMOVAL', old.unit);
      const removed = removeMeter(old, sp, completion.completedAt, order.orderId);
      session.put('meter', removed.meter);
      sp = removed.servicePoint;
      session.audit('METER', old.meterId, 'meter.removed', { servicePointId: sp.servicePointId, orderId: order.orderId });
    }
    const installed = installMeter(fresh, sp, completion.completedAt, order.orderId);
    sp = installed.servicePoint;
    session.put('meter', { ...installed.meter, accountId: sp.activeAccountId ?? '' });
    session.audit('METER', fresh.meterId, 'meter.installed', { servicePointId: sp.servicePointId, orderId: order.orderId });
    read(fresh.meterId, completion.newMeterRead!, 'INSTALL', fresh.unit);
    if (sp.activeAgreementId && sp.activeAccountId) {
      const agreements = await session.agreementsOf(sp.activeAccountId);
      const agreement = agreements.find((a) => a.agreementId === sp.activeAgreementId);
      if (agreement) session.put('agreement', { ...agreement, meterId: fresh.meterId });
      const account = await session.mustAccount(sp.activeAccountId);
      session.put('account', syncAccount(account, await session.agreementsOf(account.accountId), order.meterId ? [order.meterId] : []));
    }
    session.put('servicePoint', sp);
    return;
  }
  if (READ_ORDERS.includes(order.type) && order.meterId && completion.read !== undefined) {
    const meter = await session.mustMeter(order.meterId);
    read(meter.meterId, completion.read, READ_TYPE[order.type] ?? 'CHECK', meter.unit);
  }
  const connection = order.type === 'TURN_ON' || order.type === 'RECONNECT' ? 'ON' : order.type === 'TURN_OFF' || order.type === 'DISCONNECT' ? 'OFF' : undefined;
  if (connection && sp.connection !== connection) session.put('servicePoint', { ...sp, connection });
}

export async function getServiceOrder(deps: SessionDeps, orderId: string): Promise<ServiceOrder> {
  return new Session(deps, 'reader').mustOrder(orderId);
}

/**
 * The work queue of the console: one page of the orders in a state, latest change first. The
 * state index is eventually consistent: an order that moved on a moment ago is left out.
 */
export async function listServiceOrders(deps: Pick<SessionDeps, 'records'>, input: { status: OrderState; limit: number; cursor?: string | undefined }): Promise<{ status: OrderState; items: ServiceOrder[]; nextCursor: string | null }> {
  const page = await deps.records.pageOrdersByState(input.status, input.limit, input.cursor);
  return { status: input.status, items: page.items.filter((order) => order.state === input.status), nextCursor: page.nextCursor ?? null };
}

// ---------------------------------------------------------------- portal

export interface PortalOrderView {
  orderId: string;
  type: OrderType;
  state: ServiceOrder['state'];
  serviceType: ServiceOrder['serviceType'];
  scheduledFor: string | null;
  milestones: ServiceOrder['milestones'];
  createdAt: string;
}

const portalView = (order: ServiceOrder): PortalOrderView => ({
  orderId: order.orderId,
  type: order.type,
  state: order.state,
  serviceType: order.serviceType,
  scheduledFor: order.scheduledFor ?? null,
  milestones: order.milestones,
  createdAt: order.createdAt,
});

/** A customer's own account, or Forbidden (an unknown account gets the same answer). */
async function ownAccount(session: Session, customerId: string, accountId: string) {
  return requireOwnAccount(await session.account(accountId), customerId, accountId);
}

export async function listMyServiceOrders(deps: SessionDeps, customerId: string, accountId: string): Promise<{ items: PortalOrderView[] }> {
  const session = new Session(deps, `portal:${customerId}`);
  await ownAccount(session, customerId, accountId);
  const orders = await session.records.listOrdersOfAccount(accountId);
  return { items: orders.reverse().map(portalView) };
}

export async function requestServiceOrder(deps: SessionDeps, customerId: string, accountId: string, input: { type: PortalOrderType; serviceType?: ServiceOrder['serviceType'] | undefined; description: string }): Promise<PortalOrderView> {
  return withRetry(async () => {
    const session = new Session(deps, `portal:${customerId}`);
    await ownAccount(session, customerId, accountId);
    if (!(PORTAL_ORDER_TYPES as readonly string[]).includes(input.type)) throw new ServiceRuleViolation('not-requestable', `${input.type} cannot be requested from the portal`);
    const active = (await session.agreementsOf(accountId)).filter((a) => a.status === 'ACTIVE' && (!input.serviceType || a.serviceType === input.serviceType));
    const agreement = active[0];
    if (!agreement) throw new ServiceRuleViolation('no-active-service', `account ${accountId} has no active ${input.serviceType ?? ''} service`.replace('  ', ' '));
    const open = (await session.records.listOrdersOfAccount(accountId)).find((o) => isOpen(o) && o.type === input.type && o.servicePointId === agreement.servicePointId);
    if (open) return portalView(open);
    const sp = await session.mustServicePoint(agreement.servicePointId);
    const order = session.put(
      'order',
      newOrder({ orderId: session.newId('O'), type: input.type, servicePointId: sp.servicePointId, premiseId: sp.premiseId, serviceType: sp.serviceType, accountId, ...(sp.meterId ? { meterId: sp.meterId } : {}), requestedBy: session.actor, description: input.description, createdAt: session.at }),
    );
    session.audit('SERVICE_ORDER', order.orderId, 'service-order.requested', { type: order.type, accountId, channel: 'portal' });
    session.audit('ACCOUNT', accountId, 'service-order.requested', { orderId: order.orderId, type: order.type, channel: 'portal' });
    await session.commit();
    return portalView(order);
  });
}
