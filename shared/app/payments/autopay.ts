/**
 * Autopay by ACH: enrollment (the customer in the portal for their own accounts, staff on a
 * signed form; audited, the full account number kept only where the file writer reads it) and
 * the autopay run of a debit day: every enrolled account with a bill due that day is debited for
 * what it owes up to that day, each debit a PAYMENT (channel AUTOPAY) keyed by account and day
 * with its NACHA trace number, and the PPD file of all of them is stored for the day.
 */
import type { Decimal } from 'decimal.js';
import type { AuditEvent } from '../../domain/audit';
import { enrollmentView, newDebitInstruction, type AutopayEnrollment, type BankAccountType, type DebitInstruction } from '../../domain/autopay';
import { NotFoundError, RuleViolation } from '../../domain/errors';
import { requireOwnAccount } from '../../domain/identity';
import { openCharges, type LedgerEntry } from '../../domain/ledger';
import { formatMoney, Money, sumAmounts } from '../../domain/money';
import { fileIdModifierFor, MAX_ENTRY_CENTS, traceNumberFor, writeNachaPpdDebits, type NachaDebit, type NachaOriginator } from '../../domain/nacha';
import { amountToCents } from '../../domain/payment-files';
import { paymentIdFor, type Payment } from '../../domain/payments';
import { mapLimit } from '../concurrency';
import { AccountNotFound, DependencyUnavailable } from '../errors';
import type { AccountStore, Clock } from '../ports';
import type { AchFileRecord, AutopayStore } from './bank-ports';
import { LedgerWriteRefused } from './errors';
import type { LedgerStore } from './ports';
import { postPayment } from './post-payment';

export interface AutopayDeps {
  accounts: AccountStore;
  autopay: AutopayStore;
  clock: Clock;
  newId: () => string;
}

export interface AutopayRunDeps extends AutopayDeps {
  ledger: LedgerStore;
  /** Absent: ACH is not configured for this deployment (runs answer 503). */
  achOriginator: NachaOriginator | undefined;
}

export class AutopayNotEnrolled extends NotFoundError {
  override name = 'AutopayNotEnrolled';
}

/** Trace sequence numbers are 7 digits; they wrap after 9,999,999. */
const TRACE_SEQUENCES = 9_999_999;
const TRACE_ATTEMPTS = 5;
/** Accounts read or debited at once by a run. */
const RUN_CONCURRENCY = 8;
/** The largest single debit (the same limit as one payment over HTTP). */
const MAX_DEBIT = new Money('100000.00');

interface EnrollInput {
  accountId: string;
  routingNumber: string;
  accountNumber: string;
  accountType: BankAccountType;
  accountHolder: string;
  paperless?: boolean | undefined;
}

async function enroll(deps: AutopayDeps, actor: string, input: EnrollInput): Promise<{ autopay: AutopayEnrollment }> {
  const at = deps.clock.now().toISOString();
  const instruction = newDebitInstruction({ ...input, at, actor });
  const view = enrollmentView(instruction);
  await deps.autopay.saveEnrollment(instruction, audit(deps, input.accountId, at, actor, 'autopay.enrolled', { routingNumber: view.routingNumber, accountLast4: view.accountLast4, accountType: view.accountType, ...(view.paperless !== undefined ? { paperless: view.paperless } : {}) }));
  return { autopay: view };
}

async function cancel(deps: AutopayDeps, actor: string, accountId: string): Promise<{ autopay: AutopayEnrollment }> {
  const current = await deps.autopay.getEnrollment(accountId);
  if (!current || current.status !== 'ACTIVE') throw new AutopayNotEnrolled(`account ${accountId} has no active autopay enrollment`);
  const at = deps.clock.now().toISOString();
  const cancelled: AutopayEnrollment = { ...current, status: 'CANCELLED', cancelledAt: at, cancelledBy: actor };
  await deps.autopay.cancelEnrollment(cancelled, audit(deps, accountId, at, actor, 'autopay.cancelled', { accountLast4: current.accountLast4 }));
  return { autopay: cancelled };
}

function audit(deps: { newId: () => string }, accountId: string, at: string, actor: string, action: string, details: AuditEvent['details']): AuditEvent {
  return { eventId: deps.newId(), entityType: 'ACCOUNT', entityId: accountId, at, actor, action, details };
}

/** PUT /portal/accounts/{id}/autopay: the customer's own account only. */
export async function enrollMyAutopay(deps: AutopayDeps, principal: { customerId: string }, input: EnrollInput) {
  requireOwnAccount(await deps.accounts.get(input.accountId), principal.customerId, input.accountId);
  return enroll(deps, `customer:${principal.customerId}`, input);
}

