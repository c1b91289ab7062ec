/**
 * One account on one run day of the daily collections workflow: gather the facts (ledger past
 * due and aging, disputes, the arrangement - marked BROKEN here when it is, audited -,
 * certificates, the household profile, weather of the region, notices, an open disconnection),
 * evaluate the policy pack, and write the evaluation with its notice, service orders and audit
 * events in one transaction. The evaluation item is keyed by account and run day, so a rerun of
 * the day writes nothing new. A reconnection posts the pack's fee through the ledger first
 * (keyed by the disconnection order, so it posts once), then orders the reconnection.
 */
import { createHash } from 'node:crypto';
import type { Arrangement, ArrangementState } from '../../domain/arrangements';
import type { AuditEvent } from '../../domain/audit';
import { addDays } from '../../domain/calendar';
import { evaluateCollection, type CollectionFacts, type Decision } from '../../domain/collections/evaluate';
import type { PolicyPack } from '../../domain/collections/policy';
import { noticeOf, type StoredEvaluation } from '../../domain/collections/records';
import type { Agreement } from '../../domain/customers/model';
import { newOrder, transition, type ServiceOrder } from '../../domain/customers/service-orders';
import { accountBalance, feeEntry, openCharges } from '../../domain/ledger';
import { formatMoney, Money, sumAmounts } from '../../domain/money';
import type { CustomerRecordStore } from '../customers/ports';
import { activeArrangement, viewOf } from '../payments/arrangements';
import { LedgerWriteRefused } from '../payments/errors';
import type { LedgerStore } from '../payments/ports';
import type { Clock } from '../ports';
import type { CollectionsStore, EvaluationWrite } from './ports';

export interface CollectionsDeps {
  collections: CollectionsStore;
  ledger: LedgerStore;
  records: Pick<CustomerRecordStore, 'listAgreements' | 'getOrder'>;
  pack: PolicyPack;
  /** The weather region of accounts whose profile names none. */
  defaultWeatherRegion: string;
  timeZone: string;
  clock: Clock;
  newId: () => string;
}

export type AccountOutcome = { accountId: string; outcome: 'skipped' | 'already-evaluated' } | { accountId: string; outcome: 'evaluated'; decision: Decision; blockedBy: string[]; orderIds: string[] };

const shortHash = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16).toUpperCase();
/** The disconnection order of a service point on a run day: the same id on every rerun. */
export const disconnectOrderId = (accountId: string, runDate: string, servicePointId: string) => `OD${runDate.replace(/-/g, '')}${shortHash(accountId, runDate, servicePointId)}`;
export const reconnectOrderId = (disconnectId: string) => `OR${shortHash(disconnectId)}`;
export const reconnectionFeeKey = (disconnectId: string) => `reconnection-fee:${disconnectId}`;

const lookbackDays = (pack: PolicyPack) => Math.max(0, ...pack.rules.map((rule) => (rule.type === 'weather' ? rule.params.advisoryLookbackDays : 0)));
/** Days after the run day whose forecasts fall inside a weather rule's window. */
const lookaheadDays = (pack: PolicyPack) => Math.max(0, ...pack.rules.map((rule) => (rule.type === 'weather' ? Math.ceil(rule.params.withinHours / 24) - 1 : 0)));

