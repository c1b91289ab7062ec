/** The autopay and payment-file handlers over API Gateway events: own accounts, roles, 400s naming the field, the upload's report. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { createHandler as enrollMine } from '../../../functions/portal/enroll-autopay';
import { createHandler as getMine } from '../../../functions/portal/get-autopay';
import { createHandler as enrollStaff } from '../../../functions/staff/enroll-autopay';
import { createHandler as getFile } from '../../../functions/staff/get-payment-file';
import { createHandler as importFile } from '../../../functions/staff/import-payment-file';
import { createHandler as runAutopay } from '../../../functions/staff/run-autopay';
import type { Account } from '../../../shared/domain/accounts';
import { SANDBOX_ACH_ORIGINATOR } from '../../../shared/domain/nacha';
import { MemoryBank } from '../../unit/app/bank-fakes';
import { clockAt, MemoryAccounts, silentLogger } from '../../unit/app/fakes';
import { MemoryLedger } from '../../unit/app/ledger-fakes';
import { bodyOf, customerClaims, httpEvent, NOW, staffClaims } from '../helpers';

const context = {} as Context;
const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });
const lockbox = readFileSync(path.resolve(__dirname, '../../fixtures/payments/lockbox-2026-03-04.csv'), 'utf8');

function deps() {
  let ids = 0;
  const bank = new MemoryBank();
  return { ledger: new MemoryLedger(), autopay: bank, files: bank, accounts: new MemoryAccounts([account('A0001', 'C0001'), account('A0002', 'C0002')]), clock: clockAt(NOW), newId: () => `id-${++ids}`, returnedPaymentFee: '25.00', achOriginator: SANDBOX_ACH_ORIGINATOR, log: silentLogger() };
}

const enrollment = { routingNumber: '231380104', accountNumber: '000123456789', accountType: 'checking', accountHolder: 'Jane Doe' };

describe('PUT /portal/accounts/{accountId}/autopay', () => {
  const event = (body: unknown, accountId = 'A0001', claims: Record<string, unknown> = customerClaims('C0001')) => httpEvent({ routeKey: 'PUT /portal/accounts/{accountId}/autopay', claims, pathParameters: { accountId }, body });

  it('enrolls the customer own account and answers the last four digits only', async () => {
    const d = deps();
    const response = await enrollMine(d)(event(enrollment), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)['autopay']).toMatchObject({ accountLast4: '6789', status: 'ACTIVE', accountType: 'checking' });
    expect(response.body).not.toContain('000123456789');
    const read = await getMine(d)(httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/autopay', claims: customerClaims('C0001'), pathParameters: { accountId: 'A0001' } }), context);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain('000123456789');
  });

  it('answers 403 for another customer account and writes nothing', async () => {
    const d = deps();
    expect((await enrollMine(d)(event(enrollment, 'A0002'), context)).statusCode).toBe(403);
    expect(d.autopay.instructions.size).toBe(0);
  });

  it.each([
    ['a routing number with a bad check digit', { ...enrollment, routingNumber: '231380105' }, 'body.routingNumber'],
    ['a short account number', { ...enrollment, accountNumber: '12' }, 'body.accountNumber'],
    ['an unknown account type', { ...enrollment, accountType: 'brokerage' }, 'body.accountType'],
    ['a name longer than the NACHA field', { ...enrollment, accountHolder: 'x'.repeat(23) }, 'body.accountHolder'],
  ])('answers 400 for %s, naming the field', async (_what, body, field) => {
    const d = deps();
    const response = await enrollMine(d)(event(body), context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect(d.autopay.instructions.size).toBe(0);
  });
});

describe('staff autopay and payment files', () => {
  it('lets csr and admin enroll, not billing or auditors', async () => {
    const d = deps();
    const event = (groups: string) => httpEvent({ routeKey: 'PUT /staff/accounts/{accountId}/autopay', claims: staffClaims(groups), pathParameters: { accountId: 'A0001' }, body: enrollment });
    expect((await enrollStaff(d)(event('[auditor]'), context)).statusCode).toBe(403);
    expect((await enrollStaff(d)(event('[billing]'), context)).statusCode).toBe(403);
    expect((await enrollStaff(d)(event('[csr]'), context)).statusCode).toBe(200);
  });

  it('runs autopay for billing staff only, with a calendar date', async () => {
    const d = deps();
    const event = (groups: string, body: unknown) => httpEvent({ routeKey: 'POST /staff/autopay-runs', claims: staffClaims(groups), body });
    expect((await runAutopay(d)(event('[csr]', { debitDate: '2026-03-02' }), context)).statusCode).toBe(403);
    const bad = await runAutopay(d)(event('[billing]', { debitDate: '2026-02-30' }), context);
    expect(bad.statusCode).toBe(400);
    expect(String(bodyOf(bad)['message'])).toContain('body.debitDate');
    const ok = await runAutopay(d)(event('[billing]', { debitDate: '2026-03-02' }), context);
    expect(ok.statusCode).toBe(201);
    expect(bodyOf(ok)).toMatchObject({ debitDate: '2026-03-02', entries: [], text: null });
  });

  it('imports a file with an Idempotency-Key (201 and its report; a replay answers the same) and reads its report back', async () => {
    const d = deps();
    const event = (body: unknown, key = 'upload-1') => ({ ...httpEvent({ routeKey: 'POST /staff/payment-files', claims: staffClaims('[billing]'), body }), headers: { 'idempotency-key': key } });
    const first = await importFile(d)(event({ format: 'lockbox', content: lockbox }), context);
    expect(first.statusCode).toBe(201);
    const report = bodyOf(first)['report'] as { fileId: string; posted: unknown[]; suspense: unknown[] };
    expect(report.posted).toHaveLength(2);
    expect(report.suspense).toHaveLength(1);
    const replay = await importFile(d)(event({ format: 'lockbox', content: lockbox }), context);
    expect(replay.body).toBe(first.body);
    expect(d.ledger.payments.size).toBe(2);
    const read = await getFile(d)(httpEvent({ routeKey: 'GET /staff/payment-files/{fileId}', claims: staffClaims('[auditor]'), pathParameters: { fileId: report.fileId } }), context);
    expect(read.statusCode).toBe(200);
    expect(bodyOf(read)['report']).toEqual(report);
    const missing = await getFile(d)(httpEvent({ routeKey: 'GET /staff/payment-files/{fileId}', claims: staffClaims('[auditor]'), pathParameters: { fileId: 'PFNOPE' } }), context);
    expect(missing.statusCode).toBe(404);
  });

  it('answers 400 for a rejected file, naming line and field, and posts nothing', async () => {
    const d = deps();
    const event = { ...httpEvent({ routeKey: 'POST /staff/payment-files', claims: staffClaims('[admin]'), body: { format: 'lockbox', content: lockbox.replace('45.10', '45.105') } }), headers: { 'idempotency-key': 'bad-1' } };
    const response = await importFile(d)(event, context);
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ code: 'PaymentFileRejected', issues: [{ path: 'line 2 amount', message: expect.stringContaining('at most 2 decimals') }] });
    expect(d.ledger.payments.size).toBe(0);
  });

  it.each([
    ['no Idempotency-Key', { format: 'lockbox', content: 'x' }, {}, 'headers.idempotency-key'],
    ['an unknown format', { format: 'mt940', content: 'x' }, { 'idempotency-key': 'k' }, 'body.format'],
    ['empty content', { format: 'bai2', content: '' }, { 'idempotency-key': 'k' }, 'body.content'],
  ])('answers 400 for %s, naming the field', async (_what, body, headers, field) => {
    const d = deps();
    const response = await importFile(d)({ ...httpEvent({ routeKey: 'POST /staff/payment-files', claims: staffClaims('[billing]'), body }), headers }, context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
  });

  it('refuses csr uploads', async () => {
    const d = deps();
    const response = await importFile(d)({ ...httpEvent({ routeKey: 'POST /staff/payment-files', claims: staffClaims('[csr]'), body: { format: 'lockbox', content: lockbox } }), headers: { 'idempotency-key': 'k' } }, context);
    expect(response.statusCode).toBe(403);
  });
});
