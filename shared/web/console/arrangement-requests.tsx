/**
 * The queue of customers' payment arrangement requests (from the portal), oldest first: csr,
 * billing and admin staff approve one (the arrangement is made with the requested installments,
 * the first due in 14 days) or decline it with a reason the customer sees; auditors see the
 * queue without the buttons.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { asError } from '../common/field-errors';
import { instant, money } from '../common/format';
import { Alert, ErrorMessage, Link, Load, useResource } from '../common/ui';

interface PendingRequest {
  requestId: string;
  accountId: string;
  customerId: string;
  installments: number;
  reason?: string;
  pastDue: string;
  requestedAt: string;
}

const DECIDERS: ReadonlySet<StaffRole> = new Set(['csr', 'billing', 'admin']);

export function ArrangementRequests(props: { api: ApiClient; role: StaffRole | undefined }) {
  const [queue, reload] = useResource('arrangement-requests', () => props.api.get<{ items: PendingRequest[] }>('/staff/arrangement-requests?status=PENDING&limit=50'));
  const [done, setDone] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const canDecide = props.role !== undefined && DECIDERS.has(props.role);
  return (
    <>
      <h1>Arrangement requests</h1>
      <p>Customers asking from the portal to pay a past-due balance in installments, oldest first. {canDecide ? null : 'Deciding needs the csr, billing or admin role.'}</p>
      <div aria-live="polite">{done ? <Alert kind="success">{done}</Alert> : null}</div>
      {error ? <ErrorMessage error={error} /> : null}
      <Load resource={queue} what="the arrangement requests" forbidden="Your role may not see the arrangement requests.">
        {(data) =>
          data.items.length === 0 ? (
            <p>No requests are waiting for a decision.</p>
          ) : (
            <ul className="plain request-queue">
              {data.items.map((request) => (
                <li key={request.requestId} className="card" data-request-id={request.requestId}>
                  <RequestCard
                    api={props.api}
                    request={request}
                    canDecide={canDecide}
                    onDecided={(text) => {
                      setError(undefined);
                      setDone(text);
                      reload();
                    }}
                    onError={(failure) => {
                      setDone(undefined);
                      setError(failure);
                    }}
                  />
                </li>
              ))}
            </ul>
          )
        }
      </Load>
    </>
  );
}

function RequestCard(props: { api: ApiClient; request: PendingRequest; canDecide: boolean; onDecided: (text: string) => void; onError: (error: Error) => void }) {
  const { request } = props;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const reasonId = `decision-reason-${request.requestId}`;
  const decide = async (decision: 'approve' | 'decline') => {
    if (!reason.trim()) {
      props.onError(new Error(`Give a reason for the decision on the request of account ${request.accountId}.`));
      document.getElementById(reasonId)?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await props.api.post<{ arrangement: { arrangementId: string; installments: unknown[] } | null }>(
        `/staff/arrangement-requests/${encodeURIComponent(request.accountId)}/${encodeURIComponent(request.requestId)}/decision`,
        { decision, reason: reason.trim() },
      );
      props.onDecided(
        decision === 'approve'
          ? `Request of account ${request.accountId} approved: arrangement ${result.arrangement?.arrangementId ?? ''} with ${request.installments} installments.`
          : `Request of account ${request.accountId} declined; the customer sees why in the portal.`,
      );
    } catch (caught) {
      props.onError(asError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2>
        Account <Link to={`/console/accounts/${encodeURIComponent(request.accountId)}`}>{request.accountId}</Link>
      </h2>
      <dl className="summary">
        <div>
          <dt>Past due when asked</dt>
          <dd>{money(request.pastDue)}</dd>
        </div>
        <div>
          <dt>Installments</dt>
          <dd>{request.installments} monthly</dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>{instant(request.requestedAt)}</dd>
        </div>
        <div>
          <dt>Customer</dt>
          <dd>{request.customerId}</dd>
        </div>
      </dl>
      <p>
        <strong>Customer's reason:</strong> {request.reason ?? 'none given'}
      </p>
      {props.canDecide ? (
        <>
          <div className="field">
            <label htmlFor={reasonId}>Reason for the decision</label>
            <input id={reasonId} name="reason" maxLength={200} value={reason} onChange={(event) => setReason(event.target.value)} />
          </div>
          <div className="actions">
            <button type="button" className="button" disabled={busy} onClick={() => decide('approve')}>
              Approve<span className="visually-hidden"> the request of account {request.accountId}</span>
            </button>
            <button type="button" className="button button-quiet" disabled={busy} onClick={() => decide('decline')}>
              Decline<span className="visually-hidden"> the request of account {request.accountId}</span>
            </button>
          </div>
        </>
      ) : null}
    </>
  );
}
