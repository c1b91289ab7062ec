/**
 * Billing disputes on the account screen: open a dispute of a charge, then resolve it with a
 * credit adjustment and close it. The adjustment carries an Idempotency-Key kept for the
 * dispute, so retrying after a failure half-way (adjusted, not yet closed) never credits twice.
 * CSRs, billing and admin staff give the credit; one above the user's limit (a CSR's is smaller)
 * answers 202: the dispute then stays open and the panel says the credit awaits approval.
 */
import { useState } from 'react';
import { newIdempotencyKey } from '../common/api';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { day, instant, money } from '../common/format';
import { Alert, ErrorMessage, Field } from '../common/ui';
import type { Resource } from '../common/ui';
import { asError } from '../common/field-errors';

export interface Dispute {
  disputeId: string;
  status: string;
  entryIds: string[];
  amount: string;
  reason: string;
  openedAt: string;
  openedBy: string;
  resolution?: string;
  closedAt?: string;
}

export interface LedgerEntry {
  entryId: string;
  kind: string;
  description?: string;
  postedAt: string;
  dueDate?: string;
  postings: Array<{ ledgerAccount: string; side: 'debit' | 'credit'; amount: string }>;
}

/** Entries that charge the customer (a receivable debit): what can be disputed. */
function charges(entries: LedgerEntry[]): Array<{ entry: LedgerEntry; amount: string }> {
  return entries.flatMap((entry) => {
    const debit = entry.postings.find((posting) => posting.ledgerAccount === 'ACCOUNTS_RECEIVABLE' && posting.side === 'debit');
    return debit && entry.kind !== 'REVERSAL' ? [{ entry, amount: debit.amount }] : [];
  });
}

const CAN_ADJUST: readonly StaffRole[] = ['csr', 'billing', 'admin'];
const CAN_DISPUTE: readonly StaffRole[] = ['csr', 'billing', 'admin'];