/** DELETE /portal/accounts/{id}/autopay. */
export async function cancelMyAutopay(deps: AutopayDeps, principal: { customerId: string }, accountId: string) {
  requireOwnAccount(await deps.accounts.get(accountId), principal.customerId, accountId);
  return cancel(deps, `customer:${principal.customerId}`, accountId);
}

/** GET /portal/accounts/{id}/autopay: the enrollment (last four digits only), or null. */
export async function getMyAutopay(deps: AutopayDeps, principal: { customerId: string }, accountId: string) {
  requireOwnAccount(await deps.accounts.get(accountId), principal.customerId, accountId);
  return { accountId, autopay: (await deps.autopay.getEnrollment(accountId)) ?? null };
}

/** PUT /staff/accounts/{id}/autopay (csr, admin): from the customer's signed authorization. */
export async function enrollAutopay(deps: AutopayDeps, actor: string, input: EnrollInput) {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  return enroll(deps, actor, input);
}

/** DELETE /staff/accounts/{id}/autopay (csr, admin). */
export async function cancelAutopay(deps: AutopayDeps, actor: string, accountId: string) {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
  return cancel(deps, actor, accountId);
}

export interface AutopayRunEntry {
  accountId: string;
  paymentId: string;
  amount: string;
  traceNumber: string;
  /** posted: by this run; already-posted: by an earlier (or a concurrent) run of the same day. */
  status: 'posted' | 'already-posted';
}

export interface AutopayRunResult {
  debitDate: string;
  entries: AutopayRunEntry[];
  skipped: Array<{ accountId: string; reason: string }>;
  file: Omit<AchFileRecord, 'text'> | null;
  /** The NACHA file (null when nobody is debited that day). */
  text: string | null;
}

/** The payment id of an account's autopay debit of a day: a rerun of the day finds it instead of debiting twice. */
export function autopayPaymentId(accountId: string, debitDate: string): string {
  return paymentIdFor(accountId, `AUTOPAY:${debitDate}`);
}

/** What an enrolled account owes for a debit day: open charges due on or before it, when one falls due that very day. */
function amountDue(entries: readonly LedgerEntry[], debitDate: string): { amount: Decimal; dueThatDay: boolean } {
  const { charges } = openCharges(entries);
  return { amount: sumAmounts(charges.filter((c) => c.dueDate <= debitDate).map((c) => c.open)), dueThatDay: charges.some((c) => c.dueDate === debitDate) };
}

/**
 * The autopay run of `debitDate` (the NACHA effective entry date). Safe to rerun and to run twice
 * at once: each debit is a payment keyed by account and day, posted once, and the file is made
 * from every payment of the day (with the trace numbers they were posted with).
 */
