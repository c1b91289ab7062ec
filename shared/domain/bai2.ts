/**
 * BAI2 cash management balance reporting files (Bank Administration Institute, version 2), read
 * strictly: 01 file header, 02 group header, 03 account identifier with its summaries, 16
 * transaction detail, 88 continuation, 49 account trailer, 98 group trailer, 99 file trailer.
 * Fields are separated by commas and records end with "/" (a 16 record's text runs to the end of
 * the record). Amounts are whole cents without a decimal point (trailers and summaries may carry a
 * sign). Control totals and record counts are checked for every account, group and the file;
 * any problem rejects the whole file.
 *
 * Credits posted as payments (detail type codes): 115 lockbox deposit, 165 preauthorized ACH
 * credit, 169 miscellaneous ACH credit, 195 incoming money transfer, 301 commercial deposit,
 * 399 miscellaneous credit. The customer reference number of the 16 record names the utility
 * account. Other records (summaries, debits 400-699, other credits) are reported, not posted.
 */
import { isCalendarDate } from './calendar';
import { centsToAmount, fileLines, ProblemList, type ControlTotals, type FileCredit, type SkippedRecord } from './payment-files';

export const POSTED_CREDIT_TYPE_CODES: Readonly<Record<string, string>> = {
  '115': 'Lockbox deposit',
  '165': 'Preauthorized ACH credit',
  '169': 'Miscellaneous ACH credit',
  '195': 'Incoming money transfer',
  '301': 'Commercial deposit',
  '399': 'Miscellaneous credit',
};

/** A logical record: its type, fields, and the physical lines it spans (itself and its 88s). */
interface LogicalRecord {
  line: number;
  lines: number;
  type: string;
  text: string;
}

export interface Bai2Detail {
  line: number;
  typeCode: string;
  cents: bigint;
  fundsType: string;
  bankReference: string;
  customerReference: string;
  text: string;
}

export interface Bai2Account {
  line: number;
  accountNumber: string;
  currency: string;
  details: Bai2Detail[];
}

export interface Bai2File {
  senderId: string;
  receiverId: string;
  createdOn: string;
  fileId: string;
  groups: Array<{ line: number; asOfDate: string; accounts: Bai2Account[] }>;
  controlTotals: ControlTotals;
}

const RECORD_TYPES = new Set(['01', '02', '03', '16', '88', '49', '98', '99']);

function yymmddToDate(value: string): string | undefined {
  if (!/^\d{6}$/.test(value)) return undefined;
  const day = `20${value.slice(0, 2)}-${value.slice(2, 4)}-${value.slice(4, 6)}`;
  return isCalendarDate(day) ? day : undefined;
}

/** Joins 88 continuation records onto the record they continue. */
function logicalRecords(lines: string[], problems: ProblemList): LogicalRecord[] {
  const records: LogicalRecord[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.replace(/\s+$/, '');
    if (text === '') {
      problems.add(line, 'record', 'an empty line');
      return;
    }
    if (/[^\x20-\x7e]/.test(text)) problems.add(line, 'characters', 'the record has characters outside printable ASCII');
    const type = text.slice(0, 2);
    if (!RECORD_TYPES.has(type) || text[2] !== ',') {
      problems.add(line, 'record type', `unknown record type ${JSON.stringify(text.split(',')[0])} (expected 01, 02, 03, 16, 88, 49, 98 or 99)`);
      return;
    }
    if (type === '88') {
      const previous = records.at(-1);
      if (!previous) {
        problems.add(line, 'record type', 'a continuation record (88) with nothing to continue');
        return;
      }
      // The continued record's "/" (if it ended one) gives way to the continuation's fields.
      const base = previous.text.replace(/\/$/, '');
      previous.text = base.endsWith(',') ? `${base}${text.slice(3)}` : `${base},${text.slice(3)}`;
      previous.lines += 1;
      return;
    }
    records.push({ line, lines: 1, type, text });
  });
  return records;
}

/** The fields of a record that must end with "/". */
function slashFields(record: LogicalRecord, problems: ProblemList): string[] {
  if (!record.text.endsWith('/')) problems.add(record.line, 'record end', `a ${record.type} record must end with "/"`);
  return record.text.replace(/\/$/, '').split(',');
}

