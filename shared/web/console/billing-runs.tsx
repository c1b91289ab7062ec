/**
 * Billing runs: the list (newest first), the cycle calendar, a form to start a run (billing and
 * admin), and a run's page with its live progress, polled every 2 s while it runs: segments done
 * of planned, each segment's state and counts, bills per second, the accounts that failed and the
 * bills the run held for review.
 */
import { useEffect, useState } from 'react';
import type { ApiClient } from '../common/api';
import { ApiError } from '../common/api';
import type { StaffRole } from '../common/auth';
import { day, instant, label } from '../common/format';
import { Alert, ErrorMessage, Field, Link, Load, navigate, useResource } from '../common/ui';
import { asError } from '../common/field-errors';

const BASE = '/console/billing-runs';
/** How often a running run's page asks for its progress. */
export const POLL_MS = 2000;
/** Up to this many segments are listed one by one at once; more are behind "Each segment". */
const OPEN_SEGMENTS = 12;
const STARTERS: ReadonlySet<StaffRole> = new Set(['billing', 'admin']);
const HELD_READERS: ReadonlySet<StaffRole> = new Set(['billing', 'admin', 'auditor']);

interface RunCounts {
  segments: number;
  billed: number;
  held: number;
  skipped: number;
  failed: number;
}

interface RunSummary {
  runId: string;
  cycle: string;
  periodStart: string;
  periodEnd: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  counts: RunCounts;
  startedAt: string;
  startedBy: string;
  plannedSegments?: number;
  finishedAt?: string;
  failure?: { error: string; cause: string };
}

interface SegmentProgress {
  segmentIndex: number;
  status: 'RUNNING' | 'DONE';
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  counts?: Omit<RunCounts, 'segments'>;
}

interface RunDetail extends RunSummary {
  errors: Array<{ accountId: string; reason: string }>;
  progress: {
    segments: { planned?: number; running: number; done: number };
    totals: Omit<RunCounts, 'segments'>;
    elapsedSeconds: number;
    billsPerSecond: string;
    bySegment: SegmentProgress[];
  };
}

interface CycleItem {
  cycle: string;
  periodEndDay: number | 'last';
  readWindowDays: number;
  businessDaysOnly: boolean;
  enabled: boolean;
  upcoming: Array<{ periodStart: string; periodEnd: string; billDate: string; dueDate: string }>;
}

interface HeldBill {
  billId: string;
  accountId: string;
  runId: string;
  holds: Array<{ reason: string; message: string }>;
}

interface Period {
  cycle: string;
  periodStart: string;
  periodEnd: string;
}

