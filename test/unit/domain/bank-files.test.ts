/** Bank files: the NACHA PPD writer (golden file), the strict NACHA, BAI2 and lockbox readers, and hostile files. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { abaCheckDigit, isValidRoutingNumber, newDebitInstruction, enrollmentView } from '../../../shared/domain/autopay';
import { bai2Credits, readBai2 } from '../../../shared/domain/bai2';
import { readLockbox } from '../../../shared/domain/lockbox';
import { fileIdModifierFor, nachaReturns, readNachaFile, writeNachaPpdDebits, type NachaFileSpec } from '../../../shared/domain/nacha';
import { amountToCents, centsToAmount, paymentFileId, PaymentFileRejected } from '../../../shared/domain/payment-files';

const FIXTURES = path.resolve(__dirname, '../../fixtures/payments');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const ORIGINATOR: NachaFileSpec['originator'] = { immediateDestination: '121042882', immediateDestinationName: 'Wells Fargo Bank', immediateOrigin: '1234567890', immediateOriginName: 'Open CIS Utility', companyId: '1234567890', companyName: 'OPEN CIS UTILITY', originatingDfi: '12104288', entryDescription: 'UTILITYPMT' };
const SPEC: NachaFileSpec = {
  originator: ORIGINATOR,
  effectiveDate: '2026-03-02',
  createdAt: '2026-02-27T15:04:00.000Z',
  fileIdModifier: 'A',
  entries: [
    { routingNumber: '231380104', accountNumber: '12345678', accountType: 'checking', amount: '100.00', individualId: 'A0001', individualName: 'Jane Doe', traceNumber: '121042880000001' },
    { routingNumber: '091400606', accountNumber: '998877665544', accountType: 'savings', amount: '42.17', individualId: 'A0002', individualName: 'Rafael Nuñez-Long-Name-Over', traceNumber: '121042880000002' },
  ],
};

/** Whatever a test expects to be refused: the problems listed, each with its line and field. */
function problemsOf(run: () => unknown): Array<{ line: number; field: string; message: string }> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PaymentFileRejected);
    return [...(error as PaymentFileRejected).problems];
  }
  throw new Error('the file was accepted');
}

function replaceRecord(text: string, index: number, record: string): string {
  const lines = text.split(/\r?\n/);
  lines[index] = record;
  return lines.join('\n');
}

describe('routing numbers', () => {
  it.each([
    ['231380104', true],
    ['121042882', true],
    ['091400606', true],
    ['121042883', false],
    ['000000000', false],
    ['12104288', false],
    ['12104288a', false],
  ])('%s valid: %s', (value, valid) => {
    expect(isValidRoutingNumber(value)).toBe(valid);
  });

  it('computes the check digit from the first eight digits', () => {
    expect(abaCheckDigit('23138010')).toBe(4);
    expect(abaCheckDigit('12104288')).toBe(2);
  });

  it('enrollments refuse a bad check digit or account number, and their view has the last four only', () => {
    const base = { accountId: 'A1', routingNumber: '231380104', accountNumber: '000123456789', accountType: 'checking' as const, accountHolder: 'Jane Doe', at: '2026-01-01T00:00:00.000Z', actor: 'customer:C1' };
    expect(() => newDebitInstruction({ ...base, routingNumber: '231380105' })).toThrow(/routingNumber/);
    expect(() => newDebitInstruction({ ...base, accountNumber: '12 34' })).toThrow(/accountNumber/);
    const view = enrollmentView(newDebitInstruction(base));
    expect(view).toMatchObject({ accountLast4: '6789', routingNumber: '231380104' });
    expect(JSON.stringify(view)).not.toContain('000123456789');
  });
});

