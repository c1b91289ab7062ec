/**
 * The VEE exceptions queue: readings that validation held (not stored) or flagged (stored, to be
 * reviewed), oldest first, each with its meter, interval, rule and value. CSR, billing and admin
 * staff accept, edit, estimate or reject one; the actions offered follow the API's rules (a
 * whole-day exception is accepted or rejected, an unknown meter's readings are accepted once it
 * exists or rejected). The result is announced and the queue read again.
 */
import { useEffect, useState } from 'react';
import { ApiError } from '../common/api';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { instant, label } from '../common/format';
import { Alert, ErrorMessage, Field, Link, Load, useResource } from '../common/ui';
import { asError } from '../common/field-errors';

export interface ReadException {
  exceptionId: string;
  meterId: string;
  reason: string;
  action: 'hold' | 'flag';
  start: string;
  durationSec: number;
  quantity: string;
  unit: string;
  detail: string;
  status: string;
  createdAt: string;
  readingCount?: number;
}

type Decision = 'accept' | 'edit' | 'estimate' | 'reject';

const RESOLVERS: ReadonlySet<StaffRole> = new Set(['csr', 'billing', 'admin']);
/** About a whole day or a gap: there is no single reading to edit or estimate. */
const DAY_LEVEL = new Set(['high-usage', 'low-usage', 'zero-consumption', 'gap']);

const DECISIONS: Record<Decision, { text: string; hint: string; done: string }> = {
  accept: { text: 'Accept', hint: 'store the reading as it came (held) or keep it (flagged)', done: 'accepted' },
  edit: { text: 'Edit', hint: 'store a corrected value (validated again)', done: 'edited' },
  estimate: { text: 'Estimate', hint: 'replace it with an estimate from the meter’s data', done: 'estimated' },
  reject: { text: 'Reject', hint: 'do not use the reading (a flagged one is removed)', done: 'rejected' },
};

/** The decisions the API allows for an exception, and why the others are not offered. */
export function decisionsFor(exception: Pick<ReadException, 'reason'>): { allowed: Decision[]; whyNot?: string } {
  if (exception.reason === 'unknown-meter') {
    return { allowed: ['accept', 'reject'], whyNot: 'The meter was unknown when the readings arrived: accept them once the meter is registered, or reject them.' };
  }
  if (DAY_LEVEL.has(exception.reason)) {
    return { allowed: ['accept', 'reject'], whyNot: `A ${label(exception.reason).toLowerCase()} exception is about a whole day or a gap: accept or reject it (edit single readings with manual reads).` };
  }
  return { allowed: ['accept', 'edit', 'estimate', 'reject'] };
}

