/**
 * Refunds of a credit balance (billing, admin): at most the account's credit, behind an
 * Idempotency-Key; refunds of one account are serialized by its refund guard, so two refunds
 * racing for the same credit cannot both pass the check.
 */
import { accountBalance, refundEntry } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { refundIdFor, requestFingerprint } from '../../domain/payments';
import { localDate } from '../../domain/calendar';
import { AccountNotFound } from '../errors';
import type { AccountStore } from '../ports';
import { RefundExceedsCredit } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { RequestOutcome } from './ports';

export interface RefundDeps extends IdempotencyDeps {
  accounts: AccountStore;
  newId: () => string;
  timeZone: string;
}

export async function refundCredit(deps: RefundDeps, actor: string, input: { accountId: string; idempotencyKey: string; amount: string; reason: string }): Promise<RequestOutcome> {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const key = `refund:${input.accountId}:${input.idempotencyKey}`;
  return idempotent(deps, key, requestFingerprint({ amount: input.amount, reason: input.reason }), async (token) => {
    const guard = await deps.ledger.refundGuardVersion(input.accountId);
    const now = deps.clock.now();
    const balance = accountBalance(await deps.ledger.listEntries(input.accountId), localDate(Math.floor(now.getTime() / 1000), deps.timeZone));
    const amount = new Money(input.amount);
    if (amount.gt(balance.credit)) throw new RefundExceedsCredit('exceeds-credit', `the refund of ${formatMoney(amount)} is more than the account's credit of ${balance.credit}`);
    const refundId = refundIdFor(input.accountId, input.idempotencyKey);
    const at = now.toISOString();
    const entry = refundEntry({ accountId: input.accountId, refundId, amount, postedAt: at, description: `Refund ${refundId} of a credit balance: ${input.reason}`, actor });
    const refund = { refundId, accountId: input.accountId, amount: formatMoney(amount), reason: input.reason, entryId: entry.entryId, refundedAt: at, actor };
    const outcome: RequestOutcome = { statusCode: 201, body: { refund } };
    await deps.ledger.commit({
      entries: [entry],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'refund.issued', details: { refundId, amount: refund.amount, reason: input.reason, entryId: entry.entryId } }],
      request: { key, token, outcome },
      refundGuard: { accountId: input.accountId, expectedVersion: guard },
    });
    return outcome;
  });
}