export async function evaluateAccount(deps: CollectionsDeps, accountId: string, run: { runDate: string; runAt: string }): Promise<AccountOutcome> {
  const { runDate, runAt } = run;
  if (await deps.collections.getEvaluation(accountId, runDate)) return { accountId, outcome: 'already-evaluated' };
  const actor = `collections:${runDate}`;
  const [entries, state] = await Promise.all([deps.ledger.listEntries(accountId), deps.collections.getState(accountId)]);
  const balance = accountBalance(entries, runDate);
  if (!new Money(balance.pastDue).gt(0) && !state) return { accountId, outcome: 'skipped' };

  const [disputes, arrangements, agreements, certificates, profile, notices] = await Promise.all([
    deps.ledger.listDisputes(accountId),
    deps.ledger.listArrangements(accountId),
    deps.records.listAgreements(accountId),
    deps.collections.listCertificates(accountId),
    deps.collections.getProfile(accountId),
    deps.collections.listNotices(accountId),
  ]);
  const audit: AuditEvent[] = [];
  const event = (entityType: AuditEvent['entityType'], entityId: string, action: string, details: AuditEvent['details']): AuditEvent => ({ eventId: deps.newId(), entityType, entityId, at: runAt, actor, action, details });

  const arrangement = await currentArrangement(deps, activeArrangement(arrangements), runDate, runAt, actor);
  const region = profile?.weatherRegion ?? deps.defaultWeatherRegion;
  const weatherDays = Array.from({ length: lookbackDays(deps.pack) + lookaheadDays(deps.pack) + 1 }, (_, index) => addDays(runDate, index - lookbackDays(deps.pack)));
  const weather = await deps.collections.getWeather(region, weatherDays);
  const active = agreements.filter((a) => a.status === 'ACTIVE');
  const orders = state ? (await Promise.all(state.disconnectOrderIds.map((id) => deps.records.getOrder(id)))).filter((o): o is ServiceOrder => o !== undefined) : [];
  const live = orders.filter((o) => o.state !== 'CANCELLED');
  // The reconnection fee of this disconnection is not part of what must be paid to reconnect
  // (it is posted before the reconnection is ordered; a retry on a later day must still reconnect).
  const feeKeys = new Set(live.map((o) => reconnectionFeeKey(o.orderId)));
  const feeEntries = new Set(entries.filter((e) => e.kind === 'FEE' && feeKeys.has(e.idempotencyKey)).map((e) => e.entryId));
  const pastDueCharges = openCharges(entries).charges.filter((c) => c.open.gt(0) && c.dueDate < runDate);
  const feesPastDue = sumAmounts(pastDueCharges.filter((c) => feeEntries.has(c.entryId)).map((c) => c.open));
  const charges = pastDueCharges.filter((c) => !feeEntries.has(c.entryId)).sort((a, b) => a.dueDate.localeCompare(b.dueDate));

  const facts: CollectionFacts = {
    accountId,
    services: [...new Set(active.map((a) => a.serviceType))],
    pastDue: formatMoney(Money.max(new Money(balance.pastDue).minus(feesPastDue), 0)),
    oldestPastDueDate: charges[0]?.dueDate,
    openDisputes: disputes.filter((d) => d.status === 'OPEN').map((d) => ({ disputeId: d.disputeId, amount: d.amount })),
    ...(arrangement ? { arrangement: { arrangementId: arrangement.arrangement.arrangementId, status: arrangement.arrangement.status, state: arrangement.state } } : {}),
    certificates: certificates.map((c) => ({ certificateId: c.certificateId, receivedOn: c.receivedOn, validThrough: c.validThrough })),
    household: { incomePercentOfFpl: profile?.incomePercentOfFpl, lifeSupport: profile?.lifeSupport },
    weatherRegion: region,
    weather,
    notices,
    ...(state && live.length > 0 ? { disconnection: { orderId: live.map((o) => o.orderId).join(','), performed: live.some((o) => o.state === 'COMPLETED'), pending: live.some((o) => o.state !== 'COMPLETED'), scheduledFor: state.runDate } } : {}),
  };
  const evaluation: StoredEvaluation = { ...evaluateCollection(deps.pack, facts, { day: runDate, at: runAt }), runDate };
  const write: EvaluationWrite = { evaluation, newOrders: [], changedOrders: [], audit };
  // Orders a staff member cancelled by hand end the disconnection too.
  if (state && live.length === 0) write.state = { clear: state };

  switch (evaluation.decision) {
    case 'written-notice':
    case 'final-notice':
    case 'contact-attempt': {
      const n = evaluation.notice!;
      write.notice = noticeOf({ accountId, packId: deps.pack.id, runDate, sentAt: runAt, kind: n.kind, scheduledDisconnectOn: n.scheduledDisconnectOn, amount: n.amount });
      audit.push(event('ACCOUNT', accountId, 'collections.notice-sent', { kind: n.kind, noticeId: write.notice.noticeId, scheduledDisconnectOn: n.scheduledDisconnectOn, amount: n.amount, packId: deps.pack.id }));
      break;
    }
    case 'disconnect': {
      for (const agreement of disconnectable(active, evaluation.services)) {
        const order = newOrder({
          orderId: disconnectOrderId(accountId, runDate, agreement.servicePointId),
          type: 'DISCONNECT',
          servicePointId: agreement.servicePointId,
          premiseId: agreement.premiseId,
          serviceType: agreement.serviceType,
          accountId,
          ...(agreement.meterId ? { meterId: agreement.meterId } : {}),
          requestedBy: actor,
          description: `Disconnection for nonpayment: ${evaluation.pastDue} past due; every rule of ${deps.pack.id} ${deps.pack.version} passed on ${runDate}`,
          scheduledFor: runDate,
          createdAt: runAt,
        });
        write.newOrders.push(order);
        audit.push(event('SERVICE_ORDER', order.orderId, 'service-order.created', { type: 'DISCONNECT', servicePointId: order.servicePointId, accountId }));
      }
      if (write.newOrders.length === 0) {
        // No active agreement to disconnect: record the evaluation as blocked rather than order nothing.
        write.evaluation = { ...evaluation, decision: 'blocked', summary: `${evaluation.summary}; but no active agreement of ${evaluation.services.join(', ')} to disconnect` };
        break;
      }
      write.state = { put: { accountId, disconnectOrderIds: write.newOrders.map((o) => o.orderId), runDate, orderedAt: runAt } };
      audit.push(event('ACCOUNT', accountId, 'collections.disconnect-ordered', { orderIds: write.newOrders.map((o) => o.orderId).join(','), pastDue: evaluation.pastDue, packId: deps.pack.id }));
      break;
    }
    case 'cancel-disconnect': {
      for (const order of live.filter((o) => o.state !== 'COMPLETED')) {
        write.changedOrders.push({ previous: order, value: transition(order, { action: 'cancel', at: runAt, reason: evaluation.summary.slice(0, 300) }) });
        audit.push(event('SERVICE_ORDER', order.orderId, 'service-order.cancelled', { reason: 'collections', accountId }));
      }
      // Services already disconnected stay recorded until they are reconnected.
      const completed = live.filter((o) => o.state === 'COMPLETED').map((o) => o.orderId);
      write.state = completed.length > 0 ? { replace: { ...state!, disconnectOrderIds: completed }, previous: state! } : { clear: state! };
      audit.push(event('ACCOUNT', accountId, 'collections.disconnect-cancelled', { orderIds: live.map((o) => o.orderId).join(','), blockedBy: evaluation.blockedBy.join(',') }));
      break;
    }
    case 'reconnect': {
      const first = live[0]!;
      await postReconnectionFee(deps, accountId, first.orderId, runAt, actor);
      for (const order of live) {
        if (order.state === 'COMPLETED') {
          const reconnect = newOrder({ orderId: reconnectOrderId(order.orderId), type: 'RECONNECT', servicePointId: order.servicePointId, premiseId: order.premiseId, serviceType: order.serviceType, accountId, ...(order.meterId ? { meterId: order.meterId } : {}), requestedBy: actor, description: `Reconnection after disconnection order ${order.orderId}: ${evaluation.summary}`.slice(0, 500), scheduledFor: runDate, createdAt: runAt });
          write.newOrders.push(reconnect);
          audit.push(event('SERVICE_ORDER', reconnect.orderId, 'service-order.created', { type: 'RECONNECT', servicePointId: order.servicePointId, accountId, disconnectOrderId: order.orderId }));
        } else {
          write.changedOrders.push({ previous: order, value: transition(order, { action: 'cancel', at: runAt, reason: 'paid or arrangement made before the disconnection was performed' }) });
        }
      }
      write.state = { clear: state! };
      audit.push(event('ACCOUNT', accountId, 'collections.reconnect-ordered', { orderIds: write.newOrders.map((o) => o.orderId).join(','), fee: deps.pack.reconnection.fee, feeKey: reconnectionFeeKey(first.orderId) }));
      break;
    }
    default:
      break;
  }
  const result = await deps.collections.commitEvaluation(write);
  if (result === 'exists') return { accountId, outcome: 'already-evaluated' };
  return { accountId, outcome: 'evaluated', decision: write.evaluation.decision, blockedBy: write.evaluation.blockedBy, orderIds: [...write.newOrders, ...write.changedOrders.map((c) => c.value)].map((o) => o.orderId) };
}

