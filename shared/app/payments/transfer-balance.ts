/**
 * Balance transfer at move-out (csr, billing, admin): the closing account's balance (what it
 * owes, or its credit) moves to another account of the same customer, or of another customer
 * with the customer's recorded consent, as a pair of TRANSFER entries in one transaction
 * (shared/domain/ledger transferEntries) behind an Idempotency-Key, audited on both accounts.
 * The closing account's refund guard is advanced, so a refund of its credit and a transfer of
 * the same credit cannot both pass.
 */
import { createHash } from 'node:crypto';
import { addDays } from '../../domain/calendar';
import { accountBalance, DEFAULT_DUE_DAYS, transferEntries } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { requestFingerprint } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore } from '../ports';
import { today } from './arrangements';
import { TransferRefused } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { RequestOutcome } from './ports';

export interface TransferDeps extends IdempotencyDeps {
  accounts: AccountStore;
  newId: () => string;
  timeZone: string;
  /** Days from the transfer to the due date of the debt it moves (default 21). */
  dueDays?: number;
}

export function transferIdFor(accountId: string, idempotencyKey: string): string {
  return `X${createHash('sha256').update(JSON.stringify(['transfer', accountId, idempotencyKey])).digest('hex').slice(0, 20).toUpperCase()}`;
}

export async function transferBalance(
  deps: TransferDeps,
  actor: string,
  input: { accountId: string; toAccountId: string; idempotencyKey: string; consent?: boolean | undefined; reason?: string | undefined },
): Promise<RequestOutcome> {
  const [from, to] = await Promise.all([deps.accounts.get(input.accountId), deps.accounts.get(input.toAccountId)]);
  if (!from) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  if (!to) throw new AccountNotFound(`account ${input.toAccountId} does not exist`);
  if (from.accountId === to.accountId) throw new TransferRefused('same-account', 'a balance is transferred to another account');
  if (to.status !== 'ACTIVE') throw new TransferRefused('target-not-active', `account ${to.accountId} is not active; transfer to an account with service`);
  if (from.customerId !== to.customerId && !input.consent) throw new TransferRefused('other-customer', `account ${to.accountId} belongs to another customer; record the customer's consent (consent: true) to transfer`);
  const key = `transfer:${input.accountId}:${input.idempotencyKey}`;
  return idempotent(deps, key, requestFingerprint({ toAccountId: input.toAccountId, consent: input.consent ?? false, reason: input.reason ?? null }), async (token) => {
    const guard = await deps.ledger.refundGuardVersion(input.accountId);
    const day = today(deps);
    const balance = new Money(accountBalance(await deps.ledger.listEntries(input.accountId), day).balance);
    if (balance.isZero()) throw new TransferRefused('nothing-to-transfer', `account ${input.accountId} has no balance to transfer`);
    const transferId = transferIdFor(input.accountId, input.idempotencyKey);
    const at = deps.clock.now().toISOString();
    const [out, into] = transferEntries({
      fromAccountId: input.accountId,
      toAccountId: input.toAccountId,
      transferId,
      amount: balance,
      postedAt: at,
      dueDate: addDays(day, deps.dueDays ?? DEFAULT_DUE_DAYS),
      description: `Balance transfer ${transferId}${input.reason ? `: ${input.reason}` : ''}`,
      actor,
    });
    const details = { transferId, fromAccountId: input.accountId, toAccountId: input.toAccountId, amount: formatMoney(balance), consent: input.consent ?? false, sameCustomer: from.customerId === to.customerId, outEntryId: out.entryId, inEntryId: into.entryId };
    const outcome: RequestOutcome = { statusCode: 201, body: { transfer: { ...details, at }, entries: [out, into] } };
    await deps.ledger.commit({
      entries: [out, into],
      audit: [
        { eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'balance.transferred-out', details },
        { eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.toAccountId, at, actor, action: 'balance.transferred-in', details },
      ],
      request: { key, token, outcome },
      refundGuard: { accountId: input.accountId, expectedVersion: guard },
    });
    return outcome;
  });
}
