/**
 * Idempotent requests (the Idempotency-Key header): the first request with a key does the work
 * and stores its answer in the same transaction as its ledger write; a retry, or a concurrent
 * request, with the same key and body gets that answer; the same key with another body is 409.
 * A holder that dies leaves the key pending until its lease runs out; then a retry takes over.
 */
import type { Clock } from '../ports';
import { IdempotencyKeyReused, LedgerWriteRefused, RequestInProgress } from './errors';
import type { LedgerStore, RequestOutcome, RequestSlot } from './ports';

export interface IdempotencyDeps {
  ledger: LedgerStore;
  clock: Clock;
  /** How long a holder keeps a key before a retry may take over (longer than a request can run). */
  leaseMs?: number;
  /** How long a concurrent request waits for the holder's answer before it gets 409. */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_WAIT_MS = 8_000;
const POLL_MS = 100;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function answerOf(slot: RequestSlot, key: string, fingerprint: string): RequestOutcome | undefined {
  if (slot.state === 'started') return undefined;
  if (slot.fingerprint !== fingerprint) throw new IdempotencyKeyReused(`the Idempotency-Key ${JSON.stringify(key.split(':').at(-1))} was used for a different request`);
  return slot.state === 'done' ? slot.outcome : undefined;
}

/**
 * Runs `work` once per key. `work` gets the holder's token and must finish the request with it
 * (in its ledger write, or with completeRequest); its answer is returned. When `work` fails the
 * key is released (unless it was finished after all), so a retry does the work again: the
 * provider's idempotency key (the payment id) and the ledger's own idempotency items keep that
 * retry from charging or posting twice.
 */
export async function idempotent(deps: IdempotencyDeps, key: string, fingerprint: string, work: (token: string) => Promise<RequestOutcome>): Promise<RequestOutcome> {
  const slot = await deps.ledger.beginRequest(key, fingerprint, deps.clock.now(), deps.leaseMs ?? DEFAULT_LEASE_MS);
  if (slot.state === 'started') {
    try {
      return await work(slot.token);
    } catch (error) {
      // Another caller took the key over after this one's lease ended: its answer is the answer.
      if (!(error instanceof LedgerWriteRefused && error.part === 'request')) {
        await deps.ledger.releaseRequest(key, slot.token).catch(() => undefined);
        throw error;
      }
    }
  } else {
    const answer = answerOf(slot, key, fingerprint);
    if (answer) return answer;
  }
  const sleep = deps.sleep ?? defaultSleep;
  const waitMs = deps.waitMs ?? DEFAULT_WAIT_MS;
  for (let waited = 0; waited < waitMs; waited += POLL_MS) {
    await sleep(POLL_MS);
    const current = await deps.ledger.getRequest(key);
    const answer = current && answerOf(current, key, fingerprint);
    if (answer) return answer;
  }
  throw new RequestInProgress('a request with this Idempotency-Key is still being processed; retry it later');
}
