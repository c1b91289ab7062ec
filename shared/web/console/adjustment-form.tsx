/**
 * The adjustment form of the account overview: amount, debit or credit, service and reason. The
 * API posts it at once (201, billing or admin within the approval limit) or keeps it for another
 * user's approval (202, above the user's limit; a CSR's is the smaller one); the form says which.
 */
import { useState } from 'react';
import { newIdempotencyKey } from '../common/api';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { label, money } from '../common/format';
import { Alert, ErrorMessage, Field, Link } from '../common/ui';
import { asError } from '../common/field-errors';

/** What POST /staff/accounts/{id}/adjustments answers: the posted entry (201) or the pending request (202). */
export interface AdjustmentAnswer {
  entry?: { entryId: string };
  request?: AdjustmentRequestView;
}

export interface AdjustmentRequestView {
  requestId: string;
  accountId: string;
  amount: string;
  direction: 'debit' | 'credit';
  service?: string;
  reason: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  requestedBy: string;
  requestedAt: string;
  approvalLimit: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
  entryId?: string;
}

/** Who may ask for adjustments (the API decides whether one posts at once or waits for approval). */
export const ADJUSTMENT_REQUESTERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];

/** The sentence that tells the user what happened to an adjustment. */
export function adjustmentOutcome(answer: AdjustmentAnswer, amount: string, direction: 'debit' | 'credit'): { kind: 'success' | 'info'; text: string } {
  if (answer.request) {
    return { kind: 'info', text: `The ${direction} of ${money(answer.request.amount)} awaits approval by another user (request ${answer.request.requestId}). The balance changes once it is approved.` };
  }
  return { kind: 'success', text: `The ${direction} of ${money(amount)} was posted (entry ${answer.entry?.entryId ?? ''}).` };
}

export function AdjustmentForm(props: { api: ApiClient; base: string; role?: StaffRole; services: string[]; onChanged: () => void }) {
  const [amount, setAmount] = useState('');
  const [direction, setDirection] = useState<'debit' | 'credit'>('credit');
  const [service, setService] = useState('');
  const [reason, setReason] = useState('');
  // One key per filled-in form: a retry after a failure replays instead of adjusting twice.
  const [key, setKey] = useState(() => newIdempotencyKey());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'info'; text: string; pending: boolean } | undefined>();
  const allowed = props.role !== undefined && ADJUSTMENT_REQUESTERS.includes(props.role);
  const services = [...new Set(props.services)];
  return (
    <section className="card" aria-labelledby="adjust-title">
      <h2 id="adjust-title">Adjust the balance</h2>
      <div aria-live="polite" data-testid="adjustment-outcome">
        {outcome ? (
          <Alert kind={outcome.kind} title={outcome.pending ? 'Awaiting approval' : 'Posted'}>
            {outcome.text} {outcome.pending ? <Link to="/console/approvals">Open the approvals queue</Link> : null}
          </Alert>
        ) : null}
      </div>
      {error ? <ErrorMessage error={error} forbidden="Your role may not adjust balances." /> : null}
      {!allowed ? (
        <p className="muted">Adjustments need the csr, billing or admin role; your role can only view them.</p>
      ) : (
        <form
          aria-label="Adjust the balance"
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(undefined);
            setOutcome(undefined);
            try {
              const body = { amount: amount.trim(), direction, ...(service ? { service } : {}), reason: reason.trim() };
              const answer = await props.api.post<AdjustmentAnswer>(`${props.base}/adjustments`, body, { 'idempotency-key': key });
              setOutcome({ ...adjustmentOutcome(answer, body.amount, direction), pending: Boolean(answer.request) });
              setAmount('');
              setReason('');
              setKey(newIdempotencyKey());
              props.onChanged();
            } catch (caught) {
              setError(asError(caught));
            } finally {
              setBusy(false);
            }
          }}
        >
          <p className="hint">
            {props.role === 'csr' ? 'Adjustments above your CSR limit wait for approval by billing staff or an admin.' : 'Adjustments above the approval limit wait for an admin\u2019s approval.'}
          </p>
          <Field id="adjust-amount" label="Amount (USD)" hint="For example 25.00">
            <input id="adjust-amount" name="amount" inputMode="decimal" required pattern="\d{1,6}(\.\d{1,2})?" value={amount} onChange={(event) => setAmount(event.target.value)} aria-describedby="adjust-amount-hint" />
          </Field>
          <fieldset className="field">
            <legend>Direction</legend>
            <label>
              <input type="radio" name="direction" value="credit" checked={direction === 'credit'} onChange={() => setDirection('credit')} /> Credit (the customer owes less)
            </label>
            <label>
              <input type="radio" name="direction" value="debit" checked={direction === 'debit'} onChange={() => setDirection('debit')} /> Debit (the customer owes more)
            </label>
          </fieldset>
          <Field id="adjust-service" label="Service">
            <select id="adjust-service" name="service" value={service} onChange={(event) => setService(event.target.value)}>
              <option value="">Whole account</option>
              {services.map((value) => (
                <option key={value} value={value}>
                  {label(value)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="adjust-reason" label="Reason">
            <input id="adjust-reason" name="reason" required maxLength={200} value={reason} onChange={(event) => setReason(event.target.value)} />
          </Field>
          <button className="button" type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Adjust'}
          </button>
        </form>
      )}
    </section>
  );
}
