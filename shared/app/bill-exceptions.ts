/**
 * The staff queue of held bills (bill exceptions): list it, and release or cancel a held bill.
 * Releasing posts the bill as it is in one transaction (bill HELD -> ISSUED with a due date
 * counted from the release, ledger entry, ledger key, history item, the record out of the queue,
 * the audit event, and a final bill's account flag as issuing does). Cancelling marks the bill
 * CANCELLED in one transaction; the next run for the same cycle and period bills the account
 * again (the next revision of the bill), e.g. after its reads or records are corrected.
 */
import type { AuditEvent } from '../domain/audit';
import type { DeliveredBill } from '../domain/bill-delivery';
import { NOT_RELEASABLE_REASONS, type BillExceptionReason, type HeldBill } from '../domain/bill-exceptions';
import { dueDateFor, DEFAULT_DUE_DAYS, type Bill } from '../domain/billing';
import type { StaffPrincipal } from '../domain/identity';
import { ledgerEntryForBill } from '../domain/ledger';
import { BillExceptionNotFound, BillNotHeld, BillNotReleasable } from './errors';
import type { BillStore, Clock, HeldBillStore, Page } from './ports';

export interface BillExceptionsDeps {
  bills: Pick<BillStore, 'get'> & HeldBillStore;
  clock: Clock;
  newId: () => string;
  timeZone: string;
  dueDays?: number;
  /** Follows a released bill as it follows an issued one (budget billing; idempotent per bill). */
  afterIssue?: (bills: ReadonlyArray<DeliveredBill>) => Promise<unknown>;
}

export async function listBillExceptions(deps: Pick<BillExceptionsDeps, 'bills'>, query: { reason?: string | undefined; limit: number; cursor?: string | undefined }): Promise<{ items: HeldBill[]; nextCursor: string | null }> {
  const page: Page<HeldBill> = await deps.bills.listHeld(query);
  return { items: page.items, nextCursor: page.nextCursor ?? null };
}

export interface ResolveBillExceptionInput {
  billId: string;
  action: 'release' | 'cancel';
  note?: string | undefined;
}

export async function resolveBillException(deps: BillExceptionsDeps, principal: StaffPrincipal, input: ResolveBillExceptionInput): Promise<{ exception: HeldBill; bill: Bill }> {
  const held = await deps.bills.getHeld(input.billId);
  if (!held) throw new BillExceptionNotFound(`bill ${input.billId} is not in the bill exception queue`);
  if (held.status !== 'OPEN') throw new BillNotHeld(`bill ${input.billId} was ${held.status.toLowerCase()} already${held.review ? ` by ${held.review.by} at ${held.review.at}` : ''}`);
  const bill = await deps.bills.get(held.accountId, held.periodStart, held.billId);
  if (!bill) throw new BillExceptionNotFound(`bill ${input.billId} of account ${held.accountId} does not exist`);
  if (bill.status !== 'HELD') throw new BillNotHeld(`bill ${input.billId} is ${bill.status}, not HELD`);
  if (input.action === 'release' && held.holds.some((hold) => NOT_RELEASABLE_REASONS.has(hold.reason as BillExceptionReason))) {
    throw new BillNotReleasable(`bill ${input.billId} has a service that could not be rated (${held.holds.map((hold) => hold.reason).join(', ')}): correct the tariff or meter, then cancel the bill; the next run bills the account again`);
  }
  const at = deps.clock.now().toISOString();
  const actionDone = input.action === 'release' ? 'released' : 'cancelled';
  const review = { action: actionDone, at, by: principal.username, ...(input.note ? { note: input.note } : {}) } as const;
  const exception: HeldBill = { ...held, status: input.action === 'release' ? 'RELEASED' : 'CANCELLED', review };
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'ACCOUNT',
    entityId: bill.accountId,
    at,
    actor: principal.username,
    action: `bill.${actionDone}`,
    details: { billId: bill.billId, runId: bill.runId, total: bill.total, periodStart: bill.periodStart, periodEnd: bill.periodEnd, reasons: held.holds.map((hold) => hold.reason).join(','), note: input.note ?? null },
  };
  if (input.action === 'cancel') {
    const cancelled: Bill = { ...bill, status: 'CANCELLED', review };
    await deps.bills.cancel({ bill: cancelled, exception, audit });
    return { exception, bill: cancelled };
  }
  // Issued now: the customer's due date counts from the release, not from when the run held it.
  const released: Bill = { ...bill, status: 'ISSUED', issuedAt: at, dueDate: dueDateFor(at, deps.timeZone, deps.dueDays ?? DEFAULT_DUE_DAYS), review };
  audit.details['dueDate'] = released.dueDate;
  await deps.bills.release({ bill: released, entry: ledgerEntryForBill(released, at), exception, audit });
  // A failure here leaves the bill released; the budget entry is keyed by the bill, so applying it again later posts it once.
  if (deps.afterIssue) await deps.afterIssue([released]);
  return { exception, bill: released };
}