describe('the NACHA PPD writer', () => {
  it('writes the golden file: 94-character records, entry hash, totals, block count and 9-padding', () => {
    const file = writeNachaPpdDebits(SPEC);
    expect(file.text).toBe(fixture('autopay-ppd-2026-03-02.ach'));
    expect(file).toMatchObject({ entryCount: 2, totalDebit: '142.17', entryHash: '0032278070', blockCount: 1 });
    const records = file.text.trimEnd().split('\n');
    expect(records).toHaveLength(10);
    expect(records.every((r) => r.length === 94)).toBe(true);
    // Entry detail positions: code 2-3, RDFI 4-11, check digit 12, account 13-29, amount 30-39, id 40-54, trace 80-94.
    const entry = records[2]!;
    expect([entry.slice(1, 3), entry.slice(3, 11), entry[11], entry.slice(12, 29).trim(), entry.slice(29, 39), entry.slice(39, 54).trim(), entry.slice(79)]).toEqual(['27', '23138010', '4', '12345678', '0000010000', 'A0001', '121042880000001']);
    expect(records[3]!.slice(1, 3)).toBe('37');
    // Batch header: service class 225 (debits), PPD, UTILITYPMT, effective date 260302.
    expect([records[1]!.slice(1, 4), records[1]!.slice(50, 53), records[1]!.slice(53, 63), records[1]!.slice(69, 75)]).toEqual(['225', 'PPD', 'UTILITYPMT', '260302']);
  });

  it('reads back what it writes with the same totals', () => {
    const read = readNachaFile(writeNachaPpdDebits(SPEC).text);
    expect(read.batches[0]!.entries.map((e) => [e.traceNumber, e.amount, e.individualId])).toEqual([
      ['121042880000001', '100.00', 'A0001'],
      ['121042880000002', '42.17', 'A0002'],
    ]);
    expect(read.control).toMatchObject({ totalDebit: '142.17', entryHash: '0032278070', blockCount: 1, batchCount: 1, entryAddendaCount: 2 });
  });

  it('pads eleven records to two blocks', () => {
    const entries = Array.from({ length: 7 }, (_, i) => ({ ...SPEC.entries[0]!, traceNumber: `12104288000001${i}` }));
    const file = writeNachaPpdDebits({ ...SPEC, entries });
    expect(file.blockCount).toBe(2);
    expect(file.text.trimEnd().split('\n')).toHaveLength(20);
    expect(readNachaFile(file.text).control.blockCount).toBe(2);
  });

  it('gives each debit day its own file id modifier, the same for the same day', () => {
    const days = Array.from({ length: 36 }, (_, i) => new Date(Date.UTC(2026, 2, 1 + i)).toISOString().slice(0, 10));
    expect(new Set(days.map(fileIdModifierFor)).size).toBe(36);
    expect(fileIdModifierFor('2026-03-02')).toBe(fileIdModifierFor('2026-03-02'));
    expect(fileIdModifierFor('2026-03-02')).toMatch(/^[A-Z0-9]$/);
  });

  it('refuses a bad routing number, a duplicate trace, a zero or too large amount', () => {
    expect(() => writeNachaPpdDebits({ ...SPEC, entries: [{ ...SPEC.entries[0]!, routingNumber: '231380105' }] })).toThrow(/check digit/);
    expect(() => writeNachaPpdDebits({ ...SPEC, entries: [SPEC.entries[0]!, SPEC.entries[0]!] })).toThrow(/used twice/);
    expect(() => writeNachaPpdDebits({ ...SPEC, entries: [{ ...SPEC.entries[0]!, amount: '0.00' }] })).toThrow(/amount/);
    expect(() => writeNachaPpdDebits({ ...SPEC, entries: [{ ...SPEC.entries[0]!, amount: '100000000.00' }] })).toThrow(/amount/);
  });
});

describe('NACHA returns files', () => {
  const returns = fixture('returns-r01-r62.ach');

  it('reads the returns with their reason codes and original trace numbers; a dishonored return is left to staff', () => {
    const { returns: found, skipped } = nachaReturns(readNachaFile(returns));
    expect(found).toEqual([{ line: 3, originalTrace: '121042880000001', returnCode: 'R01', reason: 'Insufficient funds', amount: '100.00', individualId: 'A0001', traceNumber: '231380100000077' }]);
    expect(skipped).toEqual([{ line: 5, reason: expect.stringContaining('R62') }]);
  });

  it.each<[string, (text: string) => string, { line: number; field: string }]>([
    ['a wrong batch debit total', (t) => replaceRecord(t, 6, t.split(/\r?\n/)[6]!.slice(0, 20) + '000000014218' + t.split(/\r?\n/)[6]!.slice(32)), { line: 7, field: 'total debit entry dollar amount' }],
    ['a wrong file entry hash', (t) => replaceRecord(t, 7, t.split(/\r?\n/)[7]!.slice(0, 21) + '0024208577' + t.split(/\r?\n/)[7]!.slice(31)), { line: 8, field: 'entry hash' }],
    ['a short record', (t) => replaceRecord(t, 2, t.split(/\r?\n/)[2]!.slice(0, 93)), { line: 3, field: 'record length' }],
    ['a bad routing check digit', (t) => replaceRecord(t, 2, t.split(/\r?\n/)[2]!.slice(0, 11) + '3' + t.split(/\r?\n/)[2]!.slice(12)), { line: 3, field: 'check digit' }],
    ['an unknown record type', (t) => replaceRecord(t, 3, '4' + t.split(/\r?\n/)[3]!.slice(1)), { line: 4, field: 'record type' }],
    ['a negative amount', (t) => replaceRecord(t, 2, t.split(/\r?\n/)[2]!.slice(0, 29) + '-000010000' + t.split(/\r?\n/)[2]!.slice(39)), { line: 3, field: 'amount' }],
    ['a decimal amount', (t) => replaceRecord(t, 2, t.split(/\r?\n/)[2]!.slice(0, 29) + '0000100.00' + t.split(/\r?\n/)[2]!.slice(39)), { line: 3, field: 'amount' }],
    ['an unknown return reason', (t) => replaceRecord(t, 3, t.split(/\r?\n/)[3]!.slice(0, 3) + 'R99' + t.split(/\r?\n/)[3]!.slice(6)), { line: 4, field: 'return reason code' }],
    ['a truncated file', (t) => t.split(/\r?\n/).slice(0, 6).join('\n'), { line: 6, field: 'batch control' }],
  ])('rejects %s, naming the line and field', (_name, mutate, expected) => {
    const problems = problemsOf(() => readNachaFile(mutate(returns)));
    expect(problems).toContainEqual(expect.objectContaining(expected));
  });

  it('rejects an empty file and a file without padding', () => {
    expect(problemsOf(() => readNachaFile(''))).toEqual([expect.objectContaining({ field: 'file' })]);
    const unpadded = returns.split(/\r?\n/).slice(0, 8).join('\n');
    expect(problemsOf(() => readNachaFile(unpadded))).toContainEqual(expect.objectContaining({ line: 8, field: 'padding' }));
  });
});

