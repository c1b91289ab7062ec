/**
 * Imports a bank or lockbox file and answers its reconciliation report. The file is read and
 * checked whole first (a rejected file posts nothing). Then each credit of a BAI2 or lockbox file
 * becomes a payment keyed by the file id and its line, so importing the file again (or twice at
 * once) posts each credit once; a credit naming no known account is kept in suspense; a check
 * already posted for the account with the same number and amount is reported, not posted. Each
 * return of a NACHA returns file finds its autopay payment by the original trace number and
 * returns it (with the returned-payment fee) keyed by the file id and the return's trace number.
 */
import type { AuditEvent } from '../../domain/audit';
import { bai2Credits, readBai2 } from '../../domain/bai2';
import { readLockbox } from '../../domain/lockbox';
import { formatMoney, Money, sumAmounts } from '../../domain/money';
import { nachaReturns, readNachaFile } from '../../domain/nacha';
import { MAX_PAYMENT_FILE_BYTES, paymentFileId, PaymentFileRejected, type ControlTotals, type FileCredit, type PaymentFileFormat, type SkippedRecord } from '../../domain/payment-files';
import { NotFoundError } from '../../domain/errors';
import { paymentIdFor, requestFingerprint, type PaymentMethod } from '../../domain/payments';
import { mapLimit } from '../concurrency';
import type { AccountStore, Clock } from '../ports';
import type { ImportReport, PaymentFileStore, PostedLine, ReturnedLine, SuspenseLine } from './bank-ports';
import { LedgerWriteRefused, PaymentNotReturnable } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { LedgerStore, RequestOutcome } from './ports';
import { postPayment } from './post-payment';
import { returnPayment } from './return-payment';

export interface ImportDeps {
  ledger: LedgerStore;
  accounts: AccountStore;
  files: PaymentFileStore;
  clock: Clock;
  newId: () => string;
  returnedPaymentFee: string;
}

/** The largest credit posted to one account from a file; a larger one goes to suspense for staff. */
const MAX_FILE_CREDIT = new Money('100000.00');
/** Accounts whose credits are posted at once. */
const IMPORT_CONCURRENCY = 8;
/** What an account id looks like (anything else a bank writes there names no account). */
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The payment id of a file's credit: the same file and line always give the same payment. */
export function filePaymentId(accountId: string, fileId: string, ref: string): string {
  return paymentIdFor(accountId, `FILE:${fileId}:${ref}`);
}

function emptyReport(fileId: string, format: PaymentFileFormat, at: string, actor: string): ImportReport {
  return { fileId, format, status: 'IMPORTED', importedAt: at, importedBy: actor, posted: [], duplicates: [], suspense: [], returned: [], returnsNotApplied: [], skipped: [], rejected: [], controlTotals: null, totals: { posted: '0.00', duplicates: '0.00', suspense: '0.00', returned: '0.00' } };
}

export function methodOf(credit: Pick<FileCredit, 'source'>): PaymentMethod {
  return credit.source === 'lockbox' || credit.source === 'bai2:115' || credit.source === 'bai2:301' ? 'CHECK' : 'BANK';
}

export async function importPaymentFile(deps: ImportDeps, input: { format: PaymentFileFormat; content: string; actor: string }): Promise<ImportReport> {
  const at = deps.clock.now().toISOString();
  const fileId = paymentFileId(input.format, input.content);
  const report = emptyReport(fileId, input.format, at, input.actor);
  try {
    if (Buffer.byteLength(input.content, 'utf8') > MAX_PAYMENT_FILE_BYTES) throw new PaymentFileRejected(input.format, [{ line: 0, field: 'file', message: `the file is larger than ${MAX_PAYMENT_FILE_BYTES} bytes` }]);
    if (input.format === 'nacha-returns') await applyReturns(deps, input.content, fileId, input.actor, report);
    else {
      const read = input.format === 'bai2' ? fromBai2(input.content) : fromLockbox(input.content);
      report.controlTotals = read.controlTotals;
      report.skipped = read.skipped;
      await postCredits(deps, read.credits, fileId, input.actor, report);
    }
  } catch (error) {
    if (!(error instanceof PaymentFileRejected)) throw error;
    report.status = 'REJECTED';
    report.rejected = [...error.problems];
  }
  const sum = (lines: Array<{ amount: string }>) => formatMoney(sumAmounts(lines.map((l) => new Money(l.amount))));
  report.totals = { posted: sum(report.posted), duplicates: sum(report.duplicates), suspense: sum(report.suspense), returned: sum(report.returned) };
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'PAYMENT_FILE',
    entityId: fileId,
    at,
    actor: input.actor,
    action: report.status === 'REJECTED' ? 'payment-file.rejected' : 'payment-file.imported',
    details: { format: input.format, posted: report.posted.length, duplicates: report.duplicates.length, suspense: report.suspense.length, returned: report.returned.length, rejected: report.rejected.length, totalPosted: report.totals.posted, totalSuspense: report.totals.suspense, totalReturned: report.totals.returned },
  };
  await deps.files.saveReport(boundedReport(report), audit);
  return report;
}

