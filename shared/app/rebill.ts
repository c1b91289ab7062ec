/**
 * Cancel and rebill (billing staff): after a read or tariff correction, a posted bill is rated
 * again for its period from the corrected reads and tariffs, with the same checks as a billing
 * run, as the next revision of the account's bill. One transaction cancels the original (only
 * while it is ISSUED), posts the reversal of its ledger entry, writes the corrected bill (posted,
 * or held for review when it fails the checks) with what changed and why, removes the rebill
 * marks read corrections left on the original, and records the audit event. A retry after a
 * failure finds the original still ISSUED and does it again; a second rebill of the same bill
 * gets 409 (BillNotIssued).
 */
import type { Account } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
import type { Bill } from '../domain/billing';
import { RuleViolation } from '../domain/errors';
import type { StaffPrincipal } from '../domain/identity';
import { reversalOf, type LedgerEntry } from '../domain/ledger';
import { billCorrections, correctionMessage, type BillCorrection } from '../domain/rebill';
import { MAX_BILL_REVISIONS, prepareAccountBill, type BillSegmentDeps } from './bill-segment';
import { AccountNotFound, BillNotIssued } from './errors';
import { findAccountBill } from './bill-document';
import type { RebillStore } from './ports';

export interface RebillDeps extends BillSegmentDeps {
  bills: BillSegmentDeps['bills'] & RebillStore;
  ledger: { listEntries(accountId: string): Promise<LedgerEntry[]> };
  newId: () => string;
}

export interface RebillResult {
  cancelled: Bill;
  replacement: Bill;
  reversal: LedgerEntry;
  corrections: BillCorrection[];
}

export async function rebillBill(deps: RebillDeps, principal: StaffPrincipal, input: { accountId: string; billId: string; reason: string }): Promise<RebillResult> {
  const account: Account | undefined = await deps.accounts.get(input.accountId);
  if (!account) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const { bill: original } = await findAccountBill(deps.bills, input.accountId, input.billId);
  if (original.status !== 'ISSUED') {
    throw new BillNotIssued(`bill ${original.billId} is ${original.status}${original.replacedBy ? ` (replaced by ${original.replacedBy.billId})` : ''}: only a posted bill is rebilled; a held bill is released or cancelled in the bill exception queue`);
  }
  const revision = (original.revision ?? 1) + 1;
  if (revision > MAX_BILL_REVISIONS) throw new RuleViolation('too-many-revisions', `bill ${original.billId} has been rebilled ${MAX_BILL_REVISIONS - 1} times`);
  const entries = await deps.ledger.listEntries(input.accountId);
  const billEntry = entries.find((entry) => entry.kind === 'BILL' && entry.billId === original.billId);
  if (!billEntry) throw new BillNotIssued(`bill ${original.billId} has no ledger entry`);
  if (entries.some((entry) => entry.reverses === billEntry.entryId)) throw new BillNotIssued(`the ledger entry of bill ${original.billId} is reversed already`);

  const at = deps.clock.now().toISOString();
  const runId = `rebill-${deps.newId().replace(/-/g, '').slice(0, 12)}`;
  const issue = await prepareAccountBill(deps, { runId, cycle: original.cycle, periodStart: original.periodStart, periodEnd: original.periodEnd }, account, revision, original.billId);
  const corrections = billCorrections(original, issue.bill);
  if (corrections.length === 0) throw new RuleViolation('rebill-unchanged', `rating bill ${original.billId} again gives the same bill: correct the reads or the tariff first`);
  const message = correctionMessage(original, issue.bill, corrections, input.reason);
  const replacement: Bill = { ...issue.bill, replaces: { billId: original.billId, reason: input.reason, corrections, message } };
  const cancelled: Bill = { ...original, status: 'CANCELLED', replacedBy: { billId: replacement.billId, reason: input.reason, at, by: principal.username } };
  const reversal = reversalOf(billEntry, { postedAt: at, description: `Bill ${original.billId} cancelled and rebilled: ${input.reason}`, actor: principal.username });
  const marks = await deps.bills.listRebillMarks(input.accountId, original.billId);
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'ACCOUNT',
    entityId: input.accountId,
    at,
    actor: principal.username,
    action: 'bill.rebilled',
    details: { billId: original.billId, replacementBillId: replacement.billId, replacementStatus: replacement.status, reason: input.reason, totalBefore: original.total, totalAfter: replacement.total, corrections: corrections.length, marks: marks.length },
  };
  await deps.bills.rebill({ original: cancelled, reversal, replacement: { ...issue, bill: replacement }, audit, marks: marks.map((mark) => mark.exceptionId) });
  // Announced for delivery; not the budget hook: the original's budget entry stays until the true-up.
  if (replacement.status === 'ISSUED' && deps.deliver) await deps.deliver([replacement]);
  deps.log.info('bill rebilled', { accountId: input.accountId, billId: original.billId, replacementBillId: replacement.billId, status: replacement.status });
  return { cancelled, replacement, reversal, corrections };
}