function minutes(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

type Queue = { items: ReadException[]; nextCursor: string | null };

export function ReadExceptions(props: { api: ApiClient; role: StaffRole | undefined }) {
  const [queue, reload] = useResource('read-exceptions', () => props.api.get<Queue>('/staff/read-exceptions?status=OPEN&limit=50'));
  const [more, setMore] = useState<ReadException[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();
  useEffect(() => {
    if (queue.state !== 'ready') return;
    setMore([]);
    setCursor(queue.data.nextCursor);
  }, [queue]);
  const canResolve = props.role !== undefined && RESOLVERS.has(props.role);
  const loadMore = async () => {
    if (!cursor) return;
    setLoadError(undefined);
    try {
      const page = await props.api.get<Queue>(`/staff/read-exceptions?status=OPEN&limit=50&cursor=${encodeURIComponent(cursor)}`);
      setMore((previous) => [...previous, ...page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setLoadError(asError(caught));
    }
  };
  return (
    <>
      <h1>Read exceptions</h1>
      <p>
        Readings that validation (VEE) held or flagged, oldest first.{' '}
        {canResolve ? null : <span data-testid="resolve-why-not">Resolving them needs the CSR, billing or admin role.</span>}
      </p>
      <div aria-live="polite" aria-atomic="true">
        {done ? <Alert kind="success">{done}</Alert> : null}
      </div>
      <Load resource={queue} what="the read exceptions" forbidden="Your role may not see the read exceptions.">
        {(data) => {
          const items = [...data.items, ...more];
          return items.length === 0 ? (
            <p>No open read exceptions.</p>
          ) : (
            <>
              <p className="muted" data-testid="exceptions-count">
                {items.length} open{cursor ? ' (more below)' : ''}.
              </p>
              <ul className="plain exceptions">
                {items.map((exception) => (
                  <li key={`${exception.meterId}/${exception.exceptionId}`}>
                    <ExceptionCard
                      api={props.api}
                      exception={exception}
                      canResolve={canResolve}
                      onResolved={(message) => {
                        setDone(message);
                        reload();
                      }}
                      onStale={reload}
                    />
                  </li>
                ))}
              </ul>
              {loadError ? <ErrorMessage error={loadError} /> : null}
              {cursor ? (
                <button type="button" className="button button-quiet" onClick={() => void loadMore()}>
                  Show more exceptions
                </button>
              ) : null}
            </>
          );
        }}
      </Load>
    </>
  );
}

function ExceptionCard(props: { api: ApiClient; exception: ReadException; canResolve: boolean; onResolved: (message: string) => void; onStale: () => void }) {
  const { exception } = props;
  const { allowed, whyNot } = decisionsFor(exception);
  const [decision, setDecision] = useState<Decision>(allowed[0]!);
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const id = `x-${exception.exceptionId}`;
  const title = `Meter ${exception.meterId}: ${label(exception.reason)}`;
  return (
    <article className="card exception" aria-labelledby={`${id}-title`} data-exception-id={exception.exceptionId}>
      <h2 id={`${id}-title`}>{title}</h2>
      <dl className="summary">
        <div>
          <dt>Meter</dt>
          <dd>{exception.meterId}</dd>
        </div>
        <div>
          <dt>Interval</dt>
          <dd>
            {instant(exception.start)} ({minutes(exception.durationSec)})
          </dd>
        </div>
        <div>
          <dt>Value</dt>
          <dd data-testid="exception-value">
            {exception.quantity} {exception.unit}
            {exception.readingCount ? ` (${exception.readingCount} readings)` : ''}
          </dd>
        </div>
        <div>
          <dt>Rule</dt>
          <dd>
            {label(exception.reason)}: {exception.action === 'hold' ? 'held, not stored' : 'flagged, stored'}
          </dd>
        </div>
      </dl>
      <p>{exception.detail}</p>
      <p className="muted">Queued {instant(exception.createdAt)}</p>
      {error ? <ErrorMessage error={error} forbidden="Resolving read exceptions needs the CSR, billing or admin role." /> : null}
      {props.canResolve ? (
        <form
          aria-label={`Resolve: ${title}`}
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              const result = await props.api.post<{ rebill: string[]; changedDay?: string }>(`/staff/read-exceptions/${encodeURIComponent(exception.meterId)}/${encodeURIComponent(exception.exceptionId)}`, {
                action: decision,
                ...(decision === 'edit' ? { value: value.trim() } : {}),
                ...(note.trim() ? { note: note.trim() } : {}),
              });
              const changed = result.changedDay ? ` The reads of ${result.changedDay} changed.` : '';
              const rebill = result.rebill.length ? ` Bills marked for rebilling: ${result.rebill.join(', ')}.` : '';
              props.onResolved(`${label(exception.reason)} on meter ${exception.meterId} ${DECISIONS[decision].done}.${changed}${rebill}`);
            } catch (caught) {
              const failure = asError(caught);
              setError(failure);
              setBusy(false);
              // Someone else resolved it meanwhile: read the queue again.
              if (failure instanceof ApiError && failure.status === 409) props.onStale();
            }
          }}
        >
          <fieldset>
            <legend>Decision</legend>
            <div className="choices">
              {allowed.map((option) => (
                <label key={option} className="choice">
                  <input type="radio" name={`${id}-decision`} value={option} checked={decision === option} onChange={() => setDecision(option)} />
                  <span>
                    {DECISIONS[option].text} <span className="muted">— {DECISIONS[option].hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {whyNot ? <p className="hint">{whyNot}</p> : null}
          </fieldset>
          {decision === 'edit' ? (
            <Field id={`${id}-value`} label={`Corrected value (${exception.unit})`} hint="A decimal number of 0 or more, e.g. 1.25; it is validated again before it is stored.">
              <input id={`${id}-value`} name="value" inputMode="decimal" required maxLength={40} pattern="\d+(\.\d+)?" value={value} onChange={(event) => setValue(event.target.value)} aria-describedby={`${id}-value-hint`} />
            </Field>
          ) : null}
          <Field id={`${id}-note`} label="Note (optional)">
            <input id={`${id}-note`} name="note" maxLength={500} value={note} onChange={(event) => setNote(event.target.value)} />
          </Field>
          <button className="button" type="submit" disabled={busy}>
            {busy ? 'Saving…' : `${DECISIONS[decision].text}`}
            <span className="visually-hidden"> the {label(exception.reason).toLowerCase()} exception of meter {exception.meterId}</span>
          </button>
        </form>
      ) : null}
      <p>
        <Link to={`/console/?q=${encodeURIComponent(exception.meterId)}`}>Find the account of meter {exception.meterId}</Link>
      </p>
    </article>
  );
}