/** The agreements a disconnection applies to: active ones of the services the pack covers, one per service point. */
function disconnectable(active: readonly Agreement[], services: readonly string[]): Agreement[] {
  const bySp = new Map<string, Agreement>();
  for (const agreement of active) if (services.includes(agreement.serviceType)) bySp.set(agreement.servicePointId, agreement);
  return [...bySp.values()];
}

/** The active arrangement and where it stands; a broken one is closed as BROKEN (audited) so its protection ends on the record too. */
async function currentArrangement(deps: CollectionsDeps, arrangement: Arrangement | undefined, runDate: string, runAt: string, actor: string): Promise<{ arrangement: Arrangement; state: ArrangementState } | undefined> {
  if (!arrangement) return undefined;
  const view = await viewOf(deps.ledger, arrangement, runDate);
  if (view.tracking.state !== 'broken') return { arrangement, state: view.tracking.state };
  const broken: Arrangement = { ...arrangement, status: 'BROKEN', closedAt: runAt, closedBy: actor, closeReason: `installment unpaid more than ${arrangement.graceDays} days after its due date` };
  try {
    await deps.ledger.commit({
      entries: [],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: arrangement.accountId, at: runAt, actor, action: 'arrangement.broken', details: { arrangementId: arrangement.arrangementId, paid: view.tracking.paid, remaining: view.tracking.remaining, overdue: view.tracking.overdue.map((o) => `${o.number}:${o.dueDate}:${o.unpaid}`).join(',') } }],
      arrangements: [{ value: broken, expectedStatus: 'ACTIVE' }],
      arrangementGuard: { accountId: arrangement.accountId, expectedVersion: await deps.ledger.arrangementGuardVersion(arrangement.accountId) },
    });
  } catch (error) {
    // Staff changed the arrangement meanwhile: evaluate it as broken today; the next run re-reads it.
    if (!(error instanceof LedgerWriteRefused)) throw error;
  }
  return { arrangement: broken, state: 'broken' };
}

async function postReconnectionFee(deps: CollectionsDeps, accountId: string, disconnectId: string, at: string, actor: string): Promise<void> {
  const fee = new Money(deps.pack.reconnection.fee);
  if (!fee.gt(0)) return;
  const entry = feeEntry({ accountId, amount: fee, postedAt: at, idempotencyKey: reconnectionFeeKey(disconnectId), description: `Reconnection fee after disconnection order ${disconnectId} (${deps.pack.reconnection.citation})`, actor });
  try {
    await deps.ledger.commit({ entries: [entry], audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: accountId, at, actor, action: 'reconnection-fee.posted', details: { entryId: entry.entryId, fee: deps.pack.reconnection.fee, disconnectOrderId: disconnectId } }] });
  } catch (error) {
    // Posted by an earlier attempt of this reconnection: the fee is never posted twice.
    if (!(error instanceof LedgerWriteRefused && error.part === 'entry')) throw error;
  }
}
