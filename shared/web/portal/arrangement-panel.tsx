/**
 * Payment arrangement requests: a customer with a past-due balance asks to pay it in monthly
 * installments (one Idempotency-Key per request, so a retried form asks once), sees the request's
 * status and, once staff approve it, the arrangement's schedule.
 */
import { useState } from 'react';
import { ApiError, newIdempotencyKey } from '../common/api';
import type { ApiClient } from '../common/api';
import { asError, fieldErrors } from '../common/field-errors';
import { day, instant, label, money } from '../common/format';
import { Alert, ErrorMessage, Load, useResource } from '../common/ui';

export interface ArrangementRequestView {
  requestId: string;
  status: 'PENDING' | 'APPROVED' | 'DECLINED';
  installments: number;
  reason?: string;
  pastDue: string;
  requestedAt: string;
  decidedAt?: string;
  decisionReason?: string;
  arrangementId?: string;
}

interface ArrangementView {
  arrangementId: string;
  status: string;
  amount: string;
  installments: Array<{ number: number; dueDate: string; amount: string }>;
  tracking: { state: string; paid: string; remaining: string; next: { number: number; dueDate: string; unpaid: string } | null };
}

const CHOICES = [2, 3, 4, 6, 9, 12];

export function ArrangementPanel(props: { api: ApiClient; base: string; pastDue: string }) {
  const { api, base } = props;
  const [requests, reloadRequests] = useResource(`arrangement-requests:${base}`, () => api.get<{ items: ArrangementRequestView[] }>(`${base}/arrangement-requests`));
  const [arrangement, reloadArrangement] = useResource(`arrangement:${base}`, () => api.get<{ arrangement: ArrangementView | null }>(`${base}/arrangement`));
  const [done, setDone] = useState<string | undefined>();
  const owes = /[1-9]/.test(props.pastDue) && !props.pastDue.startsWith('-');
  return (
    <section className="card" aria-labelledby="arrangement-title" data-testid="arrangement">
      <h2 id="arrangement-title">Payment arrangement</h2>
      <div aria-live="polite">{done ? <Alert kind="success">{done}</Alert> : null}</div>
      <Load resource={requests} what="your arrangement requests">
        {(page) => (
          <Load resource={arrangement} what="your payment arrangement">
            {(current) => {
              const latest = page.items[0];
              const running = current.arrangement && current.arrangement.status === 'ACTIVE' && current.arrangement.tracking.state !== 'kept' && current.arrangement.tracking.state !== 'broken' ? current.arrangement : undefined;
              return (
                <>
                  {latest ? <RequestStatus request={latest} /> : null}
                  {running ? <Schedule arrangement={running} /> : null}
                  {running || latest?.status === 'PENDING' ? null : owes ? (
                    <RequestForm
                      api={api}
                      base={base}
                      pastDue={props.pastDue}
                      onRequested={(request) => {
                        setDone(`Your request ${request.requestId} was sent. We will review it and show the decision here.`);
                        reloadRequests();
                        reloadArrangement();
                      }}
                    />
                  ) : (
                    <p>Nothing is past due on this account, so there is nothing to spread over installments.</p>
                  )}
                </>
              );
            }}
          </Load>
        )}
      </Load>
    </section>
  );
}

function RequestStatus(props: { request: ArrangementRequestView }) {
  const { request } = props;
  const text = {
    PENDING: `Waiting for review since ${instant(request.requestedAt)}.`,
    APPROVED: `Approved on ${instant(request.decidedAt)}: ${request.installments} monthly installments.`,
    DECLINED: `Declined on ${instant(request.decidedAt)}${request.decisionReason ? `: ${request.decisionReason}` : ''}. You may ask again.`,
  }[request.status];
  return (
    <div className="request-status" data-testid="arrangement-request-status">
      <h3>
        Your request <span className="badge">{label(request.status)}</span>
      </h3>
      <p>
        {request.installments} installments for {money(request.pastDue)} past due. {text}
      </p>
    </div>
  );
}

function Schedule(props: { arrangement: ArrangementView }) {
  const { arrangement } = props;
  return (
    <>
      <h3>Your installments</h3>
      <p>
        {money(arrangement.amount)} in total; paid {money(arrangement.tracking.paid)}, remaining {money(arrangement.tracking.remaining)}
        {arrangement.tracking.next ? `; next ${money(arrangement.tracking.next.unpaid)} due ${day(arrangement.tracking.next.dueDate)}` : ''}. While the installments
        are paid on time, no late fees are added to these charges and collection steps pause.
      </p>
      <div className="table-wrap">
        <table data-testid="arrangement-schedule">
          <caption className="visually-hidden">Installments of arrangement {arrangement.arrangementId}</caption>
          <thead>
            <tr>
              <th scope="col">Installment</th>
              <th scope="col">Due</th>
              <th scope="col" className="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {arrangement.installments.map((installment) => (
              <tr key={installment.number}>
                <td>{installment.number === 0 ? 'Down payment' : installment.number}</td>
                <td>{day(installment.dueDate)}</td>
                <td className="num">{money(installment.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function RequestForm(props: { api: ApiClient; base: string; pastDue: string; onRequested: (request: ArrangementRequestView) => void }) {
  const [installments, setInstallments] = useState('6');
  const [reason, setReason] = useState('');
  // One key per request: a retry of the same form after a network error cannot ask twice.
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const errors = fieldErrors(error);
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          const { request } = await props.api.post<{ request: ArrangementRequestView }>(`${props.base}/arrangement-requests`, { installments: Number(installments), ...(reason.trim() ? { reason: reason.trim() } : {}) }, { 'idempotency-key': key });
          setKey(newIdempotencyKey());
          setReason('');
          props.onRequested(request);
        } catch (caught) {
          const failure = asError(caught);
          // A refusal is final for this attempt: the next one gets a new key.
          if (failure instanceof ApiError && failure.status >= 400 && failure.status < 500) setKey(newIdempotencyKey());
          setError(failure);
        } finally {
          setBusy(false);
        }
      }}
    >
      <p>
        <strong data-testid="arrangement-past-due">{money(props.pastDue)}</strong> is past due. You can ask to pay it in monthly installments; billing staff review each request,
        usually within two business days. New bills must still be paid in full when due.
      </p>
      {error ? <ErrorMessage error={error} /> : null}
      <div className="field">
        <label htmlFor="arrangement-installments">Number of monthly installments</label>
        <select id="arrangement-installments" name="installments" value={installments} onChange={(event) => setInstallments(event.target.value)} aria-describedby={errors['installments'] ? 'arrangement-installments-error' : undefined}>
          {CHOICES.map((count) => (
            <option key={count} value={count}>
              {count} months
            </option>
          ))}
        </select>
        {errors['installments'] ? (
          <p className="field-error" id="arrangement-installments-error">
            {errors['installments']}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="arrangement-reason">Why do you need an arrangement? (optional)</label>
        <textarea id="arrangement-reason" name="reason" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} aria-describedby={errors['reason'] ? 'arrangement-reason-error' : undefined} />
        {errors['reason'] ? (
          <p className="field-error" id="arrangement-reason-error">
            {errors['reason']}
          </p>
        ) : null}
      </div>
      <button className="button" type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Ask for an arrangement'}
      </button>
    </form>
  );
}
