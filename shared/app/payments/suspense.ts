/**
 * Credits of imported files that named no known account wait in suspense until staff apply them
 * to an account: the payment's id derives from the file and line alone, so a credit is posted at
 * most once whichever account it goes to, and applying it again to the same account answers the
 * same. A crash between posting and marking is finished by the next attempt.
 */
import { paymentIdFor, type Payment } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore, Clock, Page } from '../ports';
import type { PaymentFileStore, SuspenseItem } from './bank-ports';
import { LedgerWriteRefused, SuspenseAlreadyApplied, SuspenseNotFound } from './errors';
import { methodOf } from './import-payment-file';
import type { LedgerStore } from './ports';
import { postPayment } from './post-payment';

export interface SuspenseDeps {
  ledger: LedgerStore;
  accounts: AccountStore;
  files: PaymentFileStore;
  clock: Clock;
  newId: () => string;
}

/** One payment per suspense credit, whatever account it is applied to. */
export function suspensePaymentId(fileId: string, ref: string): string {
  return paymentIdFor('SUSPENSE', `FILE:${fileId}:${ref}`);
}

export async function listSuspense(deps: Pick<SuspenseDeps, 'files'>, input: { status: SuspenseItem['status']; limit: number; cursor?: string | undefined }): Promise<Page<SuspenseItem>> {
  return deps.files.listSuspense(input.status, input.limit, input.cursor);
}

/** POST /staff/payment-suspense/{fileId}/{ref}/apply {accountId}: posts the credit to the account and marks it applied. */
export async function applySuspense(deps: SuspenseDeps, actor: string, input: { fileId: string; ref: string; accountId: string }): Promise<{ suspense: SuspenseItem; payment: Payment }> {
  const item = await deps.files.getSuspense(input.fileId, input.ref);
  if (!item) throw new SuspenseNotFound(`no suspense credit ${input.ref} of file ${input.fileId}`);
  const paymentId = suspensePaymentId(input.fileId, input.ref);
  if (item.status === 'APPLIED') {
    const payment = await deps.ledger.getPayment(paymentId);
    if (item.appliedTo === input.accountId && payment) return { suspense: item, payment };
    throw new SuspenseAlreadyApplied(`the credit was applied to account ${item.appliedTo ?? 'unknown'} already`);
  }
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  let payment = await deps.ledger.getPayment(paymentId);
  if (!payment) {
    try {
      await postPayment(deps, {
        paymentId,
        accountId: input.accountId,
        amount: item.amount,
        method: methodOf(item),
        channel: 'BANK_FILE',
        actor,
        description: `Payment ${paymentId} from suspense (file ${item.fileId} line ${item.line})`,
        extra: { bankFileId: item.fileId, bankFileLine: item.line, ...(item.reference ? { reference: item.reference } : {}) },
        auditDetails: { fileId: item.fileId, line: item.line, fromSuspense: true },
      });
    } catch (error) {
      // Applied at the same moment by someone else: their payment stands.
      if (!(error instanceof LedgerWriteRefused && (error.part === 'payment' || error.part === 'entry'))) throw error;
    }
    payment = await deps.ledger.getPayment(paymentId);
    if (!payment) throw new SuspenseAlreadyApplied('the credit is being applied by another request; try again');
  }
  const at = deps.clock.now().toISOString();
  const applied: SuspenseItem = { ...item, status: 'APPLIED', appliedTo: payment.accountId, paymentId, appliedAt: at, appliedBy: actor };
  await deps.files.markSuspenseApplied(applied, { eventId: deps.newId(), entityType: 'PAYMENT_FILE', entityId: item.fileId, at, actor, action: 'suspense.applied', details: { ref: item.ref, line: item.line, amount: item.amount, accountId: payment.accountId, paymentId } });
  // A half-done earlier attempt posted it to another account: that stands, and is now recorded.
  if (payment.accountId !== input.accountId) throw new SuspenseAlreadyApplied(`the credit was applied to account ${payment.accountId} already`);
  return { suspense: applied, payment };
}