describe('BAI2 files', () => {
  const bai2 = fixture('bank-2026-03-04.bai2');

  it('reads the credits to post (type codes 115, 169, 301, 399) and reports the rest', () => {
    const file = readBai2(bai2);
    expect(file).toMatchObject({ senderId: '121042882', fileId: '1', createdOn: '2026-03-05' });
    const { credits, skipped } = bai2Credits(file);
    expect(credits.map((c) => [c.line, c.accountId, c.amount, c.source, c.reference])).toEqual([
      [4, 'A0001', '125.50', 'bai2:115', 'LBX0001'],
      [5, 'A0002', '40.00', 'bai2:301', 'DEP778'],
      [6, 'ZZ9999', '25.00', 'bai2:399', 'MISC9'],
      [8, 'A0001', '30.00', 'bai2:169', 'ACH55'],
    ]);
    expect(skipped).toEqual([{ line: 7, reason: 'type code 475 is a debit' }]);
    expect(file.controlTotals).toEqual({ expected: { amount: '10920.50', count: 12 }, found: { amount: '10920.50', count: 12 } });
  });

  it.each<[string, (text: string) => string, { line: number; field: string }]>([
    ['a wrong account control total', (t) => t.replace('49,1092050,8/', '49,1092051,8/'), { line: 10, field: 'account control total' }],
    ['a wrong account record count', (t) => t.replace('49,1092050,8/', '49,1092050,7/'), { line: 10, field: 'number of records' }],
    ['a wrong group total', (t) => t.replace('98,1092050,1,10/', '98,1092000,1,10/'), { line: 11, field: 'group control total' }],
    ['a wrong file record count', (t) => t.replace('99,1092050,1,12/', '99,1092050,1,11/'), { line: 12, field: 'number of records' }],
    ['an amount with a decimal point', (t) => t.replace('16,301,4000,', '16,301,40.00,'), { line: 5, field: 'amount' }],
    ['a negative detail amount', (t) => t.replace('16,301,4000,', '16,301,-4000,'), { line: 5, field: 'amount' }],
    ['an unknown record type', (t) => t.replace('16,301,4000,', '17,301,4000,'), { line: 5, field: 'record type' }],
    ['a record without its "/"', (t) => t.replace('98,1092050,1,10/', '98,1092050,1,10'), { line: 11, field: 'record end' }],
    ['a truncated file', (t) => t.split('\n').slice(0, 10).join('\n'), { line: 10, field: 'file trailer' }],
    ['an unknown funds type', (t) => t.replace('16,301,4000,Z,', '16,301,4000,Q,'), { line: 5, field: 'funds type' }],
    ['a version other than 2', (t) => t.replace(',,,2/', ',,,3/'), { line: 1, field: 'version number' }],
  ])('rejects %s, naming the line and field', (_name, mutate, expected) => {
    const mutated = mutate(bai2);
    expect(mutated).not.toBe(bai2);
    expect(problemsOf(() => readBai2(mutated))).toContainEqual(expect.objectContaining(expected));
  });
});

