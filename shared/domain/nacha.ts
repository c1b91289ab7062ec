/**
 * NACHA ACH files: a writer for PPD debit files (autopay) and a strict reader for the files a bank
 * sends back (returns). Records are 94 characters: file header 1, batch header 5, entry detail 6,
 * addenda 7, batch control 8, file control 9, and the file is padded with records of 9s to a
 * multiple of 10 records (a block). Amounts are whole cents; the entry hash is the sum of the
 * 8-digit receiving DFI ids, its last 10 digits.
 */
import { abaCheckDigit, isValidRoutingNumber, type BankAccountType } from './autopay';
import { isCalendarDate } from './calendar';
import { InvalidInput } from './errors';
import { amountToCents, centsToAmount, fileLines, ProblemList } from './payment-files';

export const RECORD_LENGTH = 94;
export const BLOCKING_FACTOR = 10;
/** The largest amount of one entry: ten digits of cents. */
export const MAX_ENTRY_CENTS = 9_999_999_999n;

/** Debit transaction codes of a PPD entry by account type. */
export const DEBIT_CODES: Record<BankAccountType, string> = { checking: '27', savings: '37' };

/** Who sends the file and for which company (from the utility's agreement with its bank). */
export interface NachaOriginator {
  /** The ODFI's routing number (9 digits): the file's immediate destination. */
  immediateDestination: string;
  immediateDestinationName: string;
  /** Immediate origin: 10 characters as the bank assigns (often a space and a routing number, or "1" and the tax id). */
  immediateOrigin: string;
  immediateOriginName: string;
  /** Company identification (10 characters, often "1" and the EIN). */
  companyId: string;
  companyName: string;
  /** The ODFI's 8-digit identification (first 8 digits of its routing number), start of every trace number. */
  originatingDfi: string;
  /** Company entry description printed on the customer's statement (10 characters). */
  entryDescription: string;
}

/** ACH settings of the local platform and demos: a made-up company; no bank ever sees these files. */
export const SANDBOX_ACH_ORIGINATOR: NachaOriginator = {
  immediateDestination: '121042882',
  immediateDestinationName: 'SANDBOX ODFI',
  immediateOrigin: '1234567890',
  immediateOriginName: 'OPEN CIS UTILITY',
  companyId: '1234567890',
  companyName: 'OPEN CIS UTILITY',
  originatingDfi: '12104288',
  entryDescription: 'UTILITYPMT',
};

export interface NachaDebit {
  routingNumber: string;
  accountNumber: string;
  accountType: BankAccountType;
  /** Decimal string, two decimals. */
  amount: string;
  /** Individual identification number: the utility account id (15 characters). */
  individualId: string;
  individualName: string;
  /** 15 digits: the ODFI's 8 and a 7-digit sequence. */
  traceNumber: string;
}

export interface NachaFileSpec {
  originator: NachaOriginator;
  /** The settlement day asked for (YYYY-MM-DD). */
  effectiveDate: string;
  /** When the file is made (an ISO instant; its UTC date and time go into the header). */
  createdAt: string;
  /** A-Z or 0-9: tells apart files made the same day. */
  fileIdModifier: string;
  entries: readonly NachaDebit[];
}

export interface NachaFile {
  text: string;
  entryCount: number;
  totalDebit: string;
  entryHash: string;
  blockCount: number;
}

/** Upper case, printable ASCII only, cut or padded with spaces to `width` (alphanumeric fields are left-justified). */
function alpha(value: string, width: number): string {
  const clean = value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^\x20-\x7e]/g, ' ');
  return clean.slice(0, width).padEnd(width, ' ');
}

/** Zero-padded digits, right-justified; refuses values that do not fit. */
function numeric(value: bigint | number | string, width: number, field: string): string {
  const text = String(value);
  if (!/^\d+$/.test(text) || text.length > width) throw new InvalidInput(`NACHA ${field} ${JSON.stringify(text)} does not fit ${width} digits`);
  return text.padStart(width, '0');
}

function yymmdd(day: string): string {
  if (!isCalendarDate(day)) throw new InvalidInput(`NACHA date ${JSON.stringify(day)} is not YYYY-MM-DD`);
  return day.slice(2, 4) + day.slice(5, 7) + day.slice(8, 10);
}

const MODIFIERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The file id modifier of a debit day's file: the same day always gets the same one (a bank
 * refuses a second file with the same header date and modifier, so a remade file sent twice on one
 * day is caught), and files for different days made on the same day differ (36 days apart at least).
 */
export function fileIdModifierFor(debitDate: string): string {
  if (!isCalendarDate(debitDate)) throw new InvalidInput(`NACHA date ${JSON.stringify(debitDate)} is not YYYY-MM-DD`);
  const days = Math.round(Date.parse(`${debitDate}T00:00:00Z`) / 86_400_000);
  return MODIFIERS[((days % MODIFIERS.length) + MODIFIERS.length) % MODIFIERS.length]!;
}

/** The 7-digit part of trace numbers as a 15-digit trace number. */
export function traceNumberFor(originatingDfi: string, sequence: number): string {
  return `${numeric(originatingDfi, 8, 'originating DFI')}${numeric(sequence, 7, 'trace sequence')}`;
}

function checkOriginator(o: NachaOriginator): void {
  if (!isValidRoutingNumber(o.immediateDestination)) throw new InvalidInput(`NACHA immediate destination ${o.immediateDestination} is not a valid routing number`);
  if (!/^\d{8}$/.test(o.originatingDfi)) throw new InvalidInput('NACHA originating DFI must be 8 digits');
  if (!/^[ 0-9A-Za-z]{10}$/.test(o.immediateOrigin.padStart(10, ' '))) throw new InvalidInput('NACHA immediate origin must be up to 10 letters or digits');
  if (!/^[0-9A-Za-z ]{1,10}$/.test(o.companyId)) throw new InvalidInput('NACHA company id must be up to 10 letters or digits');
}

/**
 * A PPD file of debits in one batch (service class 225, debits only). Entries keep their order;
 * the caller gives each a unique trace number.
 */
export function writeNachaPpdDebits(spec: NachaFileSpec): NachaFile {
  const o = spec.originator;
  checkOriginator(o);
  if (!/^[0-9A-Z]$/.test(spec.fileIdModifier)) throw new InvalidInput('NACHA file id modifier must be one of A-Z or 0-9');
  if (spec.entries.length === 0) throw new InvalidInput('a NACHA file needs at least one entry');
  const created = spec.createdAt;
  const createdDate = yymmdd(created.slice(0, 10));
  const createdTime = created.slice(11, 13) + created.slice(14, 16);
  if (!/^\d{4}$/.test(createdTime)) throw new InvalidInput(`NACHA creation time from ${JSON.stringify(created)} is not HHMM`);
  const batchNumber = numeric(1, 7, 'batch number');
  const records: string[] = [];
  records.push(`101${(' ' + o.immediateDestination).padStart(10, ' ')}${o.immediateOrigin.padStart(10, ' ')}${createdDate}${createdTime}${spec.fileIdModifier}094101${alpha(o.immediateDestinationName, 23)}${alpha(o.immediateOriginName, 23)}${alpha('', 8)}`);
  records.push(`5225${alpha(o.companyName, 16)}${alpha('', 20)}${alpha(o.companyId, 10)}PPD${alpha(o.entryDescription, 10)}${alpha('', 6)}${yymmdd(spec.effectiveDate)}${alpha('', 3)}1${o.originatingDfi}${batchNumber}`);
  let hash = 0n;
  let total = 0n;
  const traces = new Set<string>();
  for (const entry of spec.entries) {
    if (!isValidRoutingNumber(entry.routingNumber)) throw new InvalidInput(`NACHA entry ${entry.traceNumber}: routing number ${entry.routingNumber} fails its check digit`);
    if (!/^[0-9A-Za-z]{1,17}$/.test(entry.accountNumber)) throw new InvalidInput(`NACHA entry ${entry.traceNumber}: the DFI account number must be 1 to 17 letters or digits`);
    if (!/^\d{15}$/.test(entry.traceNumber) || !entry.traceNumber.startsWith(o.originatingDfi)) throw new InvalidInput(`NACHA trace number ${entry.traceNumber} must be 15 digits starting with the originating DFI ${o.originatingDfi}`);
    if (traces.has(entry.traceNumber)) throw new InvalidInput(`NACHA trace number ${entry.traceNumber} is used twice`);
    traces.add(entry.traceNumber);
    const cents = amountToCents(entry.amount);
    if (cents <= 0n || cents > MAX_ENTRY_CENTS) throw new InvalidInput(`NACHA entry ${entry.traceNumber}: amount ${entry.amount} must be more than 0 and fit 10 digits of cents`);
    const rdfi = entry.routingNumber.slice(0, 8);
    hash += BigInt(rdfi);
    total += cents;
    records.push(`6${DEBIT_CODES[entry.accountType]}${rdfi}${entry.routingNumber[8]}${alpha(entry.accountNumber, 17)}${numeric(cents, 10, 'amount')}${alpha(entry.individualId, 15)}${alpha(entry.individualName, 22)}${alpha('', 2)}0${entry.traceNumber}`);
  }
  const entryHash = numeric(hash % 10_000_000_000n, 10, 'entry hash');
  const count = spec.entries.length;
  records.push(`8225${numeric(count, 6, 'entry count')}${entryHash}${numeric(total, 12, 'total debit')}${numeric(0, 12, 'total credit')}${alpha(o.companyId, 10)}${alpha('', 19)}${alpha('', 6)}${o.originatingDfi}${batchNumber}`);
  const withControl = records.length + 1;
  const blockCount = Math.ceil(withControl / BLOCKING_FACTOR);
  records.push(`9${numeric(1, 6, 'batch count')}${numeric(blockCount, 6, 'block count')}${numeric(count, 8, 'entry count')}${entryHash}${numeric(total, 12, 'total debit')}${numeric(0, 12, 'total credit')}${alpha('', 39)}`);
  while (records.length % BLOCKING_FACTOR !== 0) records.push('9'.repeat(RECORD_LENGTH));
  for (const record of records) if (record.length !== RECORD_LENGTH) throw new Error(`NACHA writer produced a record of ${record.length} characters`);
  return { text: `${records.join('\n')}\n`, entryCount: count, totalDebit: centsToAmount(total), entryHash, blockCount };
}

