/**
 * The portal's usage screen of an account: a month by day or a day by hour (previous, next, or a
 * chosen month or day), compared with the same period last year (a second request for the range a
 * year earlier), totals and change, the high-usage alerts of the range, and the Green Button
 * download of the range's interval data.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import { day } from '../common/format';
import type { Usage, UsageAlert } from '../common/types';
import { asError } from '../common/field-errors';
import { ErrorMessage, Field, Loading, useResource } from '../common/ui';
import { UsageChart } from './usage-chart';
import { defaultRange, isLatest, lastYearQuery, localToday, percentChange, quantity, queryOf, shift, slotsOf, total, unitName } from './usage-range';
import type { UsageQuery, UsageRange, UsageView } from './usage-range';

interface UsageData {
  key: string;
  current: Usage;
  lastYear?: Usage;
  lastYearError?: Error;
}

/** A range's answer, or why it failed, tagged with the range so a newer range never shows an older one's outcome. */
type UsageOutcome = { key: string; data: UsageData; error?: undefined } | { key: string; error: Error };

const pathOf = (base: string, query: UsageQuery) => `${base}/usage?from=${query.from}&to=${query.to}&interval=${query.interval}`;

function periodName(range: UsageRange): string {
  if (range.view === 'day') return day(range.anchor);
  return new Date(`${range.anchor}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function UsagePanel(props: { api: ApiClient; base: string; accountId: string }) {
  const { api, base } = props;
  const [today] = useState(() => localToday());
  const [range, setRange] = useState<UsageRange>(() => defaultRange('month', today));
  const query = queryOf(range, today);
  const key = `${base}|${query.from}|${query.to}|${query.interval}`;
  const [usage] = useResource<UsageOutcome>(`usage:${key}`, async () => {
    const [current, lastYear] = await Promise.allSettled([api.get<Usage>(pathOf(base, query)), api.get<Usage>(pathOf(base, lastYearQuery(query)))]);
    if (current.status === 'rejected') return { key, error: asError(current.reason) };
    const data: UsageData = lastYear.status === 'fulfilled' ? { key, current: current.value, lastYear: lastYear.value } : { key, current: current.value, lastYearError: asError(lastYear.reason) };
    return { key, data };
  });
  const outcome = usage.state === 'ready' && usage.data.key === key ? usage.data : undefined;
  const unitWord = range.view === 'month' ? 'month' : 'day';
  const latest = isLatest(range, today);
  // Switching keeps the place: the month of the day shown, or the last day of the month shown (yesterday in this month).
  const choose = (view: UsageView) => {
    if (view === range.view) return;
    setRange(view === 'month' ? { view, anchor: range.anchor.slice(0, 7) } : { view, anchor: query.to });
  };
  return (
    <section className="card usage" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <div className="usage-controls">
        <div className="actions" role="group" aria-label="Show usage by">
          <button type="button" className={`button ${range.view === 'month' ? '' : 'button-quiet'}`} aria-pressed={range.view === 'month'} onClick={() => choose('month')}>
            Day by day (a month)
          </button>
          <button type="button" className={`button ${range.view === 'day' ? '' : 'button-quiet'}`} aria-pressed={range.view === 'day'} onClick={() => choose('day')}>
            Hour by hour (a day)
          </button>
        </div>
        <div className="usage-period">
          <button type="button" className="button button-quiet" onClick={() => setRange(shift(range, -1))}>
            Previous {unitWord}
          </button>
          {range.view === 'month' ? (
            <Field id="usage-month" label="Month">
              <input id="usage-month" type="month" max={today.slice(0, 7)} value={range.anchor} onChange={(event) => /^\d{4}-\d{2}$/.test(event.target.value) && setRange({ view: 'month', anchor: event.target.value })} />
            </Field>
          ) : (
            <Field id="usage-day" label="Day">
              <input id="usage-day" type="date" max={today} value={range.anchor} onChange={(event) => /^\d{4}-\d{2}-\d{2}$/.test(event.target.value) && setRange({ view: 'day', anchor: event.target.value })} />
            </Field>
          )}
          {/* aria-disabled, not disabled: the button keeps the focus when it reaches today. */}
          <button type="button" className="button button-quiet" aria-disabled={latest} aria-describedby={latest ? 'usage-next-why' : undefined} onClick={() => !latest && setRange(shift(range, 1))}>
            Next {unitWord}
          </button>
          {latest ? (
            <p className="hint" id="usage-next-why">
              There is no usage after today yet.
            </p>
          ) : null}
        </div>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {outcome && !outcome.error ? announcement(outcome.data, range) : ''}
      </p>
      <div className="usage-result">
        {usage.state === 'error' ? (
          <ErrorMessage error={usage.error} />
        ) : !outcome ? (
          <Loading what={`usage for ${periodName(range)}`} />
        ) : outcome.error ? (
          <ErrorMessage error={outcome.error} />
        ) : (
          <UsageResult
            data={outcome.data}
            range={range}
            query={query}
            onShowDay={(date) => {
              setRange({ view: 'day', anchor: date });
              // The link goes away with the month's content: the keyboard continues at the day field.
              setTimeout(() => document.getElementById('usage-day')?.focus(), 0);
            }}
          />
        )}
      </div>
      <GreenButtonDownload api={api} base={base} accountId={props.accountId} query={query} period={periodName(range)} />
    </section>
  );
}

/** What a screen reader hears once a range has loaded: the period, its totals and its alerts. */
function announcement(data: UsageData, range: UsageRange): string {
  const totals = data.current.series.map((series) => `${quantity(total(series.points))} ${unitName(series.unit)}`);
  const alerts = data.current.alerts.length;
  return `Usage for ${periodName(range)} shown: ${totals.length ? totals.join(', ') : 'no usage recorded'}${alerts ? `, ${alerts} high-usage ${alerts === 1 ? 'alert' : 'alerts'}` : ''}.`;
}

function UsageResult(props: { data: UsageData; range: UsageRange; query: UsageQuery; onShowDay: (date: string) => void }) {
  const { current, lastYear, lastYearError } = props.data;
  const timeZone = current.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const alertDays = new Set(current.alerts.map((alert) => alert.day));
  const hourly = props.query.interval === 'hour';
  const period = periodName(props.range);
  return (
    <>
      <p className="usage-heading">
        <strong>
          {hourly ? 'Hourly' : 'Daily'} usage, {period}
        </strong>{' '}
        <span className="muted">
          ({day(props.query.from)}
          {props.query.to !== props.query.from ? ` to ${day(props.query.to)}` : ''}, compared with the same {hourly ? 'day' : 'days'} a year earlier)
        </span>
      </p>
      {lastYearError ? <ErrorMessage error={new Error(`Last year's usage could not be loaded: ${lastYearError.message}`)} /> : null}
      {current.alerts.length > 0 ? <AlertList alerts={current.alerts} hourly={hourly} onShowDay={props.onShowDay} /> : null}
      {current.series.length === 0 ? <p>No usage was recorded for {period}.</p> : null}
      {current.series.map((series) => {
        const before = lastYear?.series.find((candidate) => candidate.unit === series.unit);
        const thisTotal = total(series.points);
        const lastTotal = before ? total(before.points) : undefined;
        const change = percentChange(thisTotal, lastTotal);
        const unit = unitName(series.unit);
        const estimated = series.points.filter((point) => point.estimated).length;
        const slots = slotsOf(props.query, series.points, before?.points, alertDays, timeZone);
        const peak = series.points.reduce<(typeof series.points)[number] | undefined>((best, point) => (best === undefined || Number(point.quantity) > Number(best.quantity) ? point : best), undefined);
        const peakSlot = slots.find((slot) => slot.current === peak);
        const changeText = change === undefined ? 'no usage recorded for the same period last year' : change.startsWith('-') ? `${change.slice(1)}% less than last year` : change === '0.0' ? 'the same as last year' : `${change}% more than last year`;
        const title = `${hourly ? 'Hourly' : 'Daily'} usage in ${unit}, ${period}`;
        const summary = [
          `Total ${quantity(thisTotal)} ${unit}, ${changeText}${lastTotal !== undefined ? ` (${quantity(lastTotal)} ${unit})` : ''}.`,
          peakSlot ? `Highest: ${peakSlot.longLabel}, ${quantity(peak!.quantity)} ${unit}.` : '',
          alertDays.size ? `${alertDays.size} high-usage ${alertDays.size === 1 ? 'day' : 'days'} marked.` : '',
          estimated ? `${estimated} ${hourly ? (estimated === 1 ? 'hour' : 'hours') : estimated === 1 ? 'day' : 'days'} partly estimated.` : '',
          'The table lists every value.',
        ]
          .filter(Boolean)
          .join(' ');
        return (
          <div key={series.unit} className="usage-series" data-unit={series.unit}>
            <dl className="summary usage-totals">
              <div>
                <dt>This period</dt>
                <dd>
                  <span data-testid="usage-total">{quantity(thisTotal)}</span> {unit}
                </dd>
              </div>
              <div>
                <dt>Same period last year</dt>
                <dd>
                  <span data-testid="usage-total-last-year">{lastTotal === undefined ? '—' : quantity(lastTotal)}</span> {lastTotal === undefined ? '' : unit}
                </dd>
              </div>
              <div>
                <dt>Change</dt>
                <dd data-testid="usage-change">{change === undefined ? 'No data last year' : `${change.startsWith('-') ? '' : '+'}${change}%`}</dd>
              </div>
            </dl>
            {estimated ? (
              <p className="muted">
                {estimated} {hourly ? (estimated === 1 ? 'hour is' : 'hours are') : estimated === 1 ? 'day is' : 'days are'} partly estimated (striped bars): the meter's reads were missing and were estimated from similar days.
              </p>
            ) : null}
            <UsageChart unit={series.unit} interval={hourly ? 'hour' : 'day'} slots={slots} title={title} summary={summary} compare={lastYear !== undefined} />
          </div>
        );
      })}
    </>
  );
}