/** Lines of each kind a stored or answered report lists (a DynamoDB item and a stored answer stay far below 400 KB). */
export const REPORT_LINES_PER_KIND = 250;

/** The report with each list cut to REPORT_LINES_PER_KIND lines (totals and counts stay whole); the command line prints it all. */
export function boundedReport(report: ImportReport, perKind = REPORT_LINES_PER_KIND): ImportReport {
  const lists = [report.posted, report.duplicates, report.suspense, report.returned, report.returnsNotApplied, report.skipped, report.rejected];
  if (lists.every((list) => list.length <= perKind)) return report;
  const cut = <T>(list: T[]) => list.slice(0, perKind);
  return {
    ...report,
    posted: cut(report.posted),
    duplicates: cut(report.duplicates),
    suspense: cut(report.suspense),
    returned: cut(report.returned),
    returnsNotApplied: cut(report.returnsNotApplied),
    skipped: cut(report.skipped),
    rejected: cut(report.rejected),
    truncated: { listedPerKind: perKind, lines: lists.reduce((sum, list) => sum + list.length, 0) },
  };
}

function fromBai2(content: string): { credits: FileCredit[]; skipped: SkippedRecord[]; controlTotals: ControlTotals } {
  const file = readBai2(content);
  return { ...bai2Credits(file), controlTotals: file.controlTotals };
}

function fromLockbox(content: string): { credits: FileCredit[]; skipped: SkippedRecord[]; controlTotals: ControlTotals } {
  return { ...readLockbox(content), skipped: [] };
}

async function postCredits(deps: ImportDeps, credits: FileCredit[], fileId: string, actor: string, report: ImportReport): Promise<void> {
  const named = [...new Set(credits.flatMap((c) => (c.accountId && ACCOUNT_ID.test(c.accountId) ? [c.accountId] : [])))];
  const known = new Set((named.length > 0 ? await deps.accounts.getMany(named) : []).map((a) => a.accountId));
  // Accounts a few at a time; one account's credits in file order (each allocation sees the one before).
  const byAccount = new Map<string, FileCredit[]>();
  for (const credit of credits) {
    const group = byAccount.get(credit.accountId ?? '');
    if (group) group.push(credit);
    else byAccount.set(credit.accountId ?? '', [credit]);
  }
  await mapLimit([...byAccount.values()], IMPORT_CONCURRENCY, async (group) => {
    for (const credit of group) await postCredit(deps, credit, known, fileId, actor, report);
  });
  for (const list of [report.posted, report.duplicates, report.suspense]) list.sort((a, b) => a.line - b.line);
}

async function postCredit(deps: ImportDeps, credit: FileCredit, known: ReadonlySet<string>, fileId: string, actor: string, report: ImportReport): Promise<void> {
  const line: Omit<SuspenseLine, 'reason'> = { line: credit.line, ...(credit.accountId ? { accountId: credit.accountId } : {}), amount: credit.amount, ...(credit.reference ? { reference: credit.reference } : {}) };
  const reason = !credit.accountId ? 'the record names no account' : !known.has(credit.accountId) ? `no account ${credit.accountId}` : new Money(credit.amount).gt(MAX_FILE_CREDIT) ? `more than ${formatMoney(MAX_FILE_CREDIT)} for one account: for staff to check` : undefined;
  if (reason) {
    await deps.files.addSuspense({ fileId, ref: credit.ref, line: credit.line, amount: credit.amount, ...(credit.accountId ? { accountId: credit.accountId } : {}), ...(credit.reference ? { reference: credit.reference } : {}), ...(credit.date ? { date: credit.date } : {}), reason, source: credit.source, status: 'OPEN', receivedAt: report.importedAt });
    report.suspense.push({ ...line, reason });
    return;
  }
  const accountId = credit.accountId!;
  const paymentId = filePaymentId(accountId, fileId, credit.ref);
  const posted: PostedLine = { line: credit.line, accountId, amount: credit.amount, paymentId };
  const earlier = await deps.ledger.getPayment(paymentId);
  if (earlier) {
    report.duplicates.push(posted);
    return;
  }
  const sameCheck = credit.reference ? await sameReferencePosted(deps.ledger, accountId, credit.reference, credit.amount, paymentId) : undefined;
  if (sameCheck) {
    report.duplicates.push({ ...posted, paymentId: sameCheck });
    return;
  }
  try {
    await postPayment(deps, {
      paymentId,
      accountId,
      amount: credit.amount,
      method: methodOf(credit),
      channel: 'BANK_FILE',
      actor,
      description: `${report.format === 'lockbox' ? 'Lockbox' : 'Bank'} payment ${paymentId} (file ${fileId} line ${credit.line})`,
      extra: { bankFileId: fileId, bankFileLine: credit.line, ...(credit.reference ? { reference: credit.reference } : {}) },
      auditDetails: { fileId, line: credit.line, source: credit.source },
    });
    report.posted.push(posted);
  } catch (error) {
    // A concurrent import of the same file posted this line first.
    if (error instanceof LedgerWriteRefused && (error.part === 'payment' || error.part === 'entry')) report.duplicates.push(posted);
    else throw error;
  }
}