// ---------------------------------------------------------------------------------------------
// Reading (returns files)

/** Return reason codes (NACHA Operating Rules, Appendix Four). */
export const RETURN_REASONS: Readonly<Record<string, string>> = {
  R01: 'Insufficient funds',
  R02: 'Account closed',
  R03: 'No account / unable to locate account',
  R04: 'Invalid account number structure',
  R05: 'Unauthorized debit to consumer account using corporate SEC code',
  R06: "Returned per ODFI's request",
  R07: 'Authorization revoked by customer',
  R08: 'Payment stopped',
  R09: 'Uncollected funds',
  R10: 'Customer advises originator is not known to receiver or is not authorized to debit',
  R11: 'Customer advises entry not in accordance with the terms of the authorization',
  R12: 'Account sold to another DFI',
  R13: 'Invalid ACH routing number',
  R14: 'Representative payee deceased or unable to continue in that capacity',
  R15: 'Beneficiary or account holder deceased',
  R16: 'Account frozen / entry returned per OFAC instruction',
  R17: 'File record edit criteria / entry with invalid account number initiated under questionable circumstances',
  R18: 'Improper effective entry date',
  R19: 'Amount field error',
  R20: 'Non-transaction account',
  R21: 'Invalid company identification',
  R22: 'Invalid individual ID number',
  R23: 'Credit entry refused by receiver',
  R24: 'Duplicate entry',
  R25: 'Addenda error',
  R26: 'Mandatory field error',
  R27: 'Trace number error',
  R28: 'Routing number check digit error',
  R29: 'Corporate customer advises not authorized',
  R30: 'RDFI not participant in check truncation program',
  R31: 'Permissible return entry (CCD and CTX only)',
  R32: 'RDFI non-settlement',
  R33: 'Return of XCK entry',
  R34: 'Limited participation DFI',
  R35: 'Return of improper debit entry',
  R36: 'Return of improper credit entry',
  R37: 'Source document presented for payment',
  R38: 'Stop payment on source document',
  R39: 'Improper source document / source document presented for payment',
  R40: 'Return of ENR entry by federal government agency',
  R41: 'Invalid transaction code (ENR)',
  R42: 'Routing number / check digit error (ENR)',
  R43: 'Invalid DFI account number (ENR)',
  R44: 'Invalid individual ID number (ENR)',
  R45: 'Invalid individual name / company name (ENR)',
  R46: 'Invalid representative payee indicator (ENR)',
  R47: 'Duplicate enrollment (ENR)',
  R50: 'State law affecting RCK acceptance',
  R51: 'Item related to RCK entry is ineligible or RCK entry is improper',
  R52: 'Stop payment on item related to RCK entry',
  R53: 'Item and RCK entry presented for payment',
  R61: 'Misrouted return',
  R62: 'Return of erroneous or reversing debit',
  R67: 'Duplicate return',
  R68: 'Untimely return',
  R69: 'Field error(s)',
  R70: 'Permissible return entry not accepted / return not requested by ODFI',
  R71: 'Misrouted dishonored return',
  R72: 'Untimely dishonored return',
  R73: 'Timely original return',
  R74: 'Corrected return',
  R75: 'Return not a duplicate',
  R76: 'No errors found',
  R77: 'Non-acceptance of R62 dishonored return',
  R80: 'IAT entry coding error',
  R81: 'Non-participant in IAT program',
  R82: 'Invalid foreign receiving DFI identification',
  R83: 'Foreign receiving DFI unable to settle',
  R84: 'Entry not processed by gateway',
  R85: 'Incorrectly coded outbound international payment',
};

