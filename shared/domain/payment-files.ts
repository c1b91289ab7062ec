/**
 * Bank and lockbox files: what every format shares. A file is checked whole before anything is
 * posted: a problem anywhere (record length, field, control total) rejects the file with every
 * problem found, each naming its line and field. A file's id is the hash of its text (line ends
 * normalized), so the same file imported again gets the same id and the same payment keys.
 */
import { createHash } from 'node:crypto';
import { InvalidInput } from './errors';

export const PAYMENT_FILE_FORMATS = ['bai2', 'lockbox', 'nacha-returns'] as const;
export type PaymentFileFormat = (typeof PAYMENT_FILE_FORMATS)[number];

/** The largest file accepted (a day of lockbox or BAI2 detail for a mid-sized utility is far below). */
export const MAX_PAYMENT_FILE_BYTES = 5 * 1024 * 1024;
/** At most this many problems are listed when a file is rejected. */
export const MAX_LISTED_PROBLEMS = 50;

export interface FileProblem {
  /** 1-based physical line (0: the file as a whole). */
  line: number;
  field: string;
  message: string;
}

/** The file failed a check: nothing of it may be posted. HTTP 400 with one issue per problem. */
export class PaymentFileRejected extends InvalidInput {
  override name = 'PaymentFileRejected';
  constructor(
    readonly format: PaymentFileFormat,
    readonly problems: readonly FileProblem[],
  ) {
    super(
      `the ${format} file was rejected: ${problems
        .slice(0, 3)
        .map((p) => (p.line > 0 ? `line ${p.line} ${p.field}: ${p.message}` : `${p.field}: ${p.message}`))
        .join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`,
      problems.map((p) => ({ path: p.line > 0 ? `line ${p.line} ${p.field}` : p.field, message: p.message })),
    );
  }
}

/** Collects problems and throws them together (up to MAX_LISTED_PROBLEMS). */
export class ProblemList {
  readonly problems: FileProblem[] = [];
  constructor(private readonly format: PaymentFileFormat) {}
  add(line: number, field: string, message: string): void {
    if (this.problems.length < MAX_LISTED_PROBLEMS) this.problems.push({ line, field, message });
  }
  get empty(): boolean {
    return this.problems.length === 0;
  }
  throwIfAny(): void {
    if (!this.empty) throw new PaymentFileRejected(this.format, this.problems);
  }
}

/** The lines of a text file: CRLF or LF, a final newline optional; a byte order mark is dropped. */
export function fileLines(content: string): string[] {
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The id of an imported file: the same text (whatever its line ends) always gives the same id. */
export function paymentFileId(format: PaymentFileFormat, content: string): string {
  const normalized = fileLines(content).map((line) => line.replace(/\s+$/, '')).join('\n');
  return `PF${createHash('sha256').update(`${format}\n${normalized}`).digest('hex').slice(0, 24).toUpperCase()}`;
}

/** A whole number of cents as a decimal string with two decimals (exact: BigInt, never a float). */
export function centsToAmount(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative && abs !== 0n ? `-${text}` : text;
}

/** The cents of a decimal string with at most two decimals ("12.5" -> 1250n). */
export function amountToCents(amount: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount);
  if (!match) throw new InvalidInput(`amount must be a decimal string with at most 2 decimals, got ${JSON.stringify(amount)}`);
  const cents = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

/** A credit found in a bank or lockbox file, to post to the account it names. */
export interface FileCredit {
  /** 1-based physical line of the record. */
  line: number;
  /** The part of the payment key that names the credit inside its file (the line). */
  ref: string;
  /** The utility account the bank says it is for (absent: it names none). */
  accountId?: string;
  /** Decimal string, two decimals, more than 0. */
  amount: string;
  /** Check number, bank reference, ... */
  reference?: string;
  /** The day the bank received it (YYYY-MM-DD), when the file says. */
  date?: string;
  /** The BAI2 type code or "lockbox". */
  source: string;
}

/** What a file's own control totals say, and what its records add up to. */
export interface ControlTotals {
  expected: { amount: string; count: number } | null;
  found: { amount: string; count: number };
}

/** A record the import did not post and why (a debit, a type code that is not a payment, ...). */
export interface SkippedRecord {
  line: number;
  reason: string;
}
