/** Autopay enrollment and runs, NACHA returns, BAI2 and lockbox imports over in-memory stores. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutopayNotEnrolled, autopayPaymentId, cancelMyAutopay, enrollAutopay, enrollMyAutopay, runAutopay } from '../../../shared/app/payments/autopay';
import { boundedReport, importPaymentFile } from '../../../shared/app/payments/import-payment-file';
import { applySuspense, listSuspense } from '../../../shared/app/payments/suspense';
import { SuspenseAlreadyApplied, SuspenseNotFound } from '../../../shared/app/payments/errors';
import { AccountNotFound } from '../../../shared/app/errors';
import type { Account } from '../../../shared/domain/accounts';
import { Forbidden } from '../../../shared/domain/errors';
import { accountBalance, ledgerEntryForBill } from '../../../shared/domain/ledger';
import { readNachaFile, type NachaOriginator } from '../../../shared/domain/nacha';
import { nachaReturnsFile } from '../../fixtures/payments/returns-file';
import { MemoryBank } from './bank-fakes';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const FIXTURES = path.resolve(__dirname, '../../fixtures/payments');
const NOW = '2026-02-27T15:00:00.000Z';
const DEBIT_DAY = '2026-03-02';
const ORIGINATOR: NachaOriginator = { immediateDestination: '121042882', immediateDestinationName: 'Test Bank', immediateOrigin: '1234567890', immediateOriginName: 'Open CIS Utility', companyId: '1234567890', companyName: 'OPEN CIS UTILITY', originatingDfi: '12104288', entryDescription: 'UTILITYPMT' };
const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function setup() {
  const ledger = new MemoryLedger();
  const bank = new MemoryBank();
  let ids = 0;
  const deps = {
    ledger,
    autopay: bank,
    files: bank,
    accounts: new MemoryAccounts([account('A0001', 'C1'), account('A0002', 'C2'), account('A0003', 'C3')]),
    clock: clockAt(NOW),
    newId: () => `E${++ids}`,
    achOriginator: ORIGINATOR,
    returnedPaymentFee: '25.00',
  };
  const bill = (billId: string, accountId: string, total: string, dueDate: string) => ledger.entries.push(ledgerEntryForBill({ billId, accountId, total, periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-02-05T00:00:00.000Z', dueDate, usage: { unit: 'gal' } }, '2026-02-05T00:00:00.000Z'));
  return { deps, ledger, bank, bill };
}

const bankAccount = { routingNumber: '231380104', accountNumber: '000123456789', accountType: 'checking' as const, accountHolder: 'Jane Doe' };

describe('autopay enrollment', () => {
  it('enrolls the customer own account only, shows the last four digits and audits without the full number', async () => {
    const { deps, bank } = setup();
    await expect(enrollMyAutopay(deps, { customerId: 'C2' }, { accountId: 'A0001', ...bankAccount })).rejects.toThrow(Forbidden);
    const answer = await enrollMyAutopay(deps, { customerId: 'C1' }, { accountId: 'A0001', ...bankAccount, paperless: true });
    expect(answer.autopay).toMatchObject({ accountId: 'A0001', status: 'ACTIVE', accountLast4: '6789', authorizedBy: 'customer:C1', authorizedAt: NOW, paperless: true });
    expect(JSON.stringify(answer)).not.toContain('000123456789');
    expect(bank.audit.map((a) => a.action)).toEqual(['autopay.enrolled']);
    expect(JSON.stringify(bank.audit)).not.toContain('000123456789');
    expect((await bank.getInstruction('A0001'))?.accountNumber).toBe('000123456789');
  });

  it('cancels once and erases the full number', async () => {
    const { deps, bank } = setup();
    await enrollAutopay(deps, 'casey', { accountId: 'A0001', ...bankAccount });
    await expect(cancelMyAutopay(deps, { customerId: 'C2' }, 'A0001')).rejects.toThrow(Forbidden);
    expect((await cancelMyAutopay(deps, { customerId: 'C1' }, 'A0001')).autopay.status).toBe('CANCELLED');
    expect((await bank.getInstruction('A0001'))?.accountNumber).toBe('');
    await expect(cancelMyAutopay(deps, { customerId: 'C1' }, 'A0001')).rejects.toThrow(AutopayNotEnrolled);
  });
});

describe('autopay runs', () => {
  it('debit enrolled accounts with a bill due that day for what they owe, and a rerun posts nothing twice', async () => {
    const { deps, ledger, bank, bill } = setup();
    bill('B1', 'A0001', '100.00', DEBIT_DAY);
    bill('B0', 'A0001', '10.00', '2026-02-20');
    bill('B2', 'A0002', '50.00', '2026-03-09');
    await enrollAutopay(deps, 'casey', { accountId: 'A0001', ...bankAccount });
    await enrollAutopay(deps, 'casey', { accountId: 'A0002', ...bankAccount, accountType: 'savings' });
    const first = await runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' });
    expect(first.entries).toEqual([{ accountId: 'A0001', paymentId: autopayPaymentId('A0001', DEBIT_DAY), amount: '110.00', traceNumber: '121042880000001', status: 'posted' }]);
    const payment = ledger.payments.get(autopayPaymentId('A0001', DEBIT_DAY))!;
    expect(payment).toMatchObject({ channel: 'AUTOPAY', method: 'BANK', status: 'POSTED', traceNumber: '121042880000001', debitDate: DEBIT_DAY });
    expect(await ledger.paymentIdByTrace('121042880000001')).toBe(payment.paymentId);
    const read = readNachaFile(first.text!);
    expect(read.batches[0]!.entries.map((e) => [e.transactionCode, e.accountNumber, e.amount, e.individualId, e.traceNumber])).toEqual([['27', '000123456789', '110.00', 'A0001', '121042880000001']]);
    expect(accountBalance(await ledger.listEntries('A0001'), DEBIT_DAY).balance).toBe('0.00');

    const again = await runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' });
    expect(again.entries.map((e) => e.status)).toEqual(['already-posted']);
    expect(readNachaFile(again.text!).batches[0]!.entries.map((e) => e.traceNumber)).toEqual(['121042880000001']);
    expect([...ledger.payments.values()]).toHaveLength(1);
    expect(bank.files.get(DEBIT_DAY)?.generation).toBe(2);
  });

  it('two runs of the same day at once post each debit once and both files carry it', async () => {
    const { deps, ledger, bill } = setup();
    bill('B1', 'A0001', '100.00', DEBIT_DAY);
    await enrollAutopay(deps, 'casey', { accountId: 'A0001', ...bankAccount });
    const [a, b] = await Promise.all([runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' }), runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' })]);
    expect([...ledger.payments.values()]).toHaveLength(1);
    expect([a, b].flatMap((r) => r.entries.map((e) => e.status)).sort()).toEqual(['already-posted', 'posted']);
    expect(readNachaFile(a.text!).batches[0]!.entries[0]!.traceNumber).toBe(readNachaFile(b.text!).batches[0]!.entries[0]!.traceNumber);
  });

  it('take a fresh trace number when the sequence comes round to one still held', async () => {
    const { deps, ledger, bill } = setup();
    bill('B1', 'A0001', '100.00', DEBIT_DAY);
    await enrollAutopay(deps, 'casey', { accountId: 'A0001', ...bankAccount });
    ledger.traces.set('121042880000001', 'P-OLD');
    const run = await runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' });
    expect(run.entries).toEqual([expect.objectContaining({ traceNumber: '121042880000002', status: 'posted' })]);
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT')).toHaveLength(1);
  });

  it('refuse a past debit day and answer 503 without ACH settings', async () => {
    const { deps } = setup();
    await expect(runAutopay(deps, { debitDate: '2026-02-01', actor: 'bill' })).rejects.toThrow(/before today/);
    await expect(runAutopay({ ...deps, achOriginator: undefined }, { debitDate: DEBIT_DAY, actor: 'bill' })).rejects.toThrow(/not configured/);
  });
});

describe('NACHA returns imports', () => {
  it('return the autopay payment matched by trace number with the fee, once', async () => {
    const { deps, ledger, bill } = setup();
    bill('B1', 'A0001', '100.00', DEBIT_DAY);
    await enrollAutopay(deps, 'casey', { accountId: 'A0001', ...bankAccount });
    const run = await runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' });
    const file = nachaReturnsFile([
      { originalTrace: run.entries[0]!.traceNumber, amount: '100.00', accountId: 'A0001', returnCode: 'R01' },
      { originalTrace: '121042889999999', amount: '5.00', accountId: 'A0009', returnCode: 'R03' },
    ]);
    const report = await importPaymentFile(deps, { format: 'nacha-returns', content: file, actor: 'bill' });
    expect(report).toMatchObject({ status: 'IMPORTED', returned: [{ returnCode: 'R01', reason: 'Insufficient funds', amount: '100.00', accountId: 'A0001' }], returnsNotApplied: [{ returnCode: 'R03', why: expect.stringContaining('no autopay payment') }] });
    expect(ledger.payments.get(run.entries[0]!.paymentId)).toMatchObject({ status: 'RETURNED', returnReason: 'R01 Insufficient funds' });
    expect(accountBalance(await ledger.listEntries('A0001'), DEBIT_DAY).balance).toBe('125.00');
    const again = await importPaymentFile(deps, { format: 'nacha-returns', content: file, actor: 'bill' });
    expect(again.returned).toEqual([]);
    expect(again.returnsNotApplied[0]).toMatchObject({ why: expect.stringContaining('returned already') });
    expect(accountBalance(await ledger.listEntries('A0001'), DEBIT_DAY).balance).toBe('125.00');
  });

  it('a return for another amount or account is left to staff', async () => {
    const { deps, ledger, bill } = setup();
    bill('B1', 'A0001', '100.00', DEBIT_DAY);
    await enrollAutopay(deps, 'casey', { accountId: 'A0001', ...bankAccount });
    const run = await runAutopay(deps, { debitDate: DEBIT_DAY, actor: 'bill' });
    const report = await importPaymentFile(deps, { format: 'nacha-returns', content: nachaReturnsFile([{ originalTrace: run.entries[0]!.traceNumber, amount: '99.00', accountId: 'A0001', returnCode: 'R01' }]), actor: 'bill' });
    expect(report.returned).toEqual([]);
    const otherAccount = await importPaymentFile(deps, { format: 'nacha-returns', content: nachaReturnsFile([{ originalTrace: run.entries[0]!.traceNumber, amount: '100.00', accountId: 'A0002', returnCode: 'R01' }]), actor: 'bill' });
    expect(otherAccount.returnsNotApplied).toEqual([expect.objectContaining({ why: expect.stringContaining('names account A0002') })]);
    expect(ledger.payments.get(run.entries[0]!.paymentId)?.status).toBe('POSTED');
  });
});

describe('BAI2 and lockbox imports', () => {
  const bai2 = readFileSync(path.join(FIXTURES, 'bank-2026-03-04.bai2'), 'utf8');
  const lockbox = readFileSync(path.join(FIXTURES, 'lockbox-2026-03-04.csv'), 'utf8');

  it('post the credits of a BAI2 file, keep unknown accounts in suspense, and post nothing the second time', async () => {
    const { deps, ledger, bank } = setup();
    const first = await importPaymentFile(deps, { format: 'bai2', content: bai2, actor: 'bill' });
    expect(first.posted.map((p) => [p.line, p.accountId, p.amount])).toEqual([
      [4, 'A0001', '125.50'],
      [5, 'A0002', '40.00'],
      [8, 'A0001', '30.00'],
    ]);
    expect(first.suspense).toEqual([{ line: 6, accountId: 'ZZ9999', amount: '25.00', reference: 'MISC9', reason: 'no account ZZ9999' }]);
    expect(first.skipped).toEqual([{ line: 7, reason: 'type code 475 is a debit' }]);
    expect(first.totals).toEqual({ posted: '195.50', duplicates: '0.00', suspense: '25.00', returned: '0.00' });
    expect(first.controlTotals).toEqual({ expected: { amount: '10920.50', count: 12 }, found: { amount: '10920.50', count: 12 } });
    const second = await importPaymentFile(deps, { format: 'bai2', content: bai2.replace(/\n/g, '\r\n'), actor: 'bill' });
    expect(second.fileId).toBe(first.fileId);
    expect(second.posted).toEqual([]);
    expect(second.duplicates.map((d) => d.line)).toEqual([4, 5, 8]);
    expect([...ledger.payments.values()]).toHaveLength(3);
    expect(bank.suspense.size).toBe(1);
    expect(bank.reports.get(first.fileId)).toEqual(first);
    expect(bank.audit.map((a) => a.action)).toEqual(['payment-file.imported', 'payment-file.imported']);
  });

  it('keep a credit whose customer reference is not an account id in suspense', async () => {
    const { deps, ledger } = setup();
    const hostile = bai2.replace('16,301,4000,Z,DEP778,A0002/', `16,301,4000,Z,DEP778,${'A#'.repeat(600)}/`);
    const report = await importPaymentFile(deps, { format: 'bai2', content: hostile, actor: 'bill' });
    expect(report.suspense.map((s) => [s.line, s.reason])).toEqual([
      [5, expect.stringContaining('no account')],
      [6, 'no account ZZ9999'],
    ]);
    expect(ledger.payments.size).toBe(2);
  });

  it('post a lockbox file once when it is imported twice at once', async () => {
    const { deps, ledger } = setup();
    const [a, b] = await Promise.all([importPaymentFile(deps, { format: 'lockbox', content: lockbox, actor: 'bill' }), importPaymentFile(deps, { format: 'lockbox', content: lockbox, actor: 'bill' })]);
    expect([...ledger.payments.values()].map((p) => [p.accountId, p.amount, p.method, p.reference]).sort()).toEqual([
      ['A0001', '45.10', 'CHECK', '1001'],
      ['A0002', '20.00', 'CHECK', '1002'],
    ]);
    expect(a.posted.length + b.posted.length).toBe(2);
    expect(a.duplicates.length + b.duplicates.length).toBe(2);
  });

  it('report a check already posted from another file as a duplicate', async () => {
    const { deps, ledger } = setup();
    await importPaymentFile(deps, { format: 'lockbox', content: lockbox, actor: 'bill' });
    const resent = 'accountId,amount,checkNumber,date\nA0001,45.10,1001,2026-03-05\n';
    const report = await importPaymentFile(deps, { format: 'lockbox', content: resent, actor: 'bill' });
    expect(report.posted).toEqual([]);
    expect(report.duplicates).toHaveLength(1);
    expect([...ledger.payments.values()]).toHaveLength(2);
  });

  it('reject a file that fails its control totals and post nothing of it', async () => {
    const { deps, ledger, bank } = setup();
    const report = await importPaymentFile(deps, { format: 'bai2', content: bai2.replace('49,1092050,8/', '49,1092051,8/'), actor: 'bill' });
    expect(report.status).toBe('REJECTED');
    expect(report.rejected).toContainEqual(expect.objectContaining({ line: 10, field: 'account control total' }));
    expect(ledger.payments.size).toBe(0);
    expect(bank.suspense.size).toBe(0);
    expect(bank.audit.map((a) => a.action)).toEqual(['payment-file.rejected']);
  });
});

describe('bounded reports', () => {
  it('list at most the given lines of each kind, say so, and keep the totals', async () => {
    const { deps, bank } = setup();
    const lines = Array.from({ length: 7 }, (_, i) => `A0001,1.0${i},${2000 + i},2026-03-04`);
    const report = await importPaymentFile(deps, { format: 'lockbox', content: `accountId,amount,checkNumber,date\n${lines.join('\n')}\n`, actor: 'bill' });
    expect(report.posted).toHaveLength(7);
    const bounded = boundedReport(report, 3);
    expect(bounded.posted).toHaveLength(3);
    expect(bounded.truncated).toEqual({ listedPerKind: 3, lines: 7 });
    expect(bounded.totals).toEqual(report.totals);
    expect(boundedReport(report)).toBe(report);
    expect(bank.reports.get(report.fileId)?.posted).toHaveLength(7);
  });
});

describe('suspense', () => {
  const lockbox = readFileSync(path.join(FIXTURES, 'lockbox-2026-03-04.csv'), 'utf8');

  it('applies a credit to an account once (the same account again answers the same), audited; another account is 409', async () => {
    const { deps, ledger, bank } = setup();
    const report = await importPaymentFile(deps, { format: 'lockbox', content: lockbox, actor: 'bill' });
    const open = await listSuspense(deps, { status: 'OPEN', limit: 10 });
    expect(open.items.map((s) => [s.ref, s.accountId, s.amount, s.source])).toEqual([['L4', 'X9999', '15.00', 'lockbox']]);
    await expect(applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L4', accountId: 'A9999' })).rejects.toThrow(AccountNotFound);
    await expect(applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L9', accountId: 'A0003' })).rejects.toThrow(SuspenseNotFound);
    const applied = await applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L4', accountId: 'A0003' });
    expect(applied.suspense).toMatchObject({ status: 'APPLIED', appliedTo: 'A0003', appliedBy: 'bill' });
    expect(applied.payment).toMatchObject({ accountId: 'A0003', amount: '15.00', method: 'CHECK', channel: 'BANK_FILE', reference: '1003' });
    expect(await applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L4', accountId: 'A0003' })).toEqual(applied);
    await expect(applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L4', accountId: 'A0001' })).rejects.toThrow(SuspenseAlreadyApplied);
    expect([...ledger.payments.values()].filter((p) => p.accountId === 'A0003')).toHaveLength(1);
    expect((await listSuspense(deps, { status: 'OPEN', limit: 10 })).items).toEqual([]);
    expect(bank.audit.map((a) => a.action)).toContain('suspense.applied');
    // The file imported again keeps the credit applied (not a new suspense item) and posts nothing.
    const again = await importPaymentFile(deps, { format: 'lockbox', content: lockbox, actor: 'bill' });
    expect(again.posted).toEqual([]);
    expect((await bank.getSuspense(report.fileId, 'L4'))?.status).toBe('APPLIED');
  });

  it('two applications at once post one payment', async () => {
    const { deps, ledger } = setup();
    const report = await importPaymentFile(deps, { format: 'lockbox', content: lockbox, actor: 'bill' });
    const outcomes = await Promise.allSettled([applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L4', accountId: 'A0003' }), applySuspense(deps, 'bill', { fileId: report.fileId, ref: 'L4', accountId: 'A0002' })]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect([...ledger.payments.values()].filter((p) => p.amount === '15.00')).toHaveLength(1);
  });
});