/** Dishonored (R61-R70) and contested (R71-R77) returns are about a return, not a new return of the debit: staff review them. */
export function isDishonoredOrContested(code: string): boolean {
  const n = Number(code.slice(1));
  return n >= 61 && n <= 77;
}

/** Transaction codes this reader knows: checking and savings, live, prenote and return/NOC, credits and debits. */
const CREDIT_CODES = new Set(['21', '22', '23', '24', '31', '32', '33', '34', '41', '42', '43', '44', '51', '52', '53', '54']);
const DEBIT_CODES_ALL = new Set(['26', '27', '28', '29', '36', '37', '38', '39', '46', '47', '48', '49', '55', '56']);

export interface NachaEntryRead {
  line: number;
  transactionCode: string;
  rdfi: string;
  checkDigit: string;
  accountNumber: string;
  amount: string;
  individualId: string;
  individualName: string;
  traceNumber: string;
  addenda: Array<{ line: number; typeCode: string; returnCode?: string; originalTrace?: string; originalRdfi?: string; information: string }>;
}

export interface NachaBatchRead {
  line: number;
  serviceClass: string;
  companyName: string;
  companyId: string;
  secCode: string;
  entryDescription: string;
  effectiveDate: string;
  batchNumber: string;
  entries: NachaEntryRead[];
}

export interface NachaFileRead {
  immediateDestination: string;
  immediateOrigin: string;
  createdOn: string;
  fileIdModifier: string;
  batches: NachaBatchRead[];
  control: { batchCount: number; blockCount: number; entryAddendaCount: number; entryHash: string; totalDebit: string; totalCredit: string };
  found: { entryAddendaCount: number; entryHash: string; totalDebit: string; totalCredit: string };
}

/** Splits a NACHA text into records: lines, or one unbroken stream of 94-character records. */
function nachaRecords(content: string): string[] {
  const lines = fileLines(content);
  if (lines.length === 1 && lines[0]!.length > RECORD_LENGTH && lines[0]!.length % RECORD_LENGTH === 0) return lines[0]!.match(/[\s\S]{94}/g) ?? [];
  return lines;
}

const field = (record: string, from: number, to: number) => record.slice(from - 1, to);

function validYymmdd(value: string): boolean {
  return /^\d{6}$/.test(value) && isCalendarDate(`20${value.slice(0, 2)}-${value.slice(2, 4)}-${value.slice(4, 6)}`);
}

/**
 * Reads a NACHA file strictly: every record 94 printable characters, the record order
 * (1, then batches 5 [6 [7...]]... 8, then 9, then 9-padding), numeric fields, routing check
 * digits, and every control total (batch and file counts, entry hashes, debit and credit totals,
 * block count). Any problem rejects the file with every problem found.
 */
