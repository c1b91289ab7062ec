/** The staff console: sign-in with a role, search, the account overview and the work queues. */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import { authForBuild, sessionStore, SignInError, STAFF_ROLES } from '../common/auth';
import type { Session, StaffRole } from '../common/auth';
import { label } from '../common/format';
import { HostedSignIn, SignInCard } from '../common/hosted-sign-in';
import { useAppSession } from '../common/session';
import { Field, Link, Load, navigate, Shell, useLocation, useResource } from '../common/ui';
import { AccountOverview } from './account-overview';
import { BillReview } from './bill-review';
import { BillingRunPage, BillingRuns } from './billing-runs';
import { ReadExceptions } from './read-exceptions';
import { Approvals } from './approvals';
import { CollectionsWorklist } from './collections-worklist';
import { ServiceOrderPage, ServiceOrders } from './service-orders';
import { ArrangementRequests } from './arrangement-requests';

/** This app's session (sessionStorage); main.tsx finishes a hosted sign-in into it before the first render. */
export const store = sessionStore('cis.console.session');
const auth = authForBuild();
const BASE = '/console';

export function ConsoleApp() {
  const { session, notice, api, signedIn, signOut } = useAppSession(store);
  if (!session) {
    return (
      <Shell title="CIS staff console">
        {auth.kind === 'cognito' ? <HostedSignIn title="Staff sign-in" notice={notice} auth={auth} /> : <SignIn notice={notice} onSignedIn={signedIn} />}
      </Shell>
    );
  }
  return (
    <Shell title="CIS staff console" user={`${session.user} (${session.role ?? 'staff'})`} onSignOut={signOut} nav={
        <>
          <Link to={`${BASE}/`}>Search</Link>
          <Link to={`${BASE}/bill-review`}>Bill review</Link>
          <Link to={`${BASE}/billing-runs`}>Billing runs</Link>
          <Link to={`${BASE}/read-exceptions`}>Read exceptions</Link>
          <Link to={`${BASE}/approvals`}>Approvals</Link>
          <Link to={`${BASE}/service-orders`}>Service orders</Link>
          <Link to={`${BASE}/collections`}>Collections</Link>
          <Link to={`${BASE}/arrangement-requests`}>Arrangement requests</Link>
        </>
      }
    >
      <Routes api={api} session={session} />
    </Shell>
  );
}

function Routes(props: { api: ApiClient; session: Session }) {
  const { path, search } = useLocation();
  if (/^\/console\/bill-review\/?$/.test(path)) return <BillReview api={props.api} role={props.session.role} />;
  if (/^\/console\/billing-runs\/?$/.test(path)) return <BillingRuns api={props.api} role={props.session.role} />;
  const run = /^\/console\/billing-runs\/([^/]+)\/?$/.exec(path);
  if (run) return <BillingRunPage key={run[1]} api={props.api} runId={decodeURIComponent(run[1]!)} role={props.session.role} justStarted={search.get('started') === '1'} />;
  if (/^\/console\/read-exceptions\/?$/.test(path)) return <ReadExceptions api={props.api} role={props.session.role} />;
  if (/^\/console\/approvals\/?$/.test(path)) return <Approvals key={search.get('status') ?? ''} api={props.api} user={props.session.user} role={props.session.role} status={search.get('status') ?? 'PENDING'} />;
  if (/^\/console\/service-orders\/?$/.test(path)) return <ServiceOrders key={`${search.get('status') ?? ''}:${search.get('cursor') ?? ''}`} api={props.api} status={search.get('status') ?? 'CREATED'} cursor={search.get('cursor') ?? undefined} />;
  const order = /^\/console\/service-orders\/([^/]+)\/?$/.exec(path);
  if (order) return <ServiceOrderPage key={order[1]} api={props.api} orderId={decodeURIComponent(order[1]!)} role={props.session.role} />;
  if (/^\/console\/collections\/?$/.test(path)) return <CollectionsWorklist key={`${search.get('runDate') ?? ''}:${search.get('cursor') ?? ''}`} api={props.api} runDate={search.get('runDate') ?? undefined} cursor={search.get('cursor') ?? undefined} />;
  if (/^\/console\/arrangement-requests\/?$/.test(path)) return <ArrangementRequests api={props.api} role={props.session.role} />;
  const account = /^\/console\/accounts\/([^/]+)\/?$/.exec(path);
  if (account) return <AccountOverview key={account[1]} api={props.api} accountId={decodeURIComponent(account[1]!)} role={props.session.role} />;
  return <Search key={search.get('q') ?? ''} api={props.api} query={search.get('q') ?? ''} />;
}

interface SearchResult {
  items: Array<{ accountId: string; customerId: string; name: string; serviceAddress: string; status: string; matchedOn: string[] }>;
  premises: Array<{ premiseId: string; normalizedAddress?: string }>;
}

function Search(props: { api: ApiClient; query: string }) {
  const { query } = props;
  const [text, setText] = useState(query);
  const [results] = useResource(`search:${query}`, () => (query ? props.api.get<SearchResult>(`/staff/search?q=${encodeURIComponent(query)}`) : Promise.resolve(undefined)));
  return (
    <>
      <h1>Find an account</h1>
      <form
        role="search"
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(`${BASE}/?q=${encodeURIComponent(text.trim())}`);
        }}
      >
        <Field id="search-q" label="Name, address, phone, email, account or meter number">
          <input id="search-q" name="q" type="search" required value={text} onChange={(event) => setText(event.target.value)} />
        </Field>
        <button className="button" type="submit">
          Search
        </button>
      </form>
      {query ? (
        <section className="card" aria-labelledby="results-title">
          <h2 id="results-title">Results for “{query}”</h2>
          <Load resource={results} what="results">
            {(data) =>
              !data || data.items.length === 0 ? (
                <p>No accounts match.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Account</th>
                        <th scope="col">Name</th>
                        <th scope="col" className="hide-narrow">
                          Service address
                        </th>
                        <th scope="col">Status</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((item) => (
                        <tr key={item.accountId}>
                          <td>
                            <Link to={`${BASE}/accounts/${encodeURIComponent(item.accountId)}`}>{item.accountId}</Link>
                          </td>
                          <td>{item.name}</td>
                          <td className="hide-narrow">{item.serviceAddress}</td>
                          <td>{label(item.status)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </Load>
        </section>
      ) : null}
    </>
  );
}

function SignIn(props: { notice?: string; onSignedIn: (session: Session) => void }) {
  const [staff, setStaff] = useState('');
  const [role, setRole] = useState<StaffRole>('csr');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <SignInCard title="Staff sign-in" notice={props.notice} error={error}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            props.onSignedIn(await auth.signIn({ staff: staff.trim(), role }));
          } catch (caught) {
            setError(caught instanceof SignInError ? caught.message : String(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field id="staff-name" label="User name">
          <input id="staff-name" name="staff" autoComplete="username" required value={staff} onChange={(event) => setStaff(event.target.value)} />
        </Field>
        {auth.kind === 'local' ? (
          <Field id="staff-role" label="Role" hint="Local platform: choose the role to sign in with.">
            <select id="staff-role" name="role" value={role} onChange={(event) => setRole(event.target.value as StaffRole)} aria-describedby="staff-role-hint">
              {STAFF_ROLES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <button className="button" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </SignInCard>
  );
}