export async function runAutopay(deps: AutopayRunDeps, input: { debitDate: string; actor: string }): Promise<AutopayRunResult> {
  const originator = deps.achOriginator;
  if (!originator) throw new DependencyUnavailable('ACH is not configured for this deployment (the achOriginator setting)');
  const { debitDate, actor } = input;
  const today = deps.clock.now().toISOString().slice(0, 10);
  if (debitDate < today) throw new RuleViolation('debit-date-past', `the debit date ${debitDate} is before today (${today})`);

  const accountIds: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.autopay.listActive(cursor);
    accountIds.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);

  const skipped: AutopayRunResult['skipped'] = [];
  const existing: Array<{ instruction: DebitInstruction | undefined; payment: Payment }> = [];
  const toPost: Array<{ instruction: DebitInstruction; amount: string }> = [];
  // Accounts are independent: read them a few at a time, in account order.
  const assessed = await mapLimit(accountIds.sort(), RUN_CONCURRENCY, async (accountId) => {
    const [instruction, payment] = await Promise.all([deps.autopay.getInstruction(accountId), deps.ledger.getPayment(autopayPaymentId(accountId, debitDate))]);
    if (payment) return { accountId, instruction, payment };
    if (!instruction || instruction.status !== 'ACTIVE') return { accountId };
    return { accountId, instruction, due: amountDue(await deps.ledger.listEntries(accountId), debitDate) };
  });
  for (const { accountId, instruction, payment, due } of assessed) {
    if (payment) existing.push({ instruction, payment });
    if (!instruction || !due || !due.dueThatDay) continue;
    if (!due.amount.gt(0)) skipped.push({ accountId, reason: 'nothing owed' });
    else if (due.amount.gt(MAX_DEBIT) || amountToCents(formatMoney(due.amount)) > MAX_ENTRY_CENTS) skipped.push({ accountId, reason: `${formatMoney(due.amount)} is more than one debit may take (${formatMoney(MAX_DEBIT)})` });
    else toPost.push({ instruction, amount: formatMoney(due.amount) });
  }

  const entries: AutopayRunEntry[] = existing.map(({ payment }) => ({ accountId: payment.accountId, paymentId: payment.paymentId, amount: payment.amount, traceNumber: payment.traceNumber ?? '', status: 'already-posted' }));
  const first = toPost.length > 0 ? await deps.autopay.reserveTraceSequences(toPost.length) : 0;
  await mapLimit(toPost, RUN_CONCURRENCY, async ({ instruction, amount }, index) => {
    const paymentId = autopayPaymentId(instruction.accountId, debitDate);
    let sequence = ((first + index - 1) % TRACE_SEQUENCES) + 1;
    for (let attempt = 1; ; attempt++) {
      const traceNumber = traceNumberFor(originator.originatingDfi, sequence);
      try {
        await postPayment({ ledger: deps.ledger, clock: deps.clock, newId: deps.newId }, {
          paymentId,
          accountId: instruction.accountId,
          amount,
          method: 'BANK',
          channel: 'AUTOPAY',
          actor,
          description: `Autopay debit ${paymentId} for ${debitDate} (trace ${traceNumber})`,
          extra: { traceNumber, debitDate, reference: traceNumber },
          achTrace: traceNumber,
          auditDetails: { traceNumber, debitDate },
        });
        entries.push({ accountId: instruction.accountId, paymentId, amount, traceNumber, status: 'posted' });
        return;
      } catch (error) {
        if (!(error instanceof LedgerWriteRefused)) throw error;
        // The sequence came round to a trace number still held by an old debit: take a fresh one.
        if (error.part === 'trace' && attempt < TRACE_ATTEMPTS) {
          sequence = ((await deps.autopay.reserveTraceSequences(1)) - 1) % TRACE_SEQUENCES + 1;
          continue;
        }
        // A concurrent run of the same day posted it first: its payment (and trace number) go into the file.
        if (error.part !== 'payment' && error.part !== 'entry') throw error;
        const payment = await deps.ledger.getPayment(paymentId);
        if (!payment) throw error;
        existing.push({ instruction, payment });
        entries.push({ accountId: payment.accountId, paymentId, amount: payment.amount, traceNumber: payment.traceNumber ?? '', status: 'already-posted' });
        return;
      }
    }
  });
  entries.sort((a, b) => a.traceNumber.localeCompare(b.traceNumber));

  const instructions = new Map([...toPost.map((p) => p.instruction), ...existing.flatMap((e) => (e.instruction ? [e.instruction] : []))].map((i) => [i.accountId, i]));
  const debits: NachaDebit[] = [];
  for (const entry of entries) {
    const instruction = instructions.get(entry.accountId);
    if (!instruction || !instruction.accountNumber) {
      skipped.push({ accountId: entry.accountId, reason: `payment ${entry.paymentId} was posted for this day but the enrollment has since been cancelled: return it by hand` });
      continue;
    }
    debits.push({ routingNumber: instruction.routingNumber, accountNumber: instruction.accountNumber, accountType: instruction.accountType, amount: entry.amount, individualId: entry.accountId, individualName: instruction.accountHolder, traceNumber: entry.traceNumber });
  }
  if (debits.length === 0) return { debitDate, entries, skipped, file: null, text: null };

  const createdAt = deps.clock.now().toISOString();
  const nacha = writeNachaPpdDebits({ originator, effectiveDate: debitDate, createdAt, fileIdModifier: fileIdModifierFor(debitDate), entries: debits });
  const previous = await deps.autopay.getAchFile(debitDate);
  const record: AchFileRecord = { debitDate, createdAt, createdBy: actor, text: nacha.text, entryCount: nacha.entryCount, totalDebit: nacha.totalDebit, entryHash: nacha.entryHash, generation: (previous?.generation ?? 0) + 1 };
  await deps.autopay.saveAchFile(record, { eventId: deps.newId(), entityType: 'ACH_FILE', entityId: debitDate, at: createdAt, actor, action: 'autopay.file-created', details: { entryCount: record.entryCount, totalDebit: record.totalDebit, generation: record.generation, posted: entries.filter((e) => e.status === 'posted').length } });
  const { text, ...file } = record;
  return { debitDate, entries, skipped, file, text };
}