export function readNachaFile(content: string): NachaFileRead {
  const problems = new ProblemList('nacha-returns');
  const records = nachaRecords(content);
  if (records.length === 0) {
    problems.add(0, 'file', 'the file is empty');
    problems.throwIfAny();
  }
  records.forEach((record, index) => {
    if (record.length !== RECORD_LENGTH) problems.add(index + 1, 'record length', `the record is ${record.length} characters, not ${RECORD_LENGTH}`);
    else if (/[^\x20-\x7e]/.test(record)) problems.add(index + 1, 'characters', 'the record has characters outside printable ASCII');
  });
  // Nothing else can be read safely from misaligned records.
  problems.throwIfAny();

  const digits = (line: number, record: string, from: number, to: number, name: string): string => {
    const value = field(record, from, to);
    if (!/^\d+$/.test(value)) problems.add(line, name, `positions ${from}-${to} must be digits, got ${JSON.stringify(value)}`);
    return value;
  };

  const file: NachaFileRead = {
    immediateDestination: '',
    immediateOrigin: '',
    createdOn: '',
    fileIdModifier: '',
    batches: [],
    control: { batchCount: 0, blockCount: 0, entryAddendaCount: 0, entryHash: '', totalDebit: '0.00', totalCredit: '0.00' },
    found: { entryAddendaCount: 0, entryHash: '', totalDebit: '0.00', totalCredit: '0.00' },
  };
  const header = records[0]!;
  if (header[0] !== '1') problems.add(1, 'record type', `the file must start with a file header (1), got ${JSON.stringify(header[0])}`);
  else {
    file.immediateDestination = field(header, 4, 13).trim();
    file.immediateOrigin = field(header, 14, 23).trim();
    file.createdOn = field(header, 24, 29);
    file.fileIdModifier = field(header, 34, 34);
    if (!validYymmdd(file.createdOn)) problems.add(1, 'file creation date', `positions 24-29 must be a date YYMMDD, got ${JSON.stringify(file.createdOn)}`);
    if (field(header, 35, 37) !== '094') problems.add(1, 'record size', `positions 35-37 must be 094, got ${JSON.stringify(field(header, 35, 37))}`);
    if (field(header, 38, 39) !== '10') problems.add(1, 'blocking factor', `positions 38-39 must be 10, got ${JSON.stringify(field(header, 38, 39))}`);
  }

  let fileHash = 0n;
  let fileDebit = 0n;
  let fileCredit = 0n;
  let fileEntryAddenda = 0;
  let batch: (NachaBatchRead & { hash: bigint; debit: bigint; credit: bigint; count: number }) | undefined;
  let sawFileControl = false;
  let index = 1;
  for (; index < records.length; index++) {
    const record = records[index]!;
    const line = index + 1;
    const type = record[0];
    if (sawFileControl) {
      if (record !== '9'.repeat(RECORD_LENGTH)) problems.add(line, 'record type', 'only padding records of 9s may follow the file control record');
      continue;
    }
    switch (type) {
      case '5': {
        if (batch) problems.add(line, 'record type', `batch header before the control record of the batch that starts on line ${batch.line}`);
        const effective = field(record, 70, 75);
        if (!validYymmdd(effective)) problems.add(line, 'effective entry date', `positions 70-75 must be a date YYMMDD, got ${JSON.stringify(effective)}`);
        batch = {
          line,
          serviceClass: digits(line, record, 2, 4, 'service class code'),
          companyName: field(record, 5, 20).trim(),
          companyId: field(record, 41, 50),
          secCode: field(record, 51, 53),
          entryDescription: field(record, 54, 63).trim(),
          effectiveDate: effective,
          batchNumber: digits(line, record, 88, 94, 'batch number'),
          entries: [],
          hash: 0n,
          debit: 0n,
          credit: 0n,
          count: 0,
        };
        if (!['200', '220', '225'].includes(batch.serviceClass)) problems.add(line, 'service class code', `must be 200, 220 or 225, got ${JSON.stringify(batch.serviceClass)}`);
        break;
      }
      case '6': {
        if (!batch) {
          problems.add(line, 'record type', 'an entry detail record outside a batch');
          break;
        }
        const code = digits(line, record, 2, 3, 'transaction code');
        const rdfi = digits(line, record, 4, 11, 'receiving DFI identification');
        const checkDigit = digits(line, record, 12, 12, 'check digit');
        const amount = digits(line, record, 30, 39, 'amount');
        const trace = digits(line, record, 80, 94, 'trace number');
        const indicator = field(record, 79, 79);
        if (!CREDIT_CODES.has(code) && !DEBIT_CODES_ALL.has(code)) problems.add(line, 'transaction code', `unknown transaction code ${JSON.stringify(code)}`);
        if (/^\d{8}$/.test(rdfi) && /^\d$/.test(checkDigit) && abaCheckDigit(rdfi) !== Number(checkDigit)) problems.add(line, 'check digit', `routing number ${rdfi}${checkDigit} fails its check digit (expected ${abaCheckDigit(rdfi)})`);
        if (indicator !== '0' && indicator !== '1') problems.add(line, 'addenda record indicator', `position 79 must be 0 or 1, got ${JSON.stringify(indicator)}`);
        if (/^\d+$/.test(rdfi)) batch.hash += BigInt(rdfi);
        if (/^\d{10}$/.test(amount)) {
          if (CREDIT_CODES.has(code)) batch.credit += BigInt(amount);
          else batch.debit += BigInt(amount);
        }
        batch.count += 1;
        batch.entries.push({ line, transactionCode: code, rdfi, checkDigit, accountNumber: field(record, 13, 29).trim(), amount: /^\d{10}$/.test(amount) ? centsToAmount(BigInt(amount)) : '0.00', individualId: field(record, 40, 54).trim(), individualName: field(record, 55, 76).trim(), traceNumber: trace, addenda: [] });
        break;
      }
      case '7': {
        const entry = batch?.entries.at(-1);
        if (!batch || !entry) {
          problems.add(line, 'record type', 'an addenda record without an entry detail record before it');
          break;
        }
        const typeCode = digits(line, record, 2, 3, 'addenda type code');
        batch.count += 1;
        if (typeCode === '99') {
          const returnCode = field(record, 4, 6);
          if (!/^R\d{2}$/.test(returnCode)) problems.add(line, 'return reason code', `positions 4-6 must be a return reason code like R01, got ${JSON.stringify(returnCode)}`);
          else if (!RETURN_REASONS[returnCode]) problems.add(line, 'return reason code', `unknown return reason code ${returnCode}`);
          const originalTrace = digits(line, record, 7, 21, 'original entry trace number');
          entry.addenda.push({ line, typeCode, returnCode, originalTrace, originalRdfi: field(record, 28, 35), information: field(record, 36, 79).trim() });
        } else entry.addenda.push({ line, typeCode, information: field(record, 4, 83).trim() });
        break;
      }
      case '8': {
        if (!batch) {
          problems.add(line, 'record type', 'a batch control record without a batch header');
          break;
        }
        const count = Number(digits(line, record, 5, 10, 'entry/addenda count'));
        const hash = digits(line, record, 11, 20, 'entry hash');
        const debit = digits(line, record, 21, 32, 'total debit entry dollar amount');
        const credit = digits(line, record, 33, 44, 'total credit entry dollar amount');
        const expectedHash = (batch.hash % 10_000_000_000n).toString().padStart(10, '0');
        if (field(record, 2, 4) !== batch.serviceClass) problems.add(line, 'service class code', `${field(record, 2, 4)} differs from the batch header's ${batch.serviceClass}`);
        if (count !== batch.count) problems.add(line, 'entry/addenda count', `says ${count}, the batch has ${batch.count}`);
        if (hash !== expectedHash) problems.add(line, 'entry hash', `says ${hash}, the entries add up to ${expectedHash}`);
        if (/^\d{12}$/.test(debit) && BigInt(debit) !== batch.debit) problems.add(line, 'total debit entry dollar amount', `says ${centsToAmount(BigInt(debit))}, the entries add up to ${centsToAmount(batch.debit)}`);
        if (/^\d{12}$/.test(credit) && BigInt(credit) !== batch.credit) problems.add(line, 'total credit entry dollar amount', `says ${centsToAmount(BigInt(credit))}, the entries add up to ${centsToAmount(batch.credit)}`);
        if (field(record, 88, 94) !== batch.batchNumber) problems.add(line, 'batch number', `${field(record, 88, 94)} differs from the batch header's ${batch.batchNumber}`);
        for (const entry of batch.entries) if (entry.addenda.length > 0 && field(records[entry.line - 1]!, 79, 79) !== '1') problems.add(entry.line, 'addenda record indicator', 'is 0 but an addenda record follows');
        fileHash += batch.hash;
        fileDebit += batch.debit;
        fileCredit += batch.credit;
        fileEntryAddenda += batch.count;
        const { hash: _h, debit: _d, credit: _c, count: _n, ...read } = batch;
        file.batches.push(read);
        batch = undefined;
        break;
      }
      case '9': {
        if (batch) problems.add(line, 'record type', `file control before the control record of the batch that starts on line ${batch.line}`);
        sawFileControl = true;
        const batchCount = Number(digits(line, record, 2, 7, 'batch count'));
        const blockCount = Number(digits(line, record, 8, 13, 'block count'));
        const entryAddenda = Number(digits(line, record, 14, 21, 'entry/addenda count'));
        const hash = digits(line, record, 22, 31, 'entry hash');
        const debit = digits(line, record, 32, 43, 'total debit entry dollar amount in file');
        const credit = digits(line, record, 44, 55, 'total credit entry dollar amount in file');
        file.control = { batchCount, blockCount, entryAddendaCount: entryAddenda, entryHash: hash, totalDebit: /^\d+$/.test(debit) ? centsToAmount(BigInt(debit)) : debit, totalCredit: /^\d+$/.test(credit) ? centsToAmount(BigInt(credit)) : credit };
        const expectedHash = (fileHash % 10_000_000_000n).toString().padStart(10, '0');
        if (batchCount !== file.batches.length) problems.add(line, 'batch count', `says ${batchCount}, the file has ${file.batches.length}`);
        const blocks = Math.ceil(records.length / BLOCKING_FACTOR);
        if (blockCount !== blocks) problems.add(line, 'block count', `says ${blockCount}, the file has ${records.length} records (${blocks} blocks)`);
        if (entryAddenda !== fileEntryAddenda) problems.add(line, 'entry/addenda count', `says ${entryAddenda}, the batches have ${fileEntryAddenda}`);
        if (hash !== expectedHash) problems.add(line, 'entry hash', `says ${hash}, the entries add up to ${expectedHash}`);
        if (/^\d{12}$/.test(debit) && BigInt(debit) !== fileDebit) problems.add(line, 'total debit entry dollar amount in file', `says ${centsToAmount(BigInt(debit))}, the batches add up to ${centsToAmount(fileDebit)}`);
        if (/^\d{12}$/.test(credit) && BigInt(credit) !== fileCredit) problems.add(line, 'total credit entry dollar amount in file', `says ${centsToAmount(BigInt(credit))}, the batches add up to ${centsToAmount(fileCredit)}`);
        break;
      }
      default:
        problems.add(line, 'record type', `unknown record type ${JSON.stringify(type)}`);
    }
  }
  if (batch) problems.add(records.length, 'batch control', `the batch that starts on line ${batch.line} has no control record (truncated file?)`);
  if (!sawFileControl) problems.add(records.length, 'file control', 'the file has no file control record (truncated file?)');
  else if (records.length % BLOCKING_FACTOR !== 0) problems.add(records.length, 'padding', `the file has ${records.length} records; it must be padded with 9s to a multiple of ${BLOCKING_FACTOR}`);
  file.found = { entryAddendaCount: fileEntryAddenda, entryHash: (fileHash % 10_000_000_000n).toString().padStart(10, '0'), totalDebit: centsToAmount(fileDebit), totalCredit: centsToAmount(fileCredit) };
  problems.throwIfAny();
  return file;
}

