/**
 * End to end, the customer record: starts the local platform and drives the lifecycle over the
 * staff and portal APIs as CSRs, an admin, an auditor and customers would: premises and meters,
 * application with address verification and the duplicate check, activation, service orders
 * that post reads, move-in races, move-out with landlord fallback, transfer, stop and reopen,
 * meter exchange, notes, the overview and search, wrong roles and hostile input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import mqtt from 'mqtt';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { startTestPlatform, type TestPlatform } from './platform-harness';

let local: TestPlatform;
let platform: RunningPlatform;
let authDir: string;
let mqttPort: number;
const tokens: Record<'csr' | 'admin' | 'auditor' | 'billing' | 'demoCustomer', string> = {} as never;

async function api(method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const address = (line1: string, zip = '62701') => ({ line1, city: 'Springfield', state: 'IL', zip });
const person = (name: string, phone: string, email: string) => ({ kind: 'PERSON', name, phones: [phone], email, billDelivery: 'EMAIL' });

async function premise(line1: string, serviceTypes: string[], ownerAccountId?: string): Promise<string> {
  const created = await api('POST', '/staff/premises', tokens.csr, { address: address(line1), serviceTypes, ...(ownerAccountId ? { ownerAccountId } : {}) });
  expect(created.status).toBe(201);
  return created.json.premise.premiseId;
}

async function meter(meterId: string, serviceType: 'electric' | 'water'): Promise<void> {
  const created = await api('POST', '/staff/meters', tokens.admin, { meterId, serviceType, unit: serviceType === 'electric' ? 'kWh' : 'gal', size: serviceType === 'electric' ? '200A' : '5/8in', dials: 5 });
  expect(created.status).toBe(201);
}

async function overview(accountId: string): Promise<any> {
  const response = await api('GET', `/staff/accounts/${accountId}/overview`, tokens.auditor);
  expect(response.status).toBe(200);
  return response.json;
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  local = await startTestPlatform('cis-lifecycle-', { accounts: 2 });
  ({ platform, authDir, mqttPort } = local);
  tokens.csr = await issueToken(authDir, { staff: 'casey', role: 'csr' });
  tokens.admin = await issueToken(authDir, { staff: 'ada', role: 'admin' });
  tokens.auditor = await issueToken(authDir, { staff: 'audra', role: 'auditor' });
  tokens.billing = await issueToken(authDir, { staff: 'bill', role: 'billing' });
  tokens.demoCustomer = await issueToken(authDir, { customerId: 'C0002' });
  for (const [id, type] of [['ME-100', 'electric'], ['MW-100', 'water'], ['ME-200', 'electric'], ['ME-300', 'electric'], ['ME-400', 'electric'], ['ME-500', 'electric'], ['ME-600', 'electric'], ['ME-700', 'electric'], ['ME-900', 'electric'], ['ME-BILL', 'electric'], ['ME-FINAL', 'electric'], ['ME-BACK', 'electric']] as const) await meter(id, type);
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

describe('the customer lifecycle over the staff API', () => {
  let accountId: string;
  let customerId: string;
  let birch: string;

  it('verifies the address, checks for duplicates, and opens a pending account', async () => {
    birch = await premise('12 Birch Street', ['electric', 'water'], 'A0001');
    const duplicatePremise = await api('POST', '/staff/premises', tokens.csr, { address: address('12 BIRCH ST.'), serviceTypes: ['gas'] });
    expect(duplicatePremise).toMatchObject({ status: 409, json: { code: 'PremiseExists' } });

    const unknown = await api('POST', '/staff/service-applications', tokens.csr, { newCustomer: person('Jordan Rivera', '(555) 010-2000', 'jordan@example.com'), address: address('99 Nowhere Ln'), services: [{ serviceType: 'electric' }] });
    expect(unknown).toMatchObject({ status: 422, json: { reason: 'address-not-verified' } });

    const applied = await api('POST', '/staff/service-applications', tokens.csr, { newCustomer: person('Jordan Rivera', '(555) 010-2000', 'jordan@example.com'), address: address('12 birch st'), services: [{ serviceType: 'electric' }, { serviceType: 'water' }] });
    expect(applied.status).toBe(201);
    expect(applied.json.agreementIds).toHaveLength(2);
    ({ accountId, customerId } = applied.json);

    const again = await api('POST', '/staff/service-applications', tokens.csr, { newCustomer: person('J. Rivera', '555-010-2000', 'other@example.com'), premiseId: birch, services: [{ serviceType: 'water' }] });
    expect(again).toMatchObject({ status: 409, json: { code: 'DuplicateCustomer', reason: 'duplicate-customer', details: { candidates: [customerId] } } });
    expect(again.json.message).toContain(customerId);

    const view = await overview(accountId);
    expect(view.account).toMatchObject({ lifecycle: 'PENDING', status: 'INACTIVE' });
    expect(view.agreements.map((a: any) => a.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('activates: meters, tariffs, cycle, deposit decision and turn-on orders; a meter installed elsewhere is refused', async () => {
    const activated = await api('POST', `/staff/accounts/${accountId}/activation`, tokens.csr, { startDate: '2026-03-01', cycle: 'C2', services: [{ serviceType: 'electric', meterId: 'ME-100' }, { serviceType: 'water', meterId: 'MW-100' }] });
    expect(activated.status).toBe(200);
    expect(activated.json.orderIds).toHaveLength(2);
    const view = await overview(accountId);
    expect(view.account).toMatchObject({ lifecycle: 'ACTIVE', status: 'ACTIVE', tariffId: expect.stringMatching(/ELEC-RES|WATER-RES/), cycle: 'C2', deposit: { required: false } });
    expect(view.agreements.map((a: any) => [a.status, a.cycle, a.startDate])).toEqual([['ACTIVE', 'C2', '2026-03-01'], ['ACTIVE', 'C2', '2026-03-01']]);
    expect([...view.account.meterIds].sort()).toEqual(['ME-100', 'MW-100']);
    expect(view.openServiceOrders.map((o: any) => o.type)).toEqual(['TURN_ON', 'TURN_ON']);
    expect(view.auditTimeline.map((e: any) => e.action)).toEqual(expect.arrayContaining(['service.applied', 'service.activated']));

    const elsewhere = await premise('7 Elm Street', ['electric']);
    const other = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Casey Stone', '5550103000', 'casey.stone@example.com'), premiseId: elsewhere, startDate: '2026-03-01', services: [{ serviceType: 'electric', meterId: 'ME-100' }] });
    expect(other).toMatchObject({ status: 409, json: { code: 'MeterInstalledElsewhere', reason: 'meter-installed-elsewhere' } });
    const again = await api('POST', `/staff/accounts/${accountId}/activation`, tokens.csr, { startDate: '2026-03-01' });
    expect(again).toMatchObject({ status: 409, json: { code: 'AccountStateConflict' } });
  });

  it('refuses a second active agreement on one service point', async () => {
    const second = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Sam Hill', '5550104000', 'sam@example.com'), premiseId: birch, startDate: '2026-03-05', services: [{ serviceType: 'electric' }] });
    expect(second).toMatchObject({ status: 409, json: { code: 'ServicePointOccupied' } });
  });

  it('completes a turn-on order with its read, and refuses to complete a cancelled order', async () => {
    const view = await overview(accountId);
    const turnOn = view.openServiceOrders.find((o: any) => o.serviceType === 'electric');
    const noRead = await api('POST', `/staff/service-orders/${turnOn.orderId}/transitions`, tokens.csr, { action: 'complete' });
    expect(noRead).toMatchObject({ status: 422, json: { reason: 'read-required' } });
    expect((await api('POST', `/staff/service-orders/${turnOn.orderId}/transitions`, tokens.csr, { action: 'dispatch' })).status).toBe(200);
    const done = await api('POST', `/staff/service-orders/${turnOn.orderId}/transitions`, tokens.csr, { action: 'complete', read: '10234.5' });
    expect(done.status).toBe(200);
    expect(done.json.milestones.map((m: any) => m.state)).toEqual(['CREATED', 'SCHEDULED', 'DISPATCHED', 'COMPLETED']);
    const after = await overview(accountId);
    expect(after.meters.find((m: any) => m.meterId === 'ME-100').latestFieldRead).toMatchObject({ value: '10234.5', readType: 'TURN_ON', orderId: turnOn.orderId });

    const reRead = await api('POST', '/staff/service-orders', tokens.csr, { type: 'RE_READ', servicePointId: turnOn.servicePointId, description: 'Customer disputes the read' });
    expect(reRead.status).toBe(201);
    expect(reRead.json).toMatchObject({ state: 'CREATED', accountId, meterId: 'ME-100' });
    expect((await api('POST', `/staff/service-orders/${reRead.json.orderId}/transitions`, tokens.csr, { action: 'cancel', reason: 'duplicate' })).status).toBe(200);
    const late = await api('POST', `/staff/service-orders/${reRead.json.orderId}/transitions`, tokens.csr, { action: 'complete', read: '10240' });
    expect(late).toMatchObject({ status: 409, json: { code: 'IllegalOrderTransition' } });
    expect(late.json.message).toContain('CANCELLED');
  });

  it('lets the customer request an order in the portal and follow it; nobody else', async () => {
    const customer = await issueToken(authDir, { customerId });
    const mine = await api('GET', '/portal/accounts', customer);
    expect(mine.json.items.map((a: any) => a.accountId)).toEqual([accountId]);
    const requested = await api('POST', `/portal/accounts/${accountId}/service-orders`, customer, { type: 'LEAK_INVESTIGATION', serviceType: 'water', description: 'Water running under the sink' });
    expect(requested.status).toBe(201);
    expect(requested.json.milestones[0].text).toContain('leak investigation');
    const list = await api('GET', `/portal/accounts/${accountId}/service-orders`, customer);
    expect(list.json.items[0]).toMatchObject({ orderId: requested.json.orderId, state: 'CREATED' });
    expect(list.json.items[0].requestedBy).toBeUndefined();
    expect((await api('POST', `/portal/accounts/${accountId}/service-orders`, customer, { type: 'DISCONNECT', description: 'x' })).status).toBe(400);
    expect((await api('GET', `/portal/accounts/${accountId}/service-orders`, tokens.demoCustomer)).status).toBe(403);
    expect((await api('POST', `/portal/accounts/${accountId}/service-orders`, tokens.demoCustomer, { type: 'RE_READ', description: 'x' })).status).toBe(403);
  });

  it('records notes and interactions, and shows them with the audit timeline', async () => {
    const call = await api('POST', `/staff/accounts/${accountId}/notes`, tokens.csr, { kind: 'INTERACTION', channel: 'PHONE', direction: 'INBOUND', outcome: 'leak order explained', text: 'Customer called about the leak order.' });
    expect(call.status).toBe(201);
    const missing = await api('POST', `/staff/accounts/${accountId}/notes`, tokens.csr, { kind: 'INTERACTION', channel: 'PHONE', text: 'no outcome' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json)).toContain('outcome');
    expect((await api('POST', `/staff/accounts/${accountId}/notes`, tokens.auditor, { text: 'auditors only read' })).status).toBe(403);
    expect((await api('POST', `/staff/accounts/${accountId}/notes`, tokens.billing, { text: 'billing may note' })).status).toBe(201);
    const view = await overview(accountId);
    expect(view.notes.map((n: any) => n.text)).toEqual(['billing may note', 'Customer called about the leak order.']);
    expect(view.auditTimeline.map((e: any) => e.action)).toEqual(expect.arrayContaining(['interaction.logged', 'note.added', 'service-order.requested']));
    expect(view).toMatchObject({ balance: '0.00', payments: [], arrangements: [], bills: [] });
    expect(view.customers[0]).toMatchObject({ customerId, name: 'Jordan Rivera', phones: ['5550102000'], billDelivery: 'EMAIL' });
    expect(view.premises[0]).toMatchObject({ premiseId: birch, normalizedAddress: '12 BIRCH ST SPRINGFIELD IL 62701' });
  });

  it('finds the account by name, address, phone, email, account number and meter number', async () => {
    for (const q of ['rivera', 'Jordan Riv', 'birch st', '12 Birch Street', '555-010', '(555) 010-2000', 'jordan@example.com', accountId, 'me-100']) {
      const found = await api('GET', `/staff/search?q=${encodeURIComponent(q)}`, tokens.auditor);
      expect({ q, status: found.status, ids: found.json.items.map((i: any) => i.accountId) }).toEqual({ q, status: 200, ids: expect.arrayContaining([accountId]) });
    }
    const legacy = await api('GET', '/staff/search?q=A0002', tokens.csr);
    expect(legacy.json.items.map((i: any) => i.accountId)).toEqual(['A0002']);
    expect((await api('GET', "/staff/search?q=' OR 1=1 --", tokens.csr)).json.items).toEqual([]);
  });

  it('changes contacts and preferences (staff and the customer), and keeps search in step', async () => {
    const changed = await api('PATCH', `/staff/customers/${customerId}`, tokens.csr, { phones: ['(555) 777-1234'], contacts: [{ name: 'Pat Rivera', role: 'EMERGENCY', phone: '5557770000' }] });
    expect(changed).toMatchObject({ status: 200, json: { phones: ['5557771234'], contacts: [{ name: 'Pat Rivera' }] } });
    expect((await api('GET', '/staff/search?q=555-777-1234', tokens.csr)).json.items.map((i: any) => i.accountId)).toEqual([accountId]);
    expect((await api('GET', '/staff/search?q=(555)%20010-2000', tokens.csr)).json.items).toEqual([]);
    expect((await api('PATCH', `/staff/customers/${customerId}`, tokens.auditor, { billDelivery: 'PAPER' })).status).toBe(403);
    expect((await api('PATCH', `/staff/customers/${customerId}`, tokens.csr, { email: null })).json).toMatchObject({ reason: 'email-required' });

    const customer = await issueToken(authDir, { customerId });
    const mine = await api('PATCH', '/portal/preferences', customer, { billDelivery: 'PORTAL' });
    expect(mine).toMatchObject({ status: 200, json: { customerId, billDelivery: 'PORTAL' } });
    expect((await api('PATCH', '/portal/preferences', customer, { name: 'Someone Else' })).status).toBe(400);
    const view = await overview(accountId);
    expect(view.customers[0]).toMatchObject({ billDelivery: 'PORTAL', phones: ['5557771234'] });
    expect(view.auditTimeline.filter((e: any) => e.action === 'customer.updated').map((e: any) => e.actor)).toEqual([`portal:${customerId}`, 'casey']);
  });

  it('moves the tenant out: final reads, final bill flag, and the landlord takes over until the next tenant', async () => {
    const out = await api('POST', `/staff/accounts/${accountId}/move-out`, tokens.csr, { endDate: '2026-04-30', forwardingAddress: address('500 New Home Rd', '62702') });
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ finalBillDue: true });
    expect(out.json.fallbackAgreementIds).toHaveLength(2);
    const view = await overview(accountId);
    expect(view.account).toMatchObject({ lifecycle: 'FINAL', status: 'INACTIVE', finalBillDue: true });
    expect(view.agreements.every((a: any) => a.status === 'CLOSED' && a.endDate === '2026-04-30' && a.finalBill)).toBe(true);
    expect(view.openServiceOrders.filter((o: any) => o.type === 'FINAL_READ')).toHaveLength(2);
    expect(view.customers[0].mailingAddress.line1).toBe('500 New Home Rd');
    const owner = await overview('A0001');
    expect(owner.agreements.filter((a: any) => a.status === 'ACTIVE' && a.fallbackFromAgreementId).map((a: any) => a.startDate)).toEqual(['2026-05-01', '2026-05-01']);
    expect(owner.account.meterIds).toEqual(expect.arrayContaining(['M0001', 'ME-100', 'MW-100']));

    const early = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Riley Park', '5550105000', 'riley@example.com'), premiseId: birch, startDate: '2026-04-15', services: [{ serviceType: 'electric' }] });
    expect(early).toMatchObject({ status: 422, json: { reason: 'start-before-vacancy' } });
    const next = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Riley Park', '5550105000', 'riley@example.com'), premiseId: birch, startDate: '2026-05-10', services: [{ serviceType: 'electric' }] });
    expect(next.status).toBe(201);
    const ownerAfter = await overview('A0001');
    const ended = ownerAfter.agreements.find((a: any) => a.serviceType === 'electric' && a.fallbackFromAgreementId);
    expect(ended).toMatchObject({ status: 'CLOSED', endDate: '2026-05-09', closeReason: 'LANDLORD_FALLBACK_ENDED' });
    expect(ownerAfter.account.meterIds).not.toContain('ME-100');
  });

  it('lets exactly one of five concurrent move-ins on one premise win', async () => {
    const contested = await premise('300 Race Ave', ['electric']);
    const found = await api('GET', '/staff/search?q=300%20race', tokens.csr);
    expect(found.json).toMatchObject({ items: [], premises: [{ premiseId: contested, address: '300 Race Ave, Springfield, IL 62701' }] });
    const attempts = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person(`Racer Number${i}`, `555020${1000 + i}`, `racer${i}@example.com`), premiseId: contested, startDate: '2026-03-01', services: [{ serviceType: 'electric', meterId: 'ME-300' }] })),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const lost of attempts.filter((a) => a.status === 409)) expect(['ServicePointOccupied', 'MeterInstalledElsewhere']).toContain(lost.json.code);
    const winner = attempts.find((a) => a.status === 201)!.json.accountId;
    const place = await api('GET', `/staff/premises/${contested}`, tokens.auditor);
    expect(place.json).toMatchObject({ premise: { premiseId: contested }, accountIds: [winner], servicePoints: [{ serviceType: 'electric', activeAccountId: winner, meter: { meterId: 'ME-300', accountId: winner } }] });
    expect((await overview(winner)).agreements.filter((a: any) => a.status === 'ACTIVE')).toHaveLength(1);
  });

  it('never leaves two active agreements when a move-out and a move-in race on one premise', async () => {
    const flat = await premise('40 Relay Ct', ['electric']);
    const first = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Dana Leaving', '5550301000', 'dana.l@example.com'), premiseId: flat, startDate: '2026-03-01', services: [{ serviceType: 'electric', meterId: 'ME-400' }] });
    expect(first.status).toBe(201);
    const [out, into] = await Promise.all([
      api('POST', `/staff/accounts/${first.json.accountId}/move-out`, tokens.csr, { endDate: '2026-03-31' }),
      api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Eli Arriving', '5550302000', 'eli.a@example.com'), premiseId: flat, startDate: '2026-04-01', services: [{ serviceType: 'electric' }] }),
    ]);
    expect(out.status).toBe(200);
    expect([201, 409]).toContain(into.status);
    const holders = [first.json.accountId, ...(into.status === 201 ? [into.json.accountId] : [])];
    const active = (await Promise.all(holders.map(overview))).flatMap((v) => v.agreements.filter((a: any) => a.status === 'ACTIVE'));
    expect(active.length).toBe(into.status === 201 ? 1 : 0);
  });

  it('transfers service to another premise on the same account', async () => {
    const from = await premise('1 Transfer Way', ['electric']);
    const to = await premise('2 Transfer Way', ['electric']);
    const moved = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Terry Mover', '5550401000', 'terry@example.com'), premiseId: from, startDate: '2026-03-01', services: [{ serviceType: 'electric', meterId: 'ME-500' }] });
    expect(moved.status).toBe(201);
    const noMeter = await api('POST', `/staff/accounts/${moved.json.accountId}/transfer`, tokens.csr, { date: '2026-06-01', toPremiseId: to });
    expect(noMeter).toMatchObject({ status: 422, json: { reason: 'meter-required' } });
    const transferred = await api('POST', `/staff/accounts/${moved.json.accountId}/transfer`, tokens.csr, { date: '2026-06-01', toAddress: address('2 transfer way'), services: [{ serviceType: 'electric', meterId: 'ME-600' }] });
    expect(transferred.status).toBe(200);
    const view = await overview(moved.json.accountId);
    expect(view.account).toMatchObject({ lifecycle: 'ACTIVE', finalBillDue: false, meterIds: ['ME-600'] });
    expect(view.agreements.map((a: any) => [a.premiseId, a.status])).toEqual(expect.arrayContaining([[from, 'CLOSED'], [to, 'ACTIVE']]));
  });

  it('opens a second account for an existing customer, who then sees both in the portal', async () => {
    const home = await premise('15 Second Home Dr', ['water', 'sewer']);
    const applied = await api('POST', '/staff/service-applications', tokens.csr, { customerId: 'C0002', premiseId: home, services: [{ serviceType: 'water' }, { serviceType: 'sewer' }] });
    expect(applied).toMatchObject({ status: 201, json: { customerId: 'C0002' } });
    const noMeter = await api('POST', `/staff/accounts/${applied.json.accountId}/activation`, tokens.csr, { startDate: '2026-03-01', services: [{ serviceType: 'water' }] });
    const noTariff = await api('POST', `/staff/accounts/${applied.json.accountId}/activation`, tokens.csr, { startDate: '2026-03-01', services: [{ serviceType: 'sewer' }] });
    expect(noTariff).toMatchObject({ status: 422, json: { reason: 'tariff-required' } });
    expect(noMeter).toMatchObject({ status: 422, json: { reason: 'meter-required' } });
    const sewerOnly = await api('POST', `/staff/accounts/${applied.json.accountId}/activation`, tokens.csr, { startDate: '2026-03-01', services: [{ serviceType: 'sewer', tariffId: 'WATER-RES' }] });
    expect(sewerOnly.status).toBe(200);
    const mine = await api('GET', '/portal/accounts', tokens.demoCustomer);
    expect(mine.json.items.map((a: any) => a.accountId).sort()).toEqual(['A0002', applied.json.accountId].sort());
    const view = await overview(applied.json.accountId);
    expect(view.agreements.map((a: any) => `${a.serviceType}:${a.status}`).sort()).toEqual(['sewer:ACTIVE', 'water:PENDING']);
  });

  it('stops service, reopens the account, and exchanges its meter', async () => {
    const house = await premise('8 Stop St', ['electric']);
    const started = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Pat Pause', '5550501000', 'pat@example.com'), premiseId: house, startDate: '2026-03-01', services: [{ serviceType: 'electric', meterId: 'ME-700' }] });
    const id = started.json.accountId;
    const stopped = await api('POST', `/staff/accounts/${id}/stop`, tokens.csr, { endDate: '2026-03-20' });
    expect(stopped).toMatchObject({ status: 200, json: { finalBillDue: true } });
    expect((await overview(id)).openServiceOrders.map((o: any) => o.type)).toContain('TURN_OFF');
    expect((await api('POST', `/staff/accounts/${id}/stop`, tokens.csr, { endDate: '2026-03-21' })).status).toBe(409);
    const reopened = await api('POST', `/staff/accounts/${id}/reopen`, tokens.csr, { startDate: '2026-04-01' });
    expect(reopened.status).toBe(200);
    expect((await overview(id)).account).toMatchObject({ lifecycle: 'ACTIVE', finalBillDue: false, meterIds: ['ME-700'] });

    const view = await overview(id);
    const servicePointId = view.agreements.find((a: any) => a.status === 'ACTIVE').servicePointId;
    const exchange = await api('POST', '/staff/service-orders', tokens.csr, { type: 'METER_EXCHANGE', servicePointId, scheduledFor: '2026-04-15' });
    expect(exchange.status).toBe(201);
    const taken = await api('POST', `/staff/service-orders/${exchange.json.orderId}/transitions`, tokens.csr, { action: 'complete', removedRead: '500', newMeterId: 'ME-300', newMeterRead: '0' });
    expect(taken).toMatchObject({ status: 409, json: { code: 'MeterInstalledElsewhere' } });
    const done = await api('POST', `/staff/service-orders/${exchange.json.orderId}/transitions`, tokens.csr, { action: 'complete', removedRead: '500', newMeterId: 'ME-900', newMeterRead: '0' });
    expect(done.status).toBe(200);
    const after = await overview(id);
    expect(after.account.meterIds).toEqual(['ME-900']);
    const exchanged = after.meters.find((m: any) => m.meterId === 'ME-900');
    expect(exchanged).toMatchObject({ servicePointId, status: 'ACTIVE', accountId: id, latestFieldRead: { value: '0', readType: 'INSTALL' } });
  });
});

describe('billing reads what the lifecycle writes', () => {
  it('bills the agreements of a moved-in account and gives a moved-out account its final bill, rated by the engine', async () => {
    const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    const periodStart = day(new Date(Date.now() - 2 * 86_400_000));
    const periodEnd = day(new Date());
    const home = await premise('90 Billing Blvd', ['electric']);
    const moved = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Bill Able', '5550901000', 'bill.able@example.com'), premiseId: home, cycle: 'C3', startDate: '2026-01-01', services: [{ serviceType: 'electric', meterId: 'ME-BILL' }] });
    expect(moved.status).toBe(201);
    const leaving = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Fay Nal', '5550902000', 'fay.nal@example.com'), premiseId: await premise('92 Billing Blvd', ['electric']), cycle: 'C3', startDate: '2026-01-01', services: [{ serviceType: 'electric', meterId: 'ME-FINAL' }] });
    expect(leaving.status).toBe(201);
    const back = await api('POST', '/staff/move-ins', tokens.csr, { newCustomer: person('Rea Pen', '5550903000', 'rea.pen@example.com'), premiseId: await premise('94 Billing Blvd', ['electric']), cycle: 'C3', startDate: '2026-01-01', services: [{ serviceType: 'electric', meterId: 'ME-BACK' }] });
    expect(back.status).toBe(201);
    const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `lifecycle-${process.pid}`, reconnectPeriod: 0 });
    for (const [meterId, value] of [['ME-BILL', '2.5'], ['ME-FINAL', '4'], ['ME-BACK', '1']] as const) {
      await client.publishAsync(`cis/meters/${meterId}/reads`, JSON.stringify({ meterId, readings: [{ start: hourStart.toISOString(), durationSec: 3600, value, unit: 'kWh' }] }), { qos: 1 });
    }
    await client.endAsync();

    // Wait until both reads are stored (MQTT -> SQS -> VEE), move the second customer out, then run the cycle once.
    const customers = { [moved.json.accountId]: await issueToken(authDir, { customerId: moved.json.customerId }), [leaving.json.accountId]: await issueToken(authDir, { customerId: leaving.json.customerId }), [back.json.accountId]: await issueToken(authDir, { customerId: back.json.customerId }) };
    const deadline = Date.now() + 20_000;
    for (const [accountId, token] of Object.entries(customers)) {
      for (;;) {
        const usage = await api('GET', `/portal/accounts/${accountId}/usage?from=${periodStart}&to=${periodEnd}&interval=day`, token);
        if (usage.json?.series?.[0]?.points?.length || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const out = await api('POST', `/staff/accounts/${leaving.json.accountId}/move-out`, tokens.csr, { endDate: periodEnd });
    expect(out).toMatchObject({ status: 200, json: { finalBillDue: true } });
    // the third account stops and is reopened from tomorrow before the run: its final bill finds the flag cleared already
    expect((await api('POST', `/staff/accounts/${back.json.accountId}/stop`, tokens.csr, { endDate: periodEnd })).status).toBe(200);
    expect((await api('POST', `/staff/accounts/${back.json.accountId}/reopen`, tokens.csr, { startDate: day(new Date(Date.now() + 86_400_000)) })).status).toBe(200);
    const started = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C3', periodStart, periodEnd });
    expect(started.status).toBe(202);
    let run: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      run = (await api('GET', `/staff/billing-runs/${started.json.runId}`, tokens.billing)).json;
    } while (run.status === 'RUNNING');
    expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 3, failed: 0 } });

    // The demo ELEC-RES tariff: on-peak weekdays 16:00-21:00 local at 0.2150, else 0.0925; rider 0.0042; 5% fee.
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(hourStart).map((p) => [p.type, p.value]));
    const onPeak = !['Sat', 'Sun'].includes(String(parts['weekday'])) && Number(parts['hour']) >= 16 && Number(parts['hour']) < 21;
    const cents = (value: Decimal) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const expectedLines = (kwh: string) => {
      const energy = cents(new Decimal(kwh).times(onPeak ? '0.2150' : '0.0925'));
      const rider = cents(new Decimal(kwh).times('0.0042'));
      const base = new Decimal('12.50').plus(energy).plus(rider);
      const fee = cents(base.times('0.05'));
      return { lines: [{ description: 'Customer charge', amount: '12.50' }, { description: `Energy, ${onPeak ? 'On-peak' : 'Off-peak'}`, quantity: kwh, amount: energy.toFixed(2) }, { description: 'Energy cost adjustment', amount: rider.toFixed(2) }, { description: `City franchise fee (5% of ${base.toFixed(2)})`, amount: fee.toFixed(2) }], total: base.plus(fee).toFixed(2) };
    };

    const bills = await api('GET', `/portal/accounts/${moved.json.accountId}/bills`, customers[moved.json.accountId]);
    expect(bills.json.items).toHaveLength(1);
    const bill = bills.json.items[0];
    const expected = expectedLines('2.5');
    expect(bill).toMatchObject({ finalBill: false, total: expected.total, services: [{ serviceType: 'electric', tariffId: 'ELEC-RES', meterId: 'ME-BILL', periodStart, periodEnd, usage: { quantity: '2.5', unit: 'kWh' }, lines: expected.lines }] });
    expect((await overview(moved.json.accountId)).bills).toHaveLength(1);

    const final = (await api('GET', `/portal/accounts/${leaving.json.accountId}/bills`, customers[leaving.json.accountId])).json.items;
    const expectedFinal = expectedLines('4');
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ finalBill: true, total: expectedFinal.total, services: [{ finalBill: true, meterId: 'ME-FINAL', periodEnd, usage: { quantity: '4' }, lines: expectedFinal.lines }] });
    // the final bill cleared the account's flag in its own transaction; the moved-in account never had it
    const leavingView = await overview(leaving.json.accountId);
    expect(leavingView.account).toMatchObject({ lifecycle: 'FINAL', status: 'INACTIVE', finalBillDue: false });
    expect(leavingView.bills).toHaveLength(1);
    expect((await overview(moved.json.accountId)).account).toMatchObject({ finalBillDue: false });
    // a lifecycle write after the final bill reads the bumped recordVersion and succeeds
    expect((await api('POST', `/staff/accounts/${leaving.json.accountId}/reopen`, tokens.csr, { startDate: day(new Date(Date.now() + 86_400_000)) })).status).toBe(200);
    expect((await overview(leaving.json.accountId)).account).toMatchObject({ lifecycle: 'ACTIVE', finalBillDue: false });

    const reopened = (await api('GET', `/portal/accounts/${back.json.accountId}/bills`, customers[back.json.accountId])).json.items;
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ finalBill: true, total: expectedLines('1').total, services: [{ finalBill: true, meterId: 'ME-BACK', usage: { quantity: '1' } }] });
    expect((await overview(back.json.accountId)).account).toMatchObject({ lifecycle: 'ACTIVE', finalBillDue: false });
  }, 90_000);
});

describe('loading tariffs', () => {
  const file = path.resolve(__dirname, '../fixtures/tariffs/res-tou-baseline.json');

  async function tariffLoad(...args: string[]): Promise<any> {
    const { buildProgram } = require('../../bin/cis-main') as typeof import('../../bin/cis-main');
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().exitOverride().parseAsync(['node', 'cis', 'tariff', 'load', ...args, '--endpoint', platform.endpoints.dynamodb, '--table', platform.tableName, '--actor', 'cli:ada']);
    } finally {
      write.mockRestore();
    }
    return JSON.parse(out.join(''));
  }

  it('loads a tariff with `cis tariff load`, appends a version over PUT (admin only), and never edits history', async () => {
    expect(await tariffLoad(file)).toMatchObject({ tariffId: 'RES-TOU-BASELINE', created: true, changed: true, revision: 1, versions: ['2024-01-01'] });
    expect(await tariffLoad(file)).toMatchObject({ created: false, changed: false, revision: 1 });

    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const next = { ...doc, versions: [{ ...doc.versions[0], effectiveTo: '2026-12-31' }, { ...doc.versions[0], effectiveFrom: '2027-01-01' }] };
    expect((await api('PUT', '/staff/tariffs/RES-TOU-BASELINE', tokens.csr, next)).status).toBe(403);
    const appended = await api('PUT', '/staff/tariffs/RES-TOU-BASELINE', tokens.admin, next);
    expect(appended).toMatchObject({ status: 200, json: { created: false, changed: true, revision: 2, added: ['2027-01-01'], closed: '2024-01-01' } });
    const edited = { ...next, versions: [next.versions[0], { ...next.versions[1], holidays: ['2027-07-04'] }] };
    expect(await api('PUT', '/staff/tariffs/RES-TOU-BASELINE', tokens.admin, edited)).toMatchObject({ status: 409, json: { code: 'TariffHistoryConflict' } });
    expect(await api('PUT', '/staff/tariffs/RES-TOU-BASELINE', tokens.admin, { ...next, unit: 'kWhh' })).toMatchObject({ status: 400, json: { issues: [{ path: 'body.unit' }] } });
    // The file without the new version would drop history: refused.
    await expect(tariffLoad(file)).rejects.toMatchObject({ name: 'TariffHistoryConflict' });
  });
});

describe('importing existing records', () => {
  const messy = path.resolve(__dirname, '../fixtures/import/messy');

  async function cli(...args: string[]): Promise<string> {
    const { buildProgram } = require('../../bin/cis-main') as typeof import('../../bin/cis-main');
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().exitOverride().parseAsync(['node', 'cis', 'import-records', messy, '--endpoint', platform.endpoints.dynamodb, '--table', platform.tableName, ...args]);
    } finally {
      write.mockRestore();
    }
    return out.join('');
  }

  it('rehearses with --dry-run (nothing written), refuses a file with rejected rows, then loads the valid rows', async () => {
    const dry = JSON.parse(await cli('--dry-run', '--json'));
    expect(dry).toMatchObject({ dryRun: true, written: false, create: { customers: 3, accounts: 3, agreements: 3, balances: 2 } });
    expect(dry.problems.length).toBeGreaterThanOrEqual(20);
    expect((await api('GET', '/staff/search?q=smith', tokens.csr)).json.items).toEqual([]);
    process.exitCode = 0;

    const refused = await cli();
    expect(refused).toContain('Import refused');
    expect((await api('GET', '/staff/accounts/MA001/overview', tokens.csr)).status).toBe(404);

    const loaded = JSON.parse(await cli('--skip-invalid', '--json'));
    expect(loaded).toMatchObject({ written: true });
    process.exitCode = 0;
    const found = await api('GET', '/staff/search?q=smith', tokens.csr);
    expect(found.json.items.map((i: any) => i.accountId)).toEqual(['MA001']);
    const view = await overview('MA001');
    expect(view).toMatchObject({ balance: '1234.50', account: { lifecycle: 'ACTIVE', meterIds: ['MM001', 'MM002'] } });
    expect(view.agreements.map((a: any) => a.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect((await overview('MA002')).balance).toBe('-45.10');
    expect((await api('GET', '/staff/search?q=1%20oak%20ave', tokens.csr)).json.items.map((i: any) => i.accountId)).toContain('MA001');

    const again = JSON.parse(await cli('--skip-invalid', '--json'));
    expect(again.create).toMatchObject({ customers: 0, premises: 0, meters: 0, accounts: 0, agreements: 0 });
    expect(again.files.customers.existing).toBe(3);
    process.exitCode = 0;

    // The imported account lives the same lifecycle as any other.
    const out = await api('POST', '/staff/accounts/MA001/move-out', tokens.csr, { endDate: '2026-01-31' });
    expect(out).toMatchObject({ status: 200, json: { finalBillDue: true } });
  });
});

describe('roles and hostile input', () => {
  it('answers 403 for the wrong role and 401 without a token', async () => {
    const body = { address: address('1 Role Rd'), serviceTypes: ['water'] };
    expect((await api('POST', '/staff/premises', tokens.auditor, body)).status).toBe(403);
    expect((await api('POST', '/staff/premises', tokens.billing, body)).status).toBe(403);
    expect((await api('POST', '/staff/premises', tokens.demoCustomer, body)).status).toBe(403);
    expect((await api('POST', '/staff/meters', tokens.csr, { meterId: 'X1', serviceType: 'water', unit: 'gal' })).status).toBe(403);
    expect((await api('POST', '/staff/accounts/A0002/move-out', tokens.auditor, { endDate: '2026-04-30' })).status).toBe(403);
    expect((await api('GET', '/staff/accounts/A0002/overview', tokens.demoCustomer)).status).toBe(403);
    expect((await api('GET', '/staff/search?q=ab')).status).toBe(401);
  });

  it.each([
    ['a control character', { address: { ...address('1 Evil\u0000 Rd') }, serviceTypes: ['water'] }, 'line1'],
    ['a bad state', { address: { ...address('1 Evil Rd'), state: 'Illinois' }, serviceTypes: ['water'] }, 'state'],
    ['an unknown field', { address: address('1 Evil Rd'), serviceTypes: ['water'], isAdmin: true }, 'isAdmin'],
    ['an unknown service', { address: address('1 Evil Rd'), serviceTypes: ['steam'] }, 'serviceTypes'],
    ['a huge line', { address: address('x'.repeat(5000)), serviceTypes: ['water'] }, 'line1'],
    ['a key injection', { premiseId: 'P#1', address: address('1 Evil Rd'), serviceTypes: ['water'] }, 'premiseId'],
    ['an array body', [1, 2], 'body'],
  ])('answers 400 naming the field for %s', async (_what, body, field) => {
    const response = await api('POST', '/staff/premises', tokens.csr, body);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json)).toContain(field);
  });

  it('answers 400 for broken JSON, bad paths and bad queries, 404 for unknown records', async () => {
    expect((await api('POST', '/staff/move-ins', tokens.csr, '{"newCustomer":')).status).toBe(400);
    expect((await api('GET', '/staff/search?q=a', tokens.csr)).status).toBe(400);
    expect((await api('GET', `/staff/accounts/${encodeURIComponent('A0001#X')}/overview`, tokens.csr)).status).toBe(400);
    expect((await api('GET', '/staff/accounts/A9999/overview', tokens.csr)).status).toBe(404);
    expect((await api('GET', '/staff/service-orders/NOPE', tokens.csr)).status).toBe(404);
    const dates = await api('POST', '/staff/accounts/A0002/move-out', tokens.csr, { endDate: '2026-02-30' });
    expect(dates.status).toBe(400);
    expect(JSON.stringify(dates.json)).toContain('endDate');
    const both = await api('POST', '/staff/service-applications', tokens.csr, { customerId: 'C0002', newCustomer: person('X Y', '5550000000', 'x@example.com'), premiseId: 'P1', services: [{ serviceType: 'water' }] });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.json)).toContain('customerId');
  });
});