function AlertList(props: { alerts: UsageAlert[]; hourly: boolean; onShowDay: (date: string) => void }) {
  return (
    <div className="alert alert-warning usage-alerts" role="group" aria-labelledby="usage-alerts-title">
      <strong className="alert-title" id="usage-alerts-title">
        High-usage {props.alerts.length === 1 ? 'alert' : 'alerts'}
      </strong>
      <ul className="plain">
        {props.alerts.map((alert) => (
          <li key={`${alert.day}|${alert.meterId}`} data-alert-day={alert.day}>
            {day(alert.day)}: you used {quantity(alert.total)} {unitName(alert.unit)}, more than the high-usage level of {quantity(alert.threshold)} {unitName(alert.unit)} a day (meter {alert.meterId}).{' '}
            {props.hourly ? null : (
              <button type="button" className="link-button" onClick={() => props.onShowDay(alert.day)}>
                See the hours of {day(alert.day)}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Downloads the range's interval data as a Green Button (ESPI XML) file, fetched with the session's token. */
function GreenButtonDownload(props: { api: ApiClient; base: string; accountId: string; query: UsageQuery; period: string }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: Error } | undefined>();
  const { from, to } = props.query;
  const download = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const blob = await props.api.blob(`${props.base}/usage/greenbutton?from=${from}&to=${to}`);
      const name = `greenbutton-${props.accountId}-${from}-${to}.xml`;
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setOutcome({ ok: true, text: `Saved ${name} (${Math.max(1, Math.round(blob.size / 1024))} KB).` });
    } catch (caught) {
      setOutcome({ ok: false, error: asError(caught) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="green-button">
      <h3>Green Button download</h3>
      <p className="hint" id="green-button-hint">
        Your interval readings for {props.period} as a Green Button file (ESPI XML), for energy apps and advisers.
      </p>
      <button type="button" className="button" disabled={busy} aria-describedby="green-button-hint" onClick={() => void download()}>
        {busy ? 'Preparing the file…' : 'Download Green Button data'}
      </button>
      <div aria-live="polite">
        {outcome?.ok ? <p className="green-button-done">{outcome.text}</p> : null}
        {outcome && !outcome.ok ? <ErrorMessage error={new Error(`The Green Button file could not be downloaded: ${outcome.error.message}`)} /> : null}
      </div>
    </div>
  );
}