/**
 * An amount: digits (whole cents), a sign only where `signed`; blank when `optional`.
 * Returns undefined (and records a problem) when it is malformed.
 */
function amountField(value: string | undefined, line: number, name: string, problems: ProblemList, options: { signed: boolean; optional: boolean }): bigint | undefined {
  const text = value ?? '';
  if (text === '') {
    if (!options.optional) problems.add(line, name, 'is required');
    return options.optional ? 0n : undefined;
  }
  if (text.includes('.')) {
    problems.add(line, name, `must be whole cents without a decimal point, got ${JSON.stringify(text)}`);
    return undefined;
  }
  const pattern = options.signed ? /^[+-]?\d{1,18}$/ : /^\d{1,18}$/;
  if (!pattern.test(text)) {
    problems.add(line, name, `must be ${options.signed ? 'a signed ' : ''}whole number of cents, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return BigInt(text);
}

function countField(value: string | undefined, line: number, name: string, problems: ProblemList): number | undefined {
  if (!value || !/^\d{1,9}$/.test(value)) {
    problems.add(line, name, `must be a whole number, got ${JSON.stringify(value ?? '')}`);
    return undefined;
  }
  return Number(value);
}

/** How many fields follow the funds type of a 16 record (availability detail). */
function fundsTypeExtra(fields: string[], at: number, line: number, problems: ProblemList): number | undefined {
  const fundsType = fields[at] ?? '';
  switch (fundsType) {
    case '':
    case 'Z':
    case '0':
    case '1':
    case '2':
      return 0;
    case 'S':
      return 3;
    case 'V':
      return 2;
    case 'D': {
      const count = fields[at + 1] ?? '';
      if (!/^\d{1,3}$/.test(count)) {
        problems.add(line, 'funds type', `D availability needs a count of distributions, got ${JSON.stringify(count)}`);
        return undefined;
      }
      return 1 + 2 * Number(count);
    }
    default:
      problems.add(line, 'funds type', `unknown funds type ${JSON.stringify(fundsType)} (expected Z, 0, 1, 2, S, V or D)`);
      return undefined;
  }
}

export function readBai2(content: string): Bai2File {
  const problems = new ProblemList('bai2');
  const lines = fileLines(content);
  if (lines.length === 0) {
    problems.add(0, 'file', 'the file is empty');
    problems.throwIfAny();
  }
  const records = logicalRecords(lines, problems);
  const file: Bai2File = { senderId: '', receiverId: '', createdOn: '', fileId: '', groups: [], controlTotals: { expected: null, found: { amount: '0.00', count: 0 } } };
  type Open = { line: number; total: bigint; records: number };
  let fileState: (Open & { groups: number }) | undefined;
  let group: (Open & { accounts: number; asOfDate: string; list: Bai2Account[] }) | undefined;
  let account: (Open & { value: Bai2Account }) | undefined;
  let fileTotal = 0n;
  let closed = false;
  let expectedFileTotal: bigint | undefined;

  for (const record of records) {
    const { line } = record;
    if (closed) {
      problems.add(line, 'record type', 'records after the file trailer (99)');
      break;
    }
    if (!fileState && record.type !== '01') {
      problems.add(line, 'record type', `the file must start with a file header (01), got ${record.type}`);
      break;
    }
    for (const open of [fileState, group, account]) if (open) open.records += record.lines;
    switch (record.type) {
      case '01': {
        if (fileState) {
          problems.add(line, 'record type', 'a second file header (01)');
          break;
        }
        const fields = slashFields(record, problems);
        fileState = { line, total: 0n, records: record.lines, groups: 0 };
        file.senderId = fields[1] ?? '';
        file.receiverId = fields[2] ?? '';
        file.createdOn = yymmddToDate(fields[3] ?? '') ?? '';
        file.fileId = fields[5] ?? '';
        if (!file.senderId) problems.add(line, 'sender identification', 'is required');
        if (!file.createdOn) problems.add(line, 'file creation date', `must be a date YYMMDD, got ${JSON.stringify(fields[3] ?? '')}`);
        if (!file.fileId) problems.add(line, 'file identification number', 'is required');
        if (fields[8] !== '2') problems.add(line, 'version number', `must be 2 (BAI2), got ${JSON.stringify(fields[8] ?? '')}`);
        break;
      }
      case '02': {
        if (group) problems.add(line, 'record type', `a group header before the trailer (98) of the group on line ${group.line}`);
        const fields = slashFields(record, problems);
        const asOfDate = yymmddToDate(fields[4] ?? '');
        if (!asOfDate) problems.add(line, 'as-of date', `must be a date YYMMDD, got ${JSON.stringify(fields[4] ?? '')}`);
        if (fields[3] && !['1', '2', '3', '4'].includes(fields[3])) problems.add(line, 'group status', `must be 1 to 4, got ${JSON.stringify(fields[3])}`);
        if (fields[6] && fields[6] !== 'USD') problems.add(line, 'currency code', `only USD is accepted, got ${JSON.stringify(fields[6])}`);
        group = { line, total: 0n, records: record.lines, accounts: 0, asOfDate: asOfDate ?? '', list: [] };
        break;
      }
      case '03': {
        if (!group) {
          problems.add(line, 'record type', 'an account identifier (03) outside a group');
          break;
        }
        if (account) problems.add(line, 'record type', `an account identifier before the trailer (49) of the account on line ${account.line}`);
        const fields = slashFields(record, problems);
        const accountNumber = fields[1] ?? '';
        if (!accountNumber) problems.add(line, 'customer account number', 'is required');
        const currency = fields[2] ?? '';
        if (currency && currency !== 'USD') problems.add(line, 'currency code', `only USD is accepted, got ${JSON.stringify(currency)}`);
        let total = 0n;
        // Summaries: type code, amount, item count, funds type (+ its availability fields), repeated.
        let at = 3;
        while (at < fields.length) {
          const typeCode = fields[at] ?? '';
          if (typeCode === '' && fields.slice(at).every((f) => f === '')) break;
          if (!/^\d{3}$/.test(typeCode)) problems.add(line, 'type code', `summary type code must be 3 digits, got ${JSON.stringify(typeCode)}`);
          const amount = amountField(fields[at + 1], line, `amount of type ${typeCode}`, problems, { signed: true, optional: true });
          if (amount !== undefined) total += amount;
          const extra = fundsTypeExtra(fields, at + 3, line, problems);
          if (extra === undefined) break;
          at += 4 + extra;
        }
        account = { line, total, records: record.lines, value: { line, accountNumber, currency: currency || 'USD', details: [] } };
        break;
      }
      case '16': {
        if (!account) {
          problems.add(line, 'record type', 'a transaction detail (16) outside an account');
          break;
        }
        const fields = record.text.replace(/\/$/, '').split(',');
        const typeCode = fields[1] ?? '';
        if (!/^\d{3}$/.test(typeCode)) problems.add(line, 'type code', `must be 3 digits, got ${JSON.stringify(typeCode)}`);
        const cents = amountField(fields[2], line, 'amount', problems, { signed: false, optional: false });
        const extra = fundsTypeExtra(fields, 3, line, problems);
        if (cents === undefined || extra === undefined) break;
        const after = 4 + extra;
        account.total += cents;
        account.value.details.push({ line, typeCode, cents, fundsType: fields[3] ?? '', bankReference: fields[after] ?? '', customerReference: fields[after + 1] ?? '', text: fields.slice(after + 2).join(',') });
        break;
      }
      case '49': {
        if (!account || !group) {
          problems.add(line, 'record type', 'an account trailer (49) without an account identifier');
          break;
        }
        const fields = slashFields(record, problems);
        const total = amountField(fields[1], line, 'account control total', problems, { signed: true, optional: false });
        const count = countField(fields[2], line, 'number of records', problems);
        if (total !== undefined && total !== account.total) problems.add(line, 'account control total', `says ${centsToAmount(total)}, the account's records add up to ${centsToAmount(account.total)}`);
        if (count !== undefined && count !== account.records) problems.add(line, 'number of records', `says ${count}, the account has ${account.records} records (03 to 49, with continuations)`);
        group.total += account.total;
        group.accounts += 1;
        group.list.push(account.value);
        account = undefined;
        break;
      }
      case '98': {
        if (!group) {
          problems.add(line, 'record type', 'a group trailer (98) without a group header');
          break;
        }
        if (account) problems.add(line, 'record type', `a group trailer before the trailer (49) of the account on line ${account.line}`);
        const fields = slashFields(record, problems);
        const total = amountField(fields[1], line, 'group control total', problems, { signed: true, optional: false });
        const accounts = countField(fields[2], line, 'number of accounts', problems);
        const count = countField(fields[3], line, 'number of records', problems);
        if (total !== undefined && total !== group.total) problems.add(line, 'group control total', `says ${centsToAmount(total)}, the accounts add up to ${centsToAmount(group.total)}`);
        if (accounts !== undefined && accounts !== group.accounts) problems.add(line, 'number of accounts', `says ${accounts}, the group has ${group.accounts}`);
        if (count !== undefined && count !== group.records) problems.add(line, 'number of records', `says ${count}, the group has ${group.records} records (02 to 98, with continuations)`);
        fileTotal += group.total;
        fileState!.groups += 1;
        file.groups.push({ line: group.line, asOfDate: group.asOfDate, accounts: group.list });
        group = undefined;
        break;
      }
      case '99': {
        if (group) problems.add(line, 'record type', `the file trailer before the trailer (98) of the group on line ${group.line}`);
        const fields = slashFields(record, problems);
        const total = amountField(fields[1], line, 'file control total', problems, { signed: true, optional: false });
        const groups = countField(fields[2], line, 'number of groups', problems);
        const count = countField(fields[3], line, 'number of records', problems);
        expectedFileTotal = total;
        if (total !== undefined && total !== fileTotal) problems.add(line, 'file control total', `says ${centsToAmount(total)}, the groups add up to ${centsToAmount(fileTotal)}`);
        if (groups !== undefined && groups !== fileState!.groups) problems.add(line, 'number of groups', `says ${groups}, the file has ${fileState!.groups}`);
        if (count !== undefined && count !== fileState!.records) problems.add(line, 'number of records', `says ${count}, the file has ${fileState!.records} records`);
        if (count !== undefined) file.controlTotals.expected = { amount: centsToAmount(total ?? 0n), count };
        closed = true;
        break;
      }
    }
  }
  if (!closed && fileState) problems.add(lines.length, 'file trailer', 'the file has no file trailer (99) (truncated file?)');
  file.controlTotals.found = { amount: centsToAmount(fileTotal), count: fileState?.records ?? 0 };
  if (expectedFileTotal === undefined) file.controlTotals.expected = null;
  problems.throwIfAny();
  return file;
}