export function DisputePanel(props: { api: ApiClient; base: string; role?: StaffRole; disputes: Dispute[]; ledger: Resource<{ items: LedgerEntry[] }>; onChanged: () => void }) {
  const open = props.disputes.filter((dispute) => dispute.status === 'OPEN');
  const closed = props.disputes.filter((dispute) => dispute.status !== 'OPEN');
  const canDispute = props.role !== undefined && CAN_DISPUTE.includes(props.role);
  return (
    <section className="card" aria-labelledby="disputes-title">
      <h2 id="disputes-title">Billing disputes</h2>
      {open.map((dispute) => (
        <ResolveDispute key={dispute.disputeId} {...props} dispute={dispute} />
      ))}
      {canDispute ? <OpenDispute {...props} /> : <p className="muted">Your role can view disputes but not open or resolve them.</p>}
      {closed.length ? (
        <>
          <h3>Closed disputes</h3>
          <ul data-testid="closed-disputes">
            {closed.map((dispute) => (
              <li key={dispute.disputeId}>
                {money(dispute.amount)}: {dispute.reason} — closed {instant(dispute.closedAt)}: {dispute.resolution}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function OpenDispute(props: { api: ApiClient; base: string; ledger: Resource<{ items: LedgerEntry[] }>; onChanged: () => void }) {
  const options = props.ledger.state === 'ready' ? charges(props.ledger.data.items) : [];
  const [entryId, setEntryId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const chosen = entryId || options[0]?.entry.entryId || '';
  if (props.ledger.state === 'ready' && options.length === 0) return <p>No charges to dispute.</p>;
  return (
    <form
      aria-label="Open a dispute"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          await props.api.post(`${props.base}/disputes`, { entryIds: [chosen], reason: reason.trim() });
          setReason('');
          props.onChanged();
        } catch (caught) {
          setError(asError(caught));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Open a dispute</h3>
      {error ? <ErrorMessage error={error} /> : null}
      <Field id="dispute-charge" label="Charge">
        <select id="dispute-charge" name="entryId" value={chosen} onChange={(event) => setEntryId(event.target.value)}>
          {options.map(({ entry, amount }) => (
            <option key={entry.entryId} value={entry.entryId}>
              {entry.description ?? entry.kind} — {money(amount)}
              {entry.dueDate ? `, due ${day(entry.dueDate)}` : ''}
            </option>
          ))}
        </select>
      </Field>
      <Field id="dispute-reason" label="What the customer disputes">
        <textarea id="dispute-reason" name="reason" required maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
      </Field>
      <button className="button" type="submit" disabled={busy || !chosen}>
        {busy ? 'Opening…' : 'Open dispute'}
      </button>
    </form>
  );
}

function ResolveDispute(props: { api: ApiClient; base: string; role?: StaffRole; dispute: Dispute; onChanged: () => void }) {
  const { dispute } = props;
  const [amount, setAmount] = useState(dispute.amount);
  const [resolution, setResolution] = useState('');
  // Kept for this dispute: a retry replays the same adjustment instead of posting another.
  const [key] = useState(() => newIdempotencyKey());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [pending, setPending] = useState<{ requestId: string; amount: string } | undefined>();
  const canAdjust = props.role !== undefined && CAN_ADJUST.includes(props.role) && !pending;
  const canClose = props.role !== undefined && CAN_DISPUTE.includes(props.role);
  const submit = async (withCredit: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      if (withCredit) {
        const answer = await props.api.post<{ entry?: unknown; request?: { requestId: string; amount: string } }>(
          `${props.base}/adjustments`,
          { amount: amount.trim(), direction: 'credit', reason: `Dispute ${dispute.disputeId}: ${resolution.trim()}` },
          { 'idempotency-key': key },
        );
        if (answer?.request) {
          // Not posted yet: the dispute stays open until the credit is approved.
          setPending({ requestId: answer.request.requestId, amount: answer.request.amount });
          return;
        }
      }
      await props.api.post(`${props.base}/disputes/${encodeURIComponent(dispute.disputeId)}/close`, { resolution: resolution.trim() });
      props.onChanged();
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="dispute"
      data-dispute-id={dispute.disputeId}
      aria-label={`Resolve dispute of ${money(dispute.amount)}`}
      onSubmit={(event) => {
        event.preventDefault();
        void submit(canAdjust);
      }}
    >
      <Alert kind="info" title={`Open dispute: ${money(dispute.amount)}`}>
        {dispute.reason} <span className="muted">({dispute.openedBy}, {instant(dispute.openedAt)})</span>
      </Alert>
      {error ? <ErrorMessage error={error} /> : null}
      <div aria-live="polite">
        {pending ? (
          <Alert kind="info" title="Credit awaits approval">
            The credit of {money(pending.amount)} needs another user&rsquo;s approval (request {pending.requestId}); nothing is posted yet and the dispute stays open. Once it is approved in the approvals queue, close the dispute without a further credit.
          </Alert>
        ) : null}
      </div>
      {pending ? null : canAdjust ? (
        <Field id={`credit-${dispute.disputeId}`} label="Credit to the customer (USD)" hint="The adjustment posted before the dispute closes; above your adjustment limit it waits for approval and the dispute stays open.">
          <input id={`credit-${dispute.disputeId}`} name="amount" inputMode="decimal" required pattern="\d{1,6}(\.\d{1,2})?" value={amount} onChange={(event) => setAmount(event.target.value)} aria-describedby={`credit-${dispute.disputeId}-hint`} />
        </Field>
      ) : (
        <p className="muted">Credit adjustments need the csr, billing or admin role; you can read the dispute but not resolve it.</p>
      )}
      <Field id={`resolution-${dispute.disputeId}`} label="Resolution">
        <textarea id={`resolution-${dispute.disputeId}`} name="resolution" required maxLength={500} value={resolution} onChange={(event) => setResolution(event.target.value)} />
      </Field>
      {canClose ? (
        <div className="actions">
          {canAdjust ? (
            <button className="button" type="submit" disabled={busy}>
              {busy ? 'Resolving…' : 'Credit and close dispute'}
            </button>
          ) : null}
          <button className="button button-quiet" type="button" disabled={busy || !resolution.trim()} onClick={() => void submit(false)}>
            Close without credit
          </button>
        </div>
      ) : null}
    </form>
  );
}
