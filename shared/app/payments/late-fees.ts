/**
 * Late fees for one account on a day: the policy (shared/domain/late-fees) decides which open
 * bills draw a fee, skipping disputed amounts and charges an active arrangement covers; each fee
 * is a FEE entry keyed late-fee:<chargeEntryId> with its audit event in one transaction, so a
 * re-run (the daily collections workflow, or staff) posts nothing twice, even after a reversal.
 */
import { protectedCharges } from '../../domain/arrangements';
import { disputedByCharge } from '../../domain/disputes';
import { RuleViolation } from '../../domain/errors';
import { lateFees, type LateFeePolicy, type LateFeeSkip } from '../../domain/late-fees';
import { feeEntry, openCharges } from '../../domain/ledger';
import { formatMoney } from '../../domain/money';
import { requestFingerprint } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore } from '../ports';
import { activeArrangement, today, viewOf } from './arrangements';
import { LedgerWriteRefused } from './errors';
import { idempotent, type IdempotencyDeps } from './idempotent';
import type { RequestOutcome } from './ports';

export interface LateFeeDeps extends IdempotencyDeps {
  accounts: AccountStore;
  timeZone: string;
  newId: () => string;
  lateFeePolicy: LateFeePolicy;
}

export interface LateFeeRun {
  accountId: string;
  asOf: string;
  posted: Array<{ chargeEntryId: string; entryId: string; pastDue: string; fee: string }>;
  /** Charges that drew their fee before (the fee is never posted twice). */
  alreadyAssessed: string[];
  skipped: Array<{ chargeEntryId: string; reason: LateFeeSkip }>;
}

export const lateFeeKey = (chargeEntryId: string) => `late-fee:${chargeEntryId}`;

/** Assesses the account's late fees as of `asOf` (a day); `actor` is who runs it ("collections" for the daily workflow). */
export async function assessLateFees(deps: Omit<LateFeeDeps, keyof IdempotencyDeps> & Pick<IdempotencyDeps, 'ledger' | 'clock'>, accountId: string, asOf: string, actor = 'collections'): Promise<LateFeeRun> {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
  const [entries, disputes, arrangements] = await Promise.all([deps.ledger.listEntries(accountId), deps.ledger.listDisputes(accountId), deps.ledger.listArrangements(accountId)]);
  const { charges } = openCharges(entries);
  const arrangement = activeArrangement(arrangements);
  const tracking = arrangement ? (await viewOf(deps.ledger, arrangement, asOf)).tracking : undefined;
  const kinds = new Map(entries.map((entry) => [entry.entryId, entry.kind]));
  const decision = lateFees(deps.lateFeePolicy, { charges, kindOf: (id) => kinds.get(id), disputed: disputedByCharge(disputes, charges), protectedCharges: protectedCharges(arrangement, tracking), asOf });
  const assessed = new Set(entries.map((entry) => entry.idempotencyKey));
  const run: LateFeeRun = { accountId, asOf, posted: [], alreadyAssessed: [], skipped: decision.skipped };
  for (const { chargeEntryId, pastDue, fee } of decision.fees) {
    if (assessed.has(lateFeeKey(chargeEntryId))) {
      run.alreadyAssessed.push(chargeEntryId);
      continue;
    }
    const at = deps.clock.now().toISOString();
    const entry = feeEntry({ accountId, amount: fee, postedAt: at, idempotencyKey: lateFeeKey(chargeEntryId), description: `Late fee on ${chargeEntryId}: ${formatMoney(pastDue)} past due as of ${asOf}`, actor });
    try {
      await deps.ledger.commit({
        entries: [entry],
        audit: [{ eventId: deps.newId(), entityType: 'ACCOUNT', entityId: accountId, at, actor, action: 'late-fee.assessed', details: { chargeEntryId, entryId: entry.entryId, pastDue: formatMoney(pastDue), fee: formatMoney(fee), asOf } }],
      });
      run.posted.push({ chargeEntryId, entryId: entry.entryId, pastDue: formatMoney(pastDue), fee: formatMoney(fee) });
    } catch (error) {
      // A concurrent run posted this fee first.
      if (error instanceof LedgerWriteRefused && error.part === 'entry') run.alreadyAssessed.push(chargeEntryId);
      else throw error;
    }
  }
  return run;
}

/** POST /staff/accounts/{accountId}/late-fees with an Idempotency-Key: assesses as of `asOf` (default today, never a future day). */
export async function assessLateFeesRequest(deps: LateFeeDeps, actor: string, input: { accountId: string; idempotencyKey: string; asOf?: string | undefined }): Promise<RequestOutcome> {
  if (!(await deps.accounts.get(input.accountId))) throw new AccountNotFound(`account ${input.accountId} does not exist`);
  const day = today(deps);
  if (input.asOf && input.asOf > day) throw new RuleViolation('as-of-in-future', `asOf ${input.asOf} is after today (${day})`);
  const key = `late-fees:${input.accountId}:${input.idempotencyKey}`;
  return idempotent(deps, key, requestFingerprint({ asOf: input.asOf ?? null }), async (token) => {
    const run = await assessLateFees(deps, input.accountId, input.asOf ?? day, actor);
    const outcome: RequestOutcome = { statusCode: 200, body: run };
    await deps.ledger.completeRequest({ key, token, outcome });
    return outcome;
  });
}
