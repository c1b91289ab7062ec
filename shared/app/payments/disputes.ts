/**
 * Disputes of charges: staff (csr, billing, admin) open one naming the charge entries and the
 * amount disputed, and close it with a resolution; each change and its audit event are one
 * transaction. While a dispute is OPEN its amount draws no late fee.
 */
import { disputedAmountFor, type Dispute } from '../../domain/disputes';
import { openCharges } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { AccountNotFound } from '../errors';
import type { AccountStore, Clock } from '../ports';
import { DisputeNotFound, DisputeNotOpen } from './errors';
import type { LedgerStore } from './ports';

export interface DisputeDeps {
  accounts: AccountStore;
  ledger: LedgerStore;
  clock: Clock;
  newId: () => string;
}

async function mustAccount(deps: DisputeDeps, accountId: string): Promise<void> {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
}

/** POST /staff/accounts/{accountId}/disputes */
export async function openDispute(deps: DisputeDeps, actor: string, input: { accountId: string; entryIds: string[]; amount?: string | undefined; reason: string }): Promise<{ dispute: Dispute }> {
  await mustAccount(deps, input.accountId);
  const entries = await deps.ledger.listEntries(input.accountId);
  const amount = disputedAmountFor(entries, openCharges(entries).charges, input.entryIds, input.amount === undefined ? undefined : new Money(input.amount));
  const at = deps.clock.now().toISOString();
  const dispute: Dispute = { disputeId: `DP${deps.newId()}`, accountId: input.accountId, status: 'OPEN', entryIds: [...input.entryIds], amount: formatMoney(amount), reason: input.reason, openedAt: at, openedBy: actor };
  await deps.ledger.commit({
    entries: [],
    audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'dispute.opened', details: { disputeId: dispute.disputeId, entryIds: dispute.entryIds.join(','), amount: dispute.amount, reason: input.reason } }],
    dispute: { value: dispute },
  });
  return { dispute };
}

/** POST /staff/accounts/{accountId}/disputes/{disputeId}/close */
export async function closeDispute(deps: DisputeDeps, actor: string, input: { accountId: string; disputeId: string; resolution: string }): Promise<{ dispute: Dispute }> {
  await mustAccount(deps, input.accountId);
  const dispute = (await deps.ledger.listDisputes(input.accountId)).find((d) => d.disputeId === input.disputeId);
  if (!dispute) throw new DisputeNotFound(`account ${input.accountId} has no dispute ${input.disputeId}`);
  if (dispute.status !== 'OPEN') throw new DisputeNotOpen(`dispute ${input.disputeId} was closed already`);
  const at = deps.clock.now().toISOString();
  const closed: Dispute = { ...dispute, status: 'CLOSED', closedAt: at, closedBy: actor, resolution: input.resolution };
  await deps.ledger.commit({
    entries: [],
    audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'dispute.closed', details: { disputeId: dispute.disputeId, resolution: input.resolution } }],
    dispute: { value: closed, expectedStatus: 'OPEN' },
  });
  return { dispute: closed };
}