export interface NachaReturn {
  /** The line of the returned entry. */
  line: number;
  /** The trace number of the original debit (from the addenda). */
  originalTrace: string;
  returnCode: string;
  reason: string;
  amount: string;
  individualId: string;
  /** The returning bank's trace number of the return entry. */
  traceNumber: string;
}

/** The returns of a file (entries with an addenda 99); other entries are listed as skipped with why. */
export function nachaReturns(file: NachaFileRead): { returns: NachaReturn[]; skipped: Array<{ line: number; reason: string }> } {
  const returns: NachaReturn[] = [];
  const skipped: Array<{ line: number; reason: string }> = [];
  for (const batch of file.batches) {
    for (const entry of batch.entries) {
      const addenda = entry.addenda.find((a) => a.typeCode === '99');
      if (!addenda) {
        skipped.push({ line: entry.line, reason: entry.addenda.some((a) => a.typeCode === '98') ? 'notification of change (addenda 98): update the bank details by hand' : 'not a return (no addenda 99)' });
        continue;
      }
      const code = addenda.returnCode!;
      if (isDishonoredOrContested(code)) {
        skipped.push({ line: entry.line, reason: `${code} ${RETURN_REASONS[code]}: a dishonored or contested return, for staff to review` });
        continue;
      }
      returns.push({ line: entry.line, originalTrace: addenda.originalTrace!, returnCode: code, reason: RETURN_REASONS[code]!, amount: entry.amount, individualId: entry.individualId, traceNumber: entry.traceNumber });
    }
  }
  return { returns, skipped };
}