describe('lockbox files', () => {
  const lockbox = fixture('lockbox-2026-03-04.csv');

  it('reads each check with its account, amount, check number and date, and checks the TOTAL line', () => {
    const { credits, controlTotals } = readLockbox(lockbox);
    expect(credits.map((c) => [c.line, c.accountId, c.amount, c.reference, c.date])).toEqual([
      [2, 'A0001', '45.10', '1001', '2026-03-04'],
      [3, 'A0002', '20.00', '1002', '2026-03-04'],
      [4, 'X9999', '15.00', '1003', '2026-03-04'],
    ]);
    expect(controlTotals).toEqual({ expected: { amount: '80.10', count: 3 }, found: { amount: '80.10', count: 3 } });
  });

  it.each<[string, (text: string) => string, { line: number; field: string }]>([
    ['a wrong TOTAL', (t) => t.replace('TOTAL,80.10,3', 'TOTAL,80.11,3'), { line: 5, field: 'TOTAL' }],
    ['an amount with 3 decimals', (t) => t.replace('45.10', '45.105'), { line: 2, field: 'amount' }],
    ['a negative amount', (t) => t.replace('20.00', '-20.00'), { line: 3, field: 'amount' }],
    ['a zero amount', (t) => t.replace('20.00', '0.00'), { line: 3, field: 'amount' }],
    ['an exponent', (t) => t.replace('20.00', '2e1'), { line: 3, field: 'amount' }],
    ['an impossible date', (t) => t.replace('1002,2026-03-04', '1002,2026-02-30'), { line: 3, field: 'date' }],
    ['a missing column', (t) => t.replace('A0002,20.00,1002,2026-03-04', 'A0002,20.00,2026-03-04'), { line: 3, field: 'columns' }],
    ['another header', (t) => t.replace('accountId,amount', 'account,amount'), { line: 1, field: 'header' }],
    ['an unclosed quote', (t) => t.replace('A0002,20.00', '"A0002,20.00'), { line: 3, field: 'quotes' }],
    ['lines after the TOTAL line', (t) => `${t}A0001,1.00,9,2026-03-04\n`, { line: 6, field: 'record' }],
  ])('rejects %s, naming the line and field', (_name, mutate, expected) => {
    const mutated = mutate(lockbox);
    expect(mutated).not.toBe(lockbox);
    expect(problemsOf(() => readLockbox(mutated))).toContainEqual(expect.objectContaining(expected));
  });
});

describe('file ids and cents', () => {
  it('give the same id whatever the line ends, another id for another file', () => {
    const text = fixture('lockbox-2026-03-04.csv');
    expect(paymentFileId('lockbox', text)).toBe(paymentFileId('lockbox', text.replace(/\r\n/g, '\n')));
    expect(paymentFileId('lockbox', text)).not.toBe(paymentFileId('lockbox', text.replace('45.10', '45.11')));
  });

  it('convert cents exactly', () => {
    expect(centsToAmount(123456789012345n)).toBe('1234567890123.45');
    expect(centsToAmount(-5n)).toBe('-0.05');
    expect(amountToCents('12.5')).toBe(1250n);
    expect(amountToCents('0.07')).toBe(7n);
  });
});

describe('hostile bytes', () => {
  const readers: Array<[string, string, (text: string) => unknown]> = [
    ['nacha', 'returns-r01-r62.ach', (t) => nachaReturns(readNachaFile(t))],
    ['bai2', 'bank-2026-03-04.bai2', (t) => bai2Credits(readBai2(t))],
    ['lockbox', 'lockbox-2026-03-04.csv', (t) => readLockbox(t)],
  ];

  it.each(readers)('%s: every one-character change and every truncation is read or rejected with its problems, never a crash', (_name, file, read) => {
    const text = fixture(file);
    const outcomes = { read: 0, rejected: 0 };
    const attempt = (candidate: string) => {
      try {
        read(candidate);
        outcomes.read += 1;
      } catch (error) {
        if (!(error instanceof PaymentFileRejected)) throw new Error(`${JSON.stringify(candidate.slice(0, 40))}...: ${String(error)}`);
        expect(error.problems.length).toBeGreaterThan(0);
        outcomes.rejected += 1;
      }
    };
    for (let at = 0; at < text.length; at++) for (const char of ['9', '-', '.', ',', '/', 'x', '\n']) attempt(text.slice(0, at) + char + text.slice(at + 1));
    for (let length = 0; length < text.length; length++) attempt(text.slice(0, length));
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.read).toBeGreaterThan(0);
  });
});
