/** The collections use cases over in-memory stores with the conditions of the DynamoDB ones. */
import { Decimal } from 'decimal.js';
import { disconnectOrderId, evaluateAccount, reconnectionFeeKey, type CollectionsDeps } from '../../../shared/app/collections/evaluate-account';
import { recordMedicalCertificate } from '../../../shared/app/collections/inputs';
import type { CollectionState, CollectionsRun, CollectionsStore, EvaluationWrite } from '../../../shared/app/collections/ports';
import { evaluateSegment, planCollections, startCollectionsRun } from '../../../shared/app/collections/run';
import type { Page } from '../../../shared/app/ports';
import type { Arrangement } from '../../../shared/domain/arrangements';
import { addDays } from '../../../shared/domain/calendar';
import { policyPack } from '../../../shared/domain/collections/packs';
import type { CollectionsProfile, MedicalCertificate, Notice, StoredEvaluation, StoredWeather } from '../../../shared/domain/collections/records';
import type { Agreement } from '../../../shared/domain/customers/model';
import { transition, type ServiceOrder } from '../../../shared/domain/customers/service-orders';
import { feeEntry, openingBalanceEntry } from '../../../shared/domain/ledger';
import { MemoryLedger } from './ledger-fakes';

class MemoryCollections implements CollectionsStore {
  certificates: MedicalCertificate[] = [];
  profiles = new Map<string, CollectionsProfile>();
  weather = new Map<string, StoredWeather>();
  notices: Notice[] = [];
  evaluations = new Map<string, StoredEvaluation>();
  states = new Map<string, CollectionState>();
  orders = new Map<string, ServiceOrder>();
  runs = new Map<string, CollectionsRun>();
  accountIds: string[] = [];
  writes: EvaluationWrite[] = [];
  failOn = new Set<string>();

  async listCertificates(accountId: string) {
    return this.certificates.filter((c) => c.accountId === accountId);
  }
  async putCertificate(c: MedicalCertificate) {
    this.certificates.push(c);
  }
  async getProfile(accountId: string) {
    return this.profiles.get(accountId);
  }
  async putProfile(p: CollectionsProfile) {
    this.profiles.set(p.accountId, p);
  }
  async getWeather(region: string, days: readonly string[]) {
    return days.flatMap((d) => this.weather.get(`${region}|${d}`) ?? []);
  }
  async putWeather(w: StoredWeather) {
    this.weather.set(`${w.region}|${w.day}`, w);
  }
  async listNotices(accountId: string) {
    return this.notices.filter((n) => n.accountId === accountId);
  }
  async getEvaluation(accountId: string, runDate: string) {
    return this.evaluations.get(`${accountId}|${runDate}`);
  }
  async listEvaluations(accountId: string) {
    return [...this.evaluations.values()].filter((e) => e.accountId === accountId);
  }
  async listRunEvaluations(runDate: string): Promise<Page<StoredEvaluation>> {
    return { items: [...this.evaluations.values()].filter((e) => e.runDate === runDate) };
  }
  async getState(accountId: string) {
    return this.states.get(accountId);
  }
  async commitEvaluation(write: EvaluationWrite): Promise<'written' | 'exists'> {
    const e = write.evaluation;
    if (this.failOn.has(e.accountId)) throw new Error(`store down for ${e.accountId}`);
    if (this.evaluations.has(`${e.accountId}|${e.runDate}`)) return 'exists';
    for (const o of write.newOrders) if (this.orders.has(o.orderId)) throw new Error(`order ${o.orderId} exists`);
    this.evaluations.set(`${e.accountId}|${e.runDate}`, e);
    if (write.notice) this.notices.push(write.notice);
    for (const o of write.newOrders) this.orders.set(o.orderId, o);
    for (const { value } of write.changedOrders) this.orders.set(value.orderId, value);
    if (write.state && 'put' in write.state) this.states.set(e.accountId, write.state.put);
    if (write.state && 'clear' in write.state) this.states.delete(e.accountId);
    if (write.state && 'replace' in write.state) this.states.set(e.accountId, write.state.replace);
    this.writes.push(write);
    return 'written';
  }
  async listAccountIds(limit: number, cursor?: string): Promise<Page<string>> {
    const from = cursor ? Number(cursor) : 0;
    const items = this.accountIds.slice(from, from + limit);
    return { items, ...(from + limit < this.accountIds.length ? { nextCursor: String(from + limit) } : {}) };
  }
  async listAccountIdsBetween(first: string, last: string) {
    return this.accountIds.filter((id) => id >= first && id <= last);
  }
  async getRun(runDate: string) {
    return this.runs.get(runDate);
  }
  async createRun(run: CollectionsRun) {
    if (this.runs.has(run.runDate)) return false;
    this.runs.set(run.runDate, run);
    return true;
  }
  runAudit: string[] = [];
  async updateRun(run: CollectionsRun, audit?: { action: string }) {
    this.runs.set(run.runDate, run);
    if (audit) this.runAudit.push(audit.action);
  }
}

