/**
 * The collections worklist of a run day: accounts that got a notice, a field order or a block,
 * each linking to its overview, with the rules that blocked disconnection in plain words.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import { day, label, money } from '../common/format';
import { Field, Link, Load, navigate, useResource } from '../common/ui';

interface WorklistRow {
  accountId: string;
  decision: string;
  summary?: string;
  pastDue?: string;
  blockedBy?: string[];
  notice?: { noticeId?: string; kind?: string; sentOn?: string; scheduledDisconnectOn?: string };
  blocking: Array<{ ruleId: string; reason: string; citation: string }>;
}

interface Worklist {
  runDate: string;
  run: { status?: string } | null;
  items: WorklistRow[];
  nextCursor: string | null;
}

/** What each decision of the run means for the account. */
const DECISION_TEXT: Record<string, string> = {
  'written-notice': 'A written notice was sent',
  'final-notice': 'A final notice was sent',
  'contact-attempt': 'A contact attempt is due before disconnection',
  disconnect: 'A disconnection order was created',
  'cancel-disconnect': 'The disconnection order was cancelled',
  reconnect: 'A reconnection order was created',
  disconnected: 'The service is disconnected',
  blocked: 'Disconnection is blocked',
  none: 'No action',
};

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function CollectionsWorklist(props: { api: ApiClient; runDate?: string; cursor?: string }) {
  const runDate = props.runDate && ISO_DAY.test(props.runDate) ? props.runDate : undefined;
  const query = [runDate ? `runDate=${runDate}` : '', 'limit=100', props.cursor ? `cursor=${encodeURIComponent(props.cursor)}` : ''].filter(Boolean).join('&');
  const [list] = useResource(`worklist:${query}`, () => props.api.get<Worklist>(`/staff/collections/worklist?${query}`));
  const [picked, setPicked] = useState(runDate ?? '');
  return (
    <>
      <h1>Collections worklist</h1>
      <form
        className="card"
        aria-label="Choose the run date"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(picked ? `/console/collections?runDate=${picked}` : '/console/collections');
        }}
      >
        <Field id="worklist-date" label="Run date" hint="Empty: today's run.">
          <input id="worklist-date" name="runDate" type="date" value={picked} onChange={(event) => setPicked(event.target.value)} aria-describedby="worklist-date-hint" />
        </Field>
        <button className="button" type="submit">
          Show
        </button>
      </form>
      <Load resource={list} what="the collections worklist">
        {(data) => (
          <section className="card" aria-labelledby="worklist-title">
            <h2 id="worklist-title">
              Run of {day(data.runDate)} <span className="muted">{data.run?.status ? `(${label(data.run.status)})` : '(no run recorded)'}</span>
            </h2>
            {data.items.length === 0 ? (
              <p>No account got a notice, an order or a block on this day.</p>
            ) : (
              <ul className="plain" data-testid="worklist">
                {data.items.map((row) => (
                  <li key={row.accountId} className="card">
                    <h3>
                      <Link to={`/console/accounts/${encodeURIComponent(row.accountId)}`}>Account {row.accountId}</Link>
                    </h3>
                    <p>
                      <strong>{DECISION_TEXT[row.decision] ?? label(row.decision)}</strong>
                      {row.pastDue ? `; past due ${money(row.pastDue)}` : ''}
                      {row.notice?.scheduledDisconnectOn ? `; disconnection not before ${day(row.notice.scheduledDisconnectOn)}` : ''}.
                    </p>
                    {row.summary ? <p className="muted">{row.summary}</p> : null}
                    {row.blocking.length ? (
                      <>
                        <h4>Why disconnection is blocked</h4>
                        <ul>
                          {row.blocking.map((rule) => (
                            <li key={rule.ruleId}>
                              {capitalized(rule.reason)} <span className="muted">({label(rule.ruleId)}; {rule.citation})</span>
                            </li>
                          ))}
                        </ul>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {data.nextCursor ? (
              <p>
                <Link to={`/console/collections?runDate=${data.runDate}&cursor=${encodeURIComponent(data.nextCursor)}`}>Next page</Link>
              </p>
            ) : null}
          </section>
        )}
      </Load>
    </>
  );
}

function capitalized(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
