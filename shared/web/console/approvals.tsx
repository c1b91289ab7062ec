/**
 * The approvals queue: adjustments waiting for another user's approval, oldest first. Billing or
 * admin staff approve (the adjustment posts) or reject with a reason; above the approval limit
 * only an admin may; nobody decides their own request. Each row says why a user may not decide.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { instant, label, money } from '../common/format';
import { Alert, ErrorMessage, Field, Link, Load, SelectFilter, useResource } from '../common/ui';
import type { AdjustmentRequestView } from './adjustment-form';
import { asError } from '../common/field-errors';

const STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
const DECIDERS: readonly StaffRole[] = ['billing', 'admin'];

/** Exact comparison of two decimal strings with at most 2 decimals (no floating point). */
function cents(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(`${fraction}00`.slice(0, 2));
}

/** Why this user may not decide the request (the API checks the same), or undefined. */
export function whyNotDecide(request: AdjustmentRequestView, user: string, role: StaffRole | undefined): string | undefined {
  if (request.requestedBy === user) return 'You asked for this adjustment: another user must approve or reject it.';
  if (cents(request.amount) > cents(request.approvalLimit)) return role === 'admin' ? undefined : `Above the approval limit of ${money(request.approvalLimit)}: only an admin may decide it.`;
  return role !== undefined && DECIDERS.includes(role) ? undefined : 'Only billing or admin staff may approve or reject adjustments.';
}

export function Approvals(props: { api: ApiClient; user: string; role?: StaffRole; status: string }) {
  const status = (STATUSES as readonly string[]).includes(props.status) ? props.status : 'PENDING';
  const [queue, reload] = useResource(`adjustment-requests:${status}`, () => props.api.get<{ items: AdjustmentRequestView[]; nextCursor: string | null; approvalLimit: string }>(`/staff/adjustment-requests?status=${status}&limit=100`));
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      <h1>Approvals</h1>
      <p>Adjustments above the requester&rsquo;s limit (a CSR&rsquo;s is smaller) wait here for another user&rsquo;s decision.</p>
      <SelectFilter formLabel="Filter adjustment requests" id="approvals-status" label="Status" name="status" path="/console/approvals" value={status} options={STATUSES} text={label} />
      <div aria-live="polite">{done ? <Alert kind="success">{done}</Alert> : null}</div>
      <Load resource={queue} what="the approvals queue">
        {(data) => (
          <section className="card" aria-labelledby="approvals-title">
            <h2 id="approvals-title">
              {label(status)} adjustments <span className="muted">(approval limit {money(data.approvalLimit)})</span>
            </h2>
            {data.items.length === 0 ? (
              <p>No {label(status).toLowerCase()} adjustment requests.</p>
            ) : (
              <ul className="plain">
                {data.items.map((request) => (
                  <RequestRow
                    key={request.requestId}
                    api={props.api}
                    request={request}
                    why={status === 'PENDING' ? whyNotDecide(request, props.user, props.role) : undefined}
                    onDecided={(text) => {
                      setDone(text);
                      reload();
                    }}
                  />
                ))}
              </ul>
            )}
          </section>
        )}
      </Load>
    </>
  );
}

function RequestRow(props: { api: ApiClient; request: AdjustmentRequestView; why: string | undefined; onDecided: (text: string) => void }) {
  const { request } = props;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const path = `/staff/adjustment-requests/${encodeURIComponent(request.accountId)}/${encodeURIComponent(request.requestId)}/decision`;
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      await props.api.post(path, { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      props.onDecided(decision === 'approve' ? `Approved: the ${request.direction} of ${money(request.amount)} is posted to account ${request.accountId}.` : `Rejected the ${request.direction} of ${money(request.amount)} for account ${request.accountId}.`);
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  };
  const summary = `${label(request.direction)} of ${money(request.amount)}`;
  return (
    <li className="card" data-request-id={request.requestId}>
      <h3>
        {summary} for <Link to={`/console/accounts/${encodeURIComponent(request.accountId)}`}>account {request.accountId}</Link>
      </h3>
      <p>
        {request.reason}
        {request.service ? ` (${label(request.service)})` : ''} <span className="muted">— asked by {request.requestedBy}, {instant(request.requestedAt)}</span>
      </p>
      {request.status !== 'PENDING' ? (
        <p>
          {label(request.status)} by {request.decidedBy} {instant(request.decidedAt)}
          {request.decisionReason ? `: ${request.decisionReason}` : ''}
        </p>
      ) : props.why ? (
        <p className="muted">{props.why}</p>
      ) : (
        <form
          aria-label={`Decide the ${summary.toLowerCase()} for account ${request.accountId}`}
          onSubmit={(event) => {
            event.preventDefault();
            void decide('approve');
          }}
        >
          {error ? <ErrorMessage error={error} forbidden="You may not decide this request." /> : null}
          <Field id={`decision-reason-${request.requestId}`} label="Reason (needed to reject)">
            <input id={`decision-reason-${request.requestId}`} name="reason" maxLength={200} value={reason} onChange={(event) => setReason(event.target.value)} />
          </Field>
          <div className="actions">
            <button className="button" type="submit" disabled={busy}>
              Approve<span className="visually-hidden"> the {summary.toLowerCase()} for account {request.accountId}</span>
            </button>
            <button className="button button-quiet" type="button" disabled={busy || !reason.trim()} onClick={() => void decide('reject')}>
              Reject<span className="visually-hidden"> the {summary.toLowerCase()} for account {request.accountId}</span>
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