/** The credits of a file to post, and every other detail record with why it is not posted. */
export function bai2Credits(file: Bai2File): { credits: FileCredit[]; skipped: SkippedRecord[] } {
  const credits: FileCredit[] = [];
  const skipped: SkippedRecord[] = [];
  for (const group of file.groups) {
    for (const account of group.accounts) {
      for (const detail of account.details) {
        const code = Number(detail.typeCode);
        if (!POSTED_CREDIT_TYPE_CODES[detail.typeCode]) {
          skipped.push({ line: detail.line, reason: code >= 400 && code <= 699 ? `type code ${detail.typeCode} is a debit` : `type code ${detail.typeCode} is not a customer payment` });
          continue;
        }
        if (detail.cents === 0n) {
          skipped.push({ line: detail.line, reason: 'a zero amount' });
          continue;
        }
        const accountId = detail.customerReference.trim();
        credits.push({
          line: detail.line,
          ref: `L${detail.line}`,
          ...(accountId ? { accountId } : {}),
          amount: centsToAmount(detail.cents),
          ...(detail.bankReference ? { reference: detail.bankReference } : {}),
          ...(group.asOfDate ? { date: group.asOfDate } : {}),
          source: `bai2:${detail.typeCode}`,
        });
      }
    }
  }
  return { credits, skipped };
}