/** Field problems of a 400 answer ("body.periodEnd: ..."), to show under the form's message. */
function fieldIssues(error: Error): Array<{ path: string; message: string }> {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  const issues = (error.details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? issues.filter((issue): issue is { path: string; message: string } => typeof issue?.path === 'string' && typeof issue?.message === 'string') : [];
}

function StatusBadge(props: { status: string }) {
  return <span className={`badge run-status run-status-${props.status.toLowerCase()}`}>{label(props.status)}</span>;
}

/** The list of runs with the cycle calendar and the start form. */
export function BillingRuns(props: { api: ApiClient; role: StaffRole | undefined }) {
  const [pages, setPages] = useState<RunSummary[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [first, reload] = useResource('billing-runs', () => props.api.get<{ items: RunSummary[]; nextCursor: string | null }>('/staff/billing-runs?limit=20'));
  const [older, setOlder] = useState<{ busy: boolean; error?: Error }>({ busy: false });
  const [period, setPeriod] = useState<Period>({ cycle: '', periodStart: '', periodEnd: '' });
  useEffect(() => {
    if (first.state !== 'ready') return;
    setPages([]);
    setCursor(first.data.nextCursor);
    // Runs still RUNNING on the first page: read it again until they finish.
    if (!first.data.items.some((run) => run.status === 'RUNNING')) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [first, reload]);
  const loadOlder = async () => {
    if (!cursor) return;
    setOlder({ busy: true });
    try {
      const page = await props.api.get<{ items: RunSummary[]; nextCursor: string | null }>(`/staff/billing-runs?limit=20&cursor=${encodeURIComponent(cursor)}`);
      setPages((previous) => [...previous, page.items]);
      setCursor(page.nextCursor);
      setOlder({ busy: false });
    } catch (caught) {
      setOlder({ busy: false, error: asError(caught) });
    }
  };
  const canStart = props.role !== undefined && STARTERS.has(props.role);
  return (
    <>
      <h1>Billing runs</h1>
      <section className="card" aria-labelledby="start-run-title">
        <h2 id="start-run-title">Start a run</h2>
        {canStart ? <StartRun api={props.api} period={period} onPeriod={setPeriod} /> : <p data-testid="start-why-not">Starting a billing run needs the billing or admin role; you can follow the runs below.</p>}
      </section>
      <CycleCalendar api={props.api} canStart={canStart} onChoose={setPeriod} />
      <section className="card" aria-labelledby="runs-title">
        <div className="section-head">
          <h2 id="runs-title">Runs, newest first</h2>
          <button type="button" className="button button-quiet" onClick={reload}>
            Refresh<span className="visually-hidden"> the list of runs</span>
          </button>
        </div>
        <Load resource={first} what="billing runs">
          {(data) =>
            data.items.length === 0 ? (
              <p>No billing runs yet.</p>
            ) : (
              <>
                <RunTable runs={[...data.items, ...pages.flat()]} />
                {older.error ? <ErrorMessage error={older.error} /> : null}
                {cursor ? (
                  <button type="button" className="button button-quiet" disabled={older.busy} onClick={() => void loadOlder()}>
                    {older.busy ? 'Loading older runs…' : 'Show older runs'}
                  </button>
                ) : null}
              </>
            )
          }
        </Load>
      </section>
    </>
  );
}

function RunTable(props: { runs: RunSummary[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Cycle</th>
            <th scope="col">Period</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Billed
            </th>
            <th scope="col" className="num">
              Held
            </th>
            <th scope="col" className="num hide-narrow">
              Skipped
            </th>
            <th scope="col" className="num">
              Failed
            </th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => (
            <tr key={run.runId} data-run-id={run.runId}>
              <td>
                <Link to={`${BASE}/${encodeURIComponent(run.runId)}`}>
                  {instant(run.startedAt)}
                  <span className="visually-hidden">, run {run.runId}</span>
                </Link>
                <span className="muted hide-narrow"> by {run.startedBy}</span>
              </td>
              <td>{run.cycle}</td>
              <td>
                {day(run.periodStart)} – {day(run.periodEnd)}
              </td>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td className="num">{run.counts.billed}</td>
              <td className="num">{run.counts.held}</td>
              <td className="num hide-narrow">{run.counts.skipped}</td>
              <td className="num">{run.counts.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StartRun(props: { api: ApiClient; period: Period; onPeriod: (period: Period) => void }) {
  const { period } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const set = (field: keyof Period) => (event: { target: { value: string } }) => props.onPeriod({ ...period, [field]: event.target.value });
  return (
    <form
      aria-label="Start a billing run"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          // Starting twice is safe: billing is idempotent per account and period (a second run skips the billed accounts).
          const started = await props.api.post<{ runId: string }>('/staff/billing-runs', { cycle: period.cycle.trim(), periodStart: period.periodStart, periodEnd: period.periodEnd });
          navigate(`${BASE}/${encodeURIComponent(started.runId)}?started=1`);
        } catch (caught) {
          setError(asError(caught));
          setBusy(false);
        }
      }}
    >
      {error ? (
        <>
          <ErrorMessage error={error} forbidden="Starting a billing run needs the billing or admin role." />
          {fieldIssues(error).length ? (
            <ul className="field-issues">
              {fieldIssues(error).map((issue) => (
                <li key={issue.path}>
                  <strong>{issue.path.replace(/^body\./, '')}</strong>: {issue.message}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
      <div className="run-form-fields">
        <Field id="run-cycle" label="Cycle" hint='For example "C1".'>
          <input id="run-cycle" name="cycle" required maxLength={32} pattern="[A-Za-z0-9_\-]{1,32}" value={period.cycle} onChange={set('cycle')} aria-describedby="run-cycle-hint" />
        </Field>
        <Field id="run-period-start" label="Period start">
          <input id="run-period-start" name="periodStart" type="date" required value={period.periodStart} onChange={set('periodStart')} />
        </Field>
        <Field id="run-period-end" label="Period end">
          <input id="run-period-end" name="periodEnd" type="date" required min={period.periodStart || undefined} value={period.periodEnd} onChange={set('periodEnd')} />
        </Field>
      </div>
      <button className="button" type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Start run'}
      </button>
    </form>
  );
}

/** The cycles' schedules with their next period (read-only; a billing user can copy a period into the form). */
function CycleCalendar(props: { api: ApiClient; canStart: boolean; onChoose: (period: Period) => void }) {
  const [cycles] = useResource('billing-cycles', () => props.api.get<{ today: string; items: CycleItem[] }>('/staff/billing-cycles'));
  return (
    <section className="card" aria-labelledby="cycles-title">
      <h2 id="cycles-title">Cycle calendar</h2>
      <Load resource={cycles} what="the cycle calendar">
        {(data) =>
          data.items.length === 0 ? (
            <p>No cycle has a schedule yet: runs are started by hand.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Cycle</th>
                    <th scope="col">Next period</th>
                    <th scope="col">Bill date</th>
                    <th scope="col" className="hide-narrow">
                      Due date
                    </th>
                    <th scope="col" className="hide-narrow">
                      Scheduled
                    </th>
                    {props.canStart ? <th scope="col">Form</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((cycle) => {
                    const next = cycle.upcoming[0];
                    return (
                      <tr key={cycle.cycle}>
                        <td>{cycle.cycle}</td>
                        <td>{next ? `${day(next.periodStart)} – ${day(next.periodEnd)}` : '—'}</td>
                        <td>{day(next?.billDate)}</td>
                        <td className="hide-narrow">{day(next?.dueDate)}</td>
                        <td className="hide-narrow">{cycle.enabled ? 'Yes' : 'No (by hand only)'}</td>
                        {props.canStart ? (
                          <td>
                            {next ? (
                              <button type="button" className="button button-quiet" onClick={() => props.onChoose({ cycle: cycle.cycle, periodStart: next.periodStart, periodEnd: next.periodEnd })}>
                                Use<span className="visually-hidden"> the next period of cycle {cycle.cycle}</span>
                              </button>
                            ) : null}
                          </td>
                        ) : null}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Load>
    </section>
  );
}

function seconds(from: string, to: string | undefined): string {
  if (!to) return '—';
  return `${(Math.max(0, Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)} s`;
}

/** One run with its progress; polls while RUNNING and stops once it finished. */
export function BillingRunPage(props: { api: ApiClient; runId: string; role: StaffRole | undefined; justStarted: boolean }) {
  const [run, reload] = useResource(`billing-run:${props.runId}`, () => props.api.get<RunDetail>(`/staff/billing-runs/${encodeURIComponent(props.runId)}`));
  const running = run.state === 'ready' && run.data.status === 'RUNNING';
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [run, running, reload]);
  return (
    <>
      <p>
        <Link to={`${BASE}`}>All billing runs</Link>
      </p>
      <h1>
        Billing run <span className="run-id">{props.runId}</span>
      </h1>
      {props.justStarted ? <Alert kind="success">Run {props.runId} started.</Alert> : null}
      <Load resource={run} what="the billing run">
        {(data) => <RunDetails api={props.api} run={data} role={props.role} />}
      </Load>
    </>
  );
}

function RunDetails(props: { api: ApiClient; run: RunDetail; role: StaffRole | undefined }) {
  const { run } = props;
  const { progress } = run;
  const finished = run.status !== 'RUNNING';
  // Finished: the run's own counts (FinalizeRun's sum); running: the totals of the segments done so far.
  const counts = finished ? run.counts : progress.totals;
  const planned = progress.segments.planned;
  return (
    <>
      <section className="card" aria-labelledby="run-status-title">
        <h2 id="run-status-title">Status</h2>
        <p role="status" aria-live="polite" data-testid="run-status">
          {finished ? `Run ${label(run.status).toLowerCase()} ${instant(run.finishedAt)}.` : 'Running: the progress below updates every 2 seconds.'}
        </p>
        <dl className="summary run-facts">
          <div>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={run.status} />
            </dd>
          </div>
          <div>
            <dt>Cycle</dt>
            <dd>{run.cycle}</dd>
          </div>
          <div>
            <dt>Period</dt>
            <dd>
              {day(run.periodStart)} – {day(run.periodEnd)}
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>
              {instant(run.startedAt)} by {run.startedBy}
            </dd>
          </div>
          <div>
            <dt>Elapsed</dt>
            <dd data-testid="run-elapsed">{progress.elapsedSeconds.toFixed(1)} s</dd>
          </div>
          <div>
            <dt>Bills per second</dt>
            <dd data-testid="run-rate">{progress.billsPerSecond}</dd>
          </div>
        </dl>
        {run.failure ? (
          <Alert kind="error" title={`The run failed: ${run.failure.error}`}>
            {run.failure.cause}
          </Alert>
        ) : null}
      </section>

      <section className="card" aria-labelledby="run-counts-title">
        <h2 id="run-counts-title">{finished ? 'Counts' : 'Counts so far'}</h2>
        <dl className="summary run-counts">
          {(['billed', 'held', 'skipped', 'failed'] as const).map((name) => (
            <div key={name}>
              <dt>{label(name)}</dt>
              <dd data-testid={`count-${name}`}>{counts[name]}</dd>
            </div>
          ))}
          <div>
            <dt>Segments</dt>
            <dd data-testid="count-segments">{finished ? run.counts.segments : `${progress.segments.done} of ${planned ?? '…'}`}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="run-progress-title">
        <h2 id="run-progress-title">Progress</h2>
        <div className="progress-row">
          <label htmlFor="run-progress-total">Segments done</label>
          {planned !== undefined && planned > 0 ? (
            <progress id="run-progress-total" max={planned} value={progress.segments.done}>
              {progress.segments.done} of {planned}
            </progress>
          ) : finished ? (
            <progress id="run-progress-total" max={1} value={1}>
              done
            </progress>
          ) : (
            <progress id="run-progress-total">planning</progress>
          )}
          <span className="progress-text">
            {progress.segments.done} of {planned ?? '…'}
            {progress.segments.running ? `, ${progress.segments.running} running` : ''}
          </span>
        </div>
        {progress.bySegment.length === 0 ? (
          <p className="muted">{finished ? 'No segment recorded progress (no accounts in the cycle).' : 'Waiting for the first segment to start…'}</p>
        ) : (
          <details className="segment-list" open={progress.bySegment.length <= OPEN_SEGMENTS}>
            <summary>
              Each segment ({progress.segments.done} done{progress.segments.running ? `, ${progress.segments.running} running` : ''})
            </summary>
            <ol className="plain segments">
              {progress.bySegment.map((segment) => (
                <li key={segment.segmentIndex} className="progress-row">
                  <label htmlFor={`segment-${segment.segmentIndex}`}>Segment {segment.segmentIndex + 1}</label>
                  {segment.status === 'DONE' ? (
                    <progress id={`segment-${segment.segmentIndex}`} max={1} value={1}>
                      done
                    </progress>
                  ) : (
                    <progress id={`segment-${segment.segmentIndex}`}>running</progress>
                  )}
                  <span className="progress-text">
                    {segment.status === 'DONE' && segment.counts
                      ? `${segment.counts.billed} billed, ${segment.counts.held} held, ${segment.counts.skipped} skipped, ${segment.counts.failed} failed in ${seconds(segment.startedAt, segment.finishedAt)}`
                      : 'running'}
                    {segment.attempts > 1 ? ` (attempt ${segment.attempts})` : ''}
                  </span>
                </li>
              ))}
            </ol>
          </details>
        )}
      </section>

      <section className="card" aria-labelledby="run-failed-title">
        <h2 id="run-failed-title">Failed accounts</h2>
        {run.errors.length === 0 ? (
          <p>{run.counts.failed > 0 ? `${run.counts.failed} accounts failed; the run kept no detail of them.` : 'No account failed.'}</p>
        ) : (
          <>
            {run.counts.failed > run.errors.length ? <p className="muted">The first {run.errors.length} of {run.counts.failed} failures.</p> : null}
            <ul data-testid="run-errors">
              {run.errors.map((error) => (
                <li key={`${error.accountId}:${error.reason}`}>
                  <Link to={`/console/accounts/${encodeURIComponent(error.accountId)}`}>{error.accountId}</Link>: {label(error.reason)}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      {finished && counts.held > 0 ? <HeldBills api={props.api} runId={run.runId} held={counts.held} role={props.role} /> : null}
    </>
  );
}

/** The bills this run held that are still waiting in the bill review queue. */
function HeldBills(props: { api: ApiClient; runId: string; held: number; role: StaffRole | undefined }) {
  const canRead = props.role !== undefined && HELD_READERS.has(props.role);
  const [queue] = useResource(`held-of-run:${props.runId}:${canRead}`, () => (canRead ? props.api.get<{ items: HeldBill[] }>('/staff/bill-exceptions?limit=200') : Promise.resolve({ items: [] })));
  return (
    <section className="card" aria-labelledby="run-held-title">
      <h2 id="run-held-title">Held bills</h2>
      <p>
        The run held {props.held} {props.held === 1 ? 'bill' : 'bills'} for review. <Link to="/console/bill-review">Open the bill review queue</Link>
      </p>
      {canRead ? (
        <Load resource={queue} what="the held bills" forbidden="Your role may not see the bill review queue.">
          {(data) => {
            const mine = data.items.filter((bill) => bill.runId === props.runId);
            return mine.length === 0 ? (
              <p className="muted">None of them is waiting any more: they were released or cancelled.</p>
            ) : (
              <ul data-testid="run-held">
                {mine.map((bill) => (
                  <li key={bill.billId}>
                    <Link to={`/console/accounts/${encodeURIComponent(bill.accountId)}`}>{bill.accountId}</Link>: bill {bill.billId} — {bill.holds.map((hold) => label(hold.reason)).join(', ')}
                  </li>
                ))}
              </ul>
            );
          }}
        </Load>
      ) : (
        <p className="muted">Reviewing held bills needs the billing, admin or auditor role.</p>
      )}
    </section>
  );
}