/** A payment of another file (or line) for the same account with the same check number or bank reference and amount. */
async function sameReferencePosted(ledger: LedgerStore, accountId: string, reference: string, amount: string, paymentId: string): Promise<string | undefined> {
  const page = await ledger.listPayments(accountId, 100);
  return page.items.find((p) => p.paymentId !== paymentId && p.channel === 'BANK_FILE' && p.reference === reference && p.amount === formatMoney(new Money(amount)))?.paymentId;
}

async function applyReturns(deps: ImportDeps, content: string, fileId: string, actor: string, report: ImportReport): Promise<void> {
  const file = readNachaFile(content);
  const { returns, skipped } = nachaReturns(file);
  report.skipped = skipped;
  report.controlTotals = {
    expected: { amount: formatMoney(new Money(file.control.totalDebit).plus(file.control.totalCredit)), count: file.control.entryAddendaCount },
    found: { amount: formatMoney(new Money(file.found.totalDebit).plus(file.found.totalCredit)), count: file.found.entryAddendaCount },
  };
  for (const item of returns) {
    const line: ReturnedLine = { line: item.line, traceNumber: item.originalTrace, returnCode: item.returnCode, reason: item.reason, amount: item.amount };
    const paymentId = await deps.ledger.paymentIdByTrace(item.originalTrace);
    const payment = paymentId ? await deps.ledger.getPayment(paymentId) : undefined;
    if (!payment) {
      report.returnsNotApplied.push({ ...line, why: `no autopay payment has trace number ${item.originalTrace}` });
      continue;
    }
    const found = { ...line, paymentId: payment.paymentId, accountId: payment.accountId };
    if (payment.amount !== item.amount) {
      report.returnsNotApplied.push({ ...found, why: `the return is for ${item.amount}, the payment was ${payment.amount}: for staff to check` });
      continue;
    }
    if (item.individualId && item.individualId.toUpperCase() !== payment.accountId.toUpperCase()) {
      report.returnsNotApplied.push({ ...found, why: `the return names account ${item.individualId}, the payment is of ${payment.accountId}: for staff to check` });
      continue;
    }
    if (payment.status !== 'POSTED') {
      report.returnsNotApplied.push({ ...found, why: `payment ${payment.paymentId} was returned already` });
      continue;
    }
    try {
      await returnPayment(deps, { paymentId: payment.paymentId, reason: `${item.returnCode} ${item.reason}`, actor, webhookEvent: { eventId: `nacha-return:${fileId}:${item.traceNumber}`, type: 'nacha.return' } });
      report.returned.push(found);
    } catch (error) {
      if (error instanceof PaymentNotReturnable || (error instanceof LedgerWriteRefused && error.part === 'webhook')) report.returnsNotApplied.push({ ...found, why: `payment ${payment.paymentId} was returned already` });
      else throw error;
    }
  }
}

export class PaymentFileNotFound extends NotFoundError {
  override name = 'PaymentFileNotFound';
}

/**
 * POST /staff/payment-files with an Idempotency-Key: imports the file and answers 201 with its
 * report, or 400 naming every rejected line and field (with the report); a retry with the same
 * key and file replays the answer.
 */
export async function uploadPaymentFile(deps: ImportDeps & IdempotencyDeps, actor: string, input: { idempotencyKey: string; format: PaymentFileFormat; content: string }): Promise<RequestOutcome> {
  const key = `payment-file:${input.idempotencyKey}`;
  return idempotent(deps, key, requestFingerprint({ format: input.format, content: input.content }), async (token) => {
    const report = boundedReport(await importPaymentFile(deps, { format: input.format, content: input.content, actor }));
    const outcome: RequestOutcome =
      report.status === 'REJECTED'
        ? { statusCode: 400, body: { message: new PaymentFileRejected(report.format, report.rejected).message, code: 'PaymentFileRejected', issues: report.rejected.map((p) => ({ path: p.line > 0 ? `line ${p.line} ${p.field}` : p.field, message: p.message })), report } }
        : { statusCode: 201, body: { report } };
    await deps.ledger.completeRequest({ key, token, outcome });
    return outcome;
  });
}

/** GET /staff/payment-files/{fileId}: the report of the file's first import. */
export async function getPaymentFile(deps: { files: PaymentFileStore }, fileId: string): Promise<{ report: ImportReport }> {
  const report = await deps.files.getReport(fileId);
  if (!report) throw new PaymentFileNotFound(`payment file ${fileId} was never imported`);
  return { report };
}
