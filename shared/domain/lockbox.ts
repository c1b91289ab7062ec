/**
 * A lockbox file: the bank's CSV of the checks it received for the utility, one per line after
 * the header `accountId,amount,checkNumber,date`. Amounts are decimal dollars with at most two
 * decimals, more than 0; dates YYYY-MM-DD. An optional last line `TOTAL,<amount>,<count>` is the
 * bank's control total and is checked. Any malformed line rejects the whole file.
 */
import { isCalendarDate } from './calendar';
import { splitCsvLine } from './csv-line';
import { amountToCents, centsToAmount, fileLines, ProblemList, type ControlTotals, type FileCredit } from './payment-files';

export const LOCKBOX_HEADER = ['accountId', 'amount', 'checkNumber', 'date'] as const;
/** Lines of one file (a day of checks of a large utility is a few thousand). */
export const MAX_LOCKBOX_LINES = 50_000;

const AMOUNT = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CHECK_NUMBER = /^[A-Za-z0-9-]{1,30}$/;

export function readLockbox(content: string): { credits: FileCredit[]; controlTotals: ControlTotals } {
  const problems = new ProblemList('lockbox');
  const lines = fileLines(content);
  const header = lines[0] === undefined ? [] : splitCsvLine(lines[0]).map((f) => f.toLowerCase());
  if (lines.length > MAX_LOCKBOX_LINES) {
    problems.add(0, 'file', `the file has ${lines.length} lines; split files longer than ${MAX_LOCKBOX_LINES} lines`);
    problems.throwIfAny();
  }
  if (header.join(',') !== LOCKBOX_HEADER.join(',').toLowerCase()) {
    problems.add(1, 'header', `the first line must be ${LOCKBOX_HEADER.join(',')}`);
    problems.throwIfAny();
  }
  const credits: FileCredit[] = [];
  let sum = 0n;
  let expected: ControlTotals['expected'] = null;
  for (let index = 1; index < lines.length; index++) {
    const line = index + 1;
    const text = lines[index]!;
    if (text.trim() === '') continue;
    if (expected) {
      problems.add(line, 'record', 'lines after the TOTAL line');
      break;
    }
    let fields: string[];
    try {
      fields = splitCsvLine(text, true);
    } catch {
      problems.add(line, 'quotes', 'a quoted field is not closed');
      continue;
    }
    if (fields[0]?.toUpperCase() === 'TOTAL') {
      const [, amount = '', count = ''] = fields;
      if (fields.length !== 3) problems.add(line, 'TOTAL', `the TOTAL line has 3 fields (TOTAL,amount,count), got ${fields.length}`);
      if (!AMOUNT.test(amount)) problems.add(line, 'TOTAL amount', `must be a decimal amount with at most 2 decimals, got ${JSON.stringify(amount)}`);
      if (!/^\d{1,9}$/.test(count)) problems.add(line, 'TOTAL count', `must be a whole number, got ${JSON.stringify(count)}`);
      expected = { amount: AMOUNT.test(amount) ? centsToAmount(amountToCents(amount)) : amount, count: /^\d{1,9}$/.test(count) ? Number(count) : -1 };
      continue;
    }
    if (fields.length !== LOCKBOX_HEADER.length) {
      problems.add(line, 'columns', `expected ${LOCKBOX_HEADER.length} fields (${LOCKBOX_HEADER.join(',')}), got ${fields.length}`);
      continue;
    }
    const [accountId = '', amount = '', checkNumber = '', date = ''] = fields;
    let ok = true;
    const bad = (name: string, message: string) => {
      problems.add(line, name, message);
      ok = false;
    };
    if (!ACCOUNT_ID.test(accountId)) bad('accountId', `must be 1 to 64 letters, digits, "_" or "-", got ${JSON.stringify(accountId)}`);
    if (!AMOUNT.test(amount)) bad('amount', `must be a positive decimal amount with at most 2 decimals (like 45.10), got ${JSON.stringify(amount)}`);
    else if (amountToCents(amount) === 0n) bad('amount', 'must be more than 0');
    if (checkNumber !== '' && !CHECK_NUMBER.test(checkNumber)) bad('checkNumber', `must be up to 30 letters, digits or "-", got ${JSON.stringify(checkNumber)}`);
    if (!isCalendarDate(date)) bad('date', `must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
    if (!ok) continue;
    const cents = amountToCents(amount);
    sum += cents;
    credits.push({ line, ref: `L${line}`, accountId, amount: centsToAmount(cents), ...(checkNumber ? { reference: checkNumber } : {}), date, source: 'lockbox' });
  }
  if (credits.length === 0 && problems.empty) problems.add(0, 'file', 'the file has no payment lines');
  const found = { amount: centsToAmount(sum), count: credits.length };
  if (expected && problems.empty && (expected.amount !== found.amount || expected.count !== found.count)) {
    problems.add(lines.length, 'TOTAL', `says ${expected.amount} in ${expected.count} items, the lines add up to ${found.amount} in ${found.count}`);
  }
  problems.throwIfAny();
  return { credits, controlTotals: { expected, found } };
}