const PA = policyPack('us-pa-52-ch56');
const DAY = '2026-10-06';
const agreement = (accountId: string, serviceType: 'electric' | 'water' = 'electric'): Agreement => ({ agreementId: `G-${accountId}`, accountId, customerId: 'C1', premiseId: 'P1', servicePointId: `SP-${accountId}`, serviceType, serviceClass: 'RESIDENTIAL', tariffId: 'T', cycle: 'C1', status: 'ACTIVE', meterId: `M-${accountId}`, finalBill: false, createdAt: '2025-01-01T00:00:00Z', recordVersion: 1 });

function setup(accountIds = ['A1']) {
  const collections = new MemoryCollections();
  const ledger = new MemoryLedger();
  collections.accountIds = [...accountIds];
  let n = 0;
  const deps: CollectionsDeps & { log: { info: () => void; warn: () => void; error: () => void } } = {
    collections,
    ledger,
    records: { listAgreements: async (id) => [agreement(id)], getOrder: async (id) => collections.orders.get(id) },
    pack: PA,
    defaultWeatherRegion: 'default',
    timeZone: 'America/New_York',
    clock: { now: () => new Date(`${DAY}T16:00:00Z`) },
    newId: () => `id-${++n}`,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  for (const id of accountIds) {
    void ledger.commit({ entries: [openingBalanceEntry({ accountId: id, amount: new Decimal('120.00'), asOf: '2026-07-01' })], audit: [] });
    collections.profiles.set(id, { accountId: id, incomePercentOfFpl: 300, updatedBy: 't', updatedAt: 't', version: 1 });
  }
  for (const day of [DAY, addDays(DAY, 1)]) collections.weather.set(`default|${day}`, { region: 'default', day, forecastLowF: 50, forecastHighF: 70, heatAdvisory: false, horizonHours: 72, source: 't', recordedBy: 't', recordedAt: 't' });
  const noticesFor = (id: string) => {
    const mk = (kind: Notice['kind'], sentOn: string): Notice => ({ noticeId: `N-${sentOn}-${kind}`, accountId: id, packId: PA.id, kind, sentOn, sentAt: `${sentOn}T16:00:00Z`, scheduledDisconnectOn: '2026-10-06', amount: '120.00', runDate: sentOn, text: '' });
    collections.notices.push(mk('WRITTEN', '2026-09-26'), mk('CONTACT', '2026-10-01'), mk('FINAL', '2026-10-03'));
  };
  return { collections, ledger, deps, noticesFor };
}

describe('evaluateAccount', () => {
  it('orders a disconnection when every rule passes, keyed by account, day and service point, once', async () => {
    const { deps, collections, noticesFor } = setup();
    noticesFor('A1');
    const outcome = await evaluateAccount(deps, 'A1', { runDate: DAY, runAt: `${DAY}T16:00:00Z` });
    expect(outcome).toMatchObject({ outcome: 'evaluated', decision: 'disconnect', blockedBy: [], orderIds: [disconnectOrderId('A1', DAY, 'SP-A1')] });
    const order = collections.orders.get(disconnectOrderId('A1', DAY, 'SP-A1'))!;
    expect(order).toMatchObject({ type: 'DISCONNECT', state: 'SCHEDULED', scheduledFor: DAY, accountId: 'A1', requestedBy: `collections:${DAY}` });
    expect(collections.writes[0]!.audit.map((a) => a.action)).toEqual(['service-order.created', 'collections.disconnect-ordered']);
    expect(await evaluateAccount(deps, 'A1', { runDate: DAY, runAt: `${DAY}T17:00:00Z` })).toEqual({ accountId: 'A1', outcome: 'already-evaluated' });
    expect(collections.orders.size).toBe(1);
  });

  it('skips accounts with nothing past due and no open disconnection', async () => {
    const { deps, collections } = setup([]);
    collections.accountIds = ['A9'];
    expect(await evaluateAccount(deps, 'A9', { runDate: DAY, runAt: `${DAY}T16:00:00Z` })).toEqual({ accountId: 'A9', outcome: 'skipped' });
    expect(collections.evaluations.size).toBe(0);
  });

  it('closes a broken arrangement as BROKEN (audited) and evaluates without its protection', async () => {
    const { deps, ledger, noticesFor } = setup();
    noticesFor('A1');
    const arrangement: Arrangement = { arrangementId: 'AR1', accountId: 'A1', status: 'ACTIVE', amount: '120.00', downPayment: '0.00', installments: [{ number: 1, dueDate: '2026-08-01', amount: '120.00' }], coveredCharges: ['OB-A1'], graceDays: 5, createdAt: '2026-07-15T00:00:00Z', createdBy: 'dana' };
    await ledger.commit({ entries: [], audit: [], arrangements: [{ value: arrangement }] });
    const outcome = await evaluateAccount(deps, 'A1', { runDate: DAY, runAt: `${DAY}T16:00:00Z` });
    expect(ledger.arrangements.get('AR1')).toMatchObject({ status: 'BROKEN', closedBy: `collections:${DAY}` });
    expect(ledger.audit.map((a) => a.action)).toContain('arrangement.broken');
    expect(outcome).toMatchObject({ decision: 'disconnect' });
  });

  it('an arrangement on track blocks and makes no notice', async () => {
    const { deps, ledger, collections } = setup();
    await ledger.commit({ entries: [], audit: [], arrangements: [{ value: { arrangementId: 'AR1', accountId: 'A1', status: 'ACTIVE', amount: '120.00', downPayment: '0.00', installments: [{ number: 1, dueDate: '2026-12-01', amount: '120.00' }], coveredCharges: ['OB-A1'], graceDays: 5, createdAt: '2026-09-15T00:00:00Z', createdBy: 'dana' } }] });
    expect(await evaluateAccount(deps, 'A1', { runDate: DAY, runAt: `${DAY}T16:00:00Z` })).toMatchObject({ decision: 'blocked', blockedBy: expect.arrayContaining(['pa-payment-agreement']) });
    expect(collections.notices).toEqual([]);
  });

  it('cancels the open order the next day when a certificate arrived, and reconnects a performed one after payment with the fee once', async () => {
    const { deps, collections, ledger, noticesFor } = setup(['A1', 'A2']);
    noticesFor('A1');
    noticesFor('A2');
    for (const id of ['A1', 'A2']) await evaluateAccount(deps, id, { runDate: DAY, runAt: `${DAY}T16:00:00Z` });
    await recordMedicalCertificate({ ...deps, accounts: { get: async (id: string) => ({ accountId: id }) } as never }, 'casey', { accountId: 'A1', certifiedBy: 'Dr. A' });
    const performedId = disconnectOrderId('A2', DAY, 'SP-A2');
    collections.orders.set(performedId, transition(collections.orders.get(performedId)!, { action: 'complete', at: `${DAY}T20:00:00Z`, completion: { read: '100' } }));
    await ledger.commit({ entries: [{ ...feeEntry({ accountId: 'A2', amount: new Decimal('120.00'), postedAt: `${DAY}T21:00:00Z`, idempotencyKey: 'x', description: 'x', actor: 'x' }), kind: 'PAYMENT', postings: [{ ledgerAccount: 'CASH', side: 'debit', amount: '120.00' }, { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '120.00' }] }], audit: [] });

    const next = addDays(DAY, 1);
    expect(await evaluateAccount(deps, 'A1', { runDate: next, runAt: `${next}T16:00:00Z` })).toMatchObject({ decision: 'cancel-disconnect' });
    expect(collections.orders.get(disconnectOrderId('A1', DAY, 'SP-A1'))!.state).toBe('CANCELLED');
    expect(collections.states.has('A1')).toBe(false);

    // The fee posts, then the evaluation write fails: a retry on a later day still reconnects, without a second fee.
    collections.failOn.add('A2');
    await expect(evaluateAccount(deps, 'A2', { runDate: next, runAt: `${next}T16:00:00Z` })).rejects.toThrow(/store down/);
    collections.failOn.clear();
    const later = addDays(DAY, 9);
    collections.weather.set(`default|${later}`, { region: 'default', day: later, forecastLowF: 50, forecastHighF: 70, heatAdvisory: false, horizonHours: 72, source: 't', recordedBy: 't', recordedAt: 't' });
    expect(await evaluateAccount(deps, 'A2', { runDate: later, runAt: `${later}T16:00:00Z` })).toMatchObject({ decision: 'reconnect' });
    const fees = ledger.entries.filter((e) => e.accountId === 'A2' && e.idempotencyKey === reconnectionFeeKey(performedId));
    expect(fees).toHaveLength(1);
    expect(fees[0]!.postings[0]!.amount).toBe('35.00');
    expect([...collections.orders.values()].filter((o) => o.type === 'RECONNECT' && o.accountId === 'A2')).toHaveLength(1);
  });
});

describe('evaluateAccount with two services', () => {
  it('cancels the service not yet disconnected when a protection arrives and keeps the disconnected one on record until reconnection', async () => {
    const { deps, collections, ledger, noticesFor } = setup(['A1']);
    noticesFor('A1');
    const twoServices = { ...deps, records: { listAgreements: async (id: string) => [agreement(id), { ...agreement(id, 'water'), agreementId: 'G-W', servicePointId: 'SP-W' }], getOrder: async (id: string) => collections.orders.get(id) } };
    expect(await evaluateAccount(twoServices, 'A1', { runDate: DAY, runAt: `${DAY}T16:00:00Z` })).toMatchObject({ decision: 'disconnect', orderIds: [expect.any(String), expect.any(String)] });
    const electric = disconnectOrderId('A1', DAY, 'SP-A1');
    const water = disconnectOrderId('A1', DAY, 'SP-W');
    collections.orders.set(electric, transition(collections.orders.get(electric)!, { action: 'complete', at: `${DAY}T20:00:00Z`, completion: { read: '1' } }));
    collections.certificates.push({ certificateId: 'MC', accountId: 'A1', receivedOn: DAY, validThrough: addDays(DAY, 29), certifiedBy: 'Dr', renewalNumber: 0, beyondRenewalsAllowed: false, packId: PA.id, recordedBy: 't', recordedAt: 't' });
    const next = addDays(DAY, 1);
    expect(await evaluateAccount(twoServices, 'A1', { runDate: next, runAt: `${next}T16:00:00Z` })).toMatchObject({ decision: 'cancel-disconnect', orderIds: [water] });
    expect(collections.orders.get(water)!.state).toBe('CANCELLED');
    expect(collections.states.get('A1')!.disconnectOrderIds).toEqual([electric]);
    await ledger.commit({ entries: [{ ...feeEntry({ accountId: 'A1', amount: new Decimal('120.00'), postedAt: `${next}T21:00:00Z`, idempotencyKey: 'pay', description: 'x', actor: 'x' }), kind: 'PAYMENT', postings: [{ ledgerAccount: 'CASH', side: 'debit', amount: '120.00' }, { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '120.00' }] }], audit: [] });
    const third = addDays(DAY, 2);
    expect(await evaluateAccount(twoServices, 'A1', { runDate: third, runAt: `${third}T16:00:00Z` })).toMatchObject({ decision: 'reconnect' });
    expect([...collections.orders.values()].filter((o) => o.type === 'RECONNECT').map((o) => o.servicePointId)).toEqual(['SP-A1']);
  });
});

describe('the run', () => {
  it('plans segments of ids, evaluates each account, and reports one failing account without stopping the others', async () => {
    const ids = ['A1', 'A2', 'A3', 'A4', 'A5'];
    const { deps, collections, noticesFor } = setup(ids);
    for (const id of ids) noticesFor(id);
    const plan = await planCollections({ ...deps, segmentSize: 2 }, { time: `${DAY}T16:00:00Z` });
    expect(plan).toMatchObject({ runDate: DAY, segments: [{ first: 'A1', last: 'A2' }, { first: 'A3', last: 'A4' }, { first: 'A5', last: 'A5' }] });
    collections.failOn.add('A3');
    const results = await Promise.all(plan.segments.map((segment) => evaluateSegment(deps, { runDate: plan.runDate, runAt: plan.runAt, segment })));
    expect(results[1]).toMatchObject({ counts: { failed: 1, disconnect: 1 }, failures: [{ accountId: 'A3', error: expect.stringContaining('store down') }] });
    expect(results.reduce((n, r) => n + (r.counts['disconnect'] ?? 0), 0)).toBe(4);
    expect(collections.runs.get(DAY)).toMatchObject({ status: 'STARTED', startedBy: 'schedule' });
  });

  it('refuses a future run day and names the execution before it starts', async () => {
    const { deps, collections } = setup();
    const started: string[] = [];
    const workflow = { start: async (_input: unknown, name: string) => (started.push(name), `arn:${name}`) };
    await expect(startCollectionsRun({ ...deps, workflow }, 'bill', { runDate: '2026-10-07' })).rejects.toThrow(/after today/);
    const result = await startCollectionsRun({ ...deps, workflow }, 'bill', {});
    expect(result).toMatchObject({ runDate: DAY, status: 'STARTED', executionName: started[0] });
    expect(collections.runs.get(DAY)).toMatchObject({ executionName: started[0], startedBy: 'bill' });
    const again = await startCollectionsRun({ ...deps, workflow }, 'bill', { runDate: DAY });
    expect(collections.runs.get(DAY)).toMatchObject({ executionName: again.executionName });
    expect(collections.runAudit).toEqual(['collections-run.restarted']);
  });
});
