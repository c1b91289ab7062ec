/**
 * Corrections by billing staff: an adjustment (a debit charges, a credit forgives) behind an
 * Idempotency-Key, and the reversal of a fee, adjustment, refund, transfer or opening balance
 * entered in error. Payments are returned instead (return-payment), bills are rebilled.
 */
import { adjustmentEntry, reversalOf, STAFF_REVERSIBLE_KINDS, type LedgerEntry } from '../../domain/ledger';
import { formatMoney, Money } from '../../domain/money';
import { adjustmentIdFor, requestFingerprint } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore } from '../ports';
import { EntryAlreadyReversed, EntryNotFound, EntryNotReversible, LedgerWriteRefused } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { RequestOutcome } from './ports';

export interface AdjustDeps extends IdempotencyDeps {
  accounts: AccountStore;
  newId: () => string;
}

async function mustAccount(deps: AdjustDeps, accountId: string): Promise<void> {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
}

export async function adjustBalance(
  deps: AdjustDeps,
  actor: string,
  input: { accountId: string; idempotencyKey: string; amount: string; direction: 'debit' | 'credit'; service?: string | undefined; reason: string },
): Promise<RequestOutcome> {
  await mustAccount(deps, input.accountId);
  const key = `adjustment:${input.accountId}:${input.idempotencyKey}`;
  const fingerprint = requestFingerprint({ amount: input.amount, direction: input.direction, service: input.service ?? null, reason: input.reason });
  return idempotent(deps, key, fingerprint, async (token) => {
    const at = deps.clock.now().toISOString();
    const adjustmentId = adjustmentIdFor(input.accountId, input.idempotencyKey);
    const amount = new Money(input.amount);
    const entry = adjustmentEntry({ accountId: input.accountId, adjustmentId, amount, direction: input.direction, service: input.service, postedAt: at, description: `Adjustment ${adjustmentId}: ${input.reason}`, actor });
    const outcome: RequestOutcome = { statusCode: 201, body: { entry } };
    await deps.ledger.commit({
      entries: [entry],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'ledger.adjusted', details: { entryId: entry.entryId, amount: formatMoney(amount), direction: input.direction, service: input.service ?? null, reason: input.reason } }],
      request: { key, token, outcome },
    });
    return outcome;
  });
}

export async function reverseEntry(deps: AdjustDeps, actor: string, input: { accountId: string; entryId: string; reason: string }): Promise<{ reversal: LedgerEntry }> {
  await mustAccount(deps, input.accountId);
  const entries = await deps.ledger.listEntries(input.accountId);
  const original = entries.find((entry) => entry.entryId === input.entryId);
  if (!original) throw new EntryNotFound(`account ${input.accountId} has no ledger entry ${input.entryId}`);
  if (!STAFF_REVERSIBLE_KINDS.has(original.kind)) {
    const instead = original.kind === 'PAYMENT' ? 'return the payment instead' : original.kind === 'BILL' ? 'bills are corrected by rebilling' : 'a reversal is final; post a new entry instead';
    throw new EntryNotReversible('not-reversible', `a ${original.kind} entry cannot be reversed here: ${instead}`);
  }
  if (entries.some((entry) => entry.reverses === original.entryId)) throw new EntryAlreadyReversed(`entry ${original.entryId} was reversed already`);
  const at = deps.clock.now().toISOString();
  const reversal = reversalOf(original, { postedAt: at, description: `Reversal of ${original.entryId} (${original.kind}): ${input.reason}`, actor });
  try {
    await deps.ledger.commit({
      entries: [reversal],
      audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: input.accountId, at, actor, action: 'ledger.reversed', details: { entryId: original.entryId, kind: original.kind, reversalEntryId: reversal.entryId, reason: input.reason } }],
    });
  } catch (error) {
    if (error instanceof LedgerWriteRefused && error.part === 'entry') throw new EntryAlreadyReversed(`entry ${original.entryId} was reversed already`);
    throw error;
  }
  return { reversal };
}
