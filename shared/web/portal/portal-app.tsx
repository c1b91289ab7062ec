/** The customer portal: sign-in, the customer's accounts, one account's page and the preferences. */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import { authForBuild, sessionStore, SignInError } from '../common/auth';
import type { Session } from '../common/auth';
import { HostedSignIn, SignInCard } from '../common/hosted-sign-in';
import { useAppSession } from '../common/session';
import { Field, Link, Load, navigate, Shell, useLocation, useResource } from '../common/ui';
import type { AccountSummary, Page } from '../common/types';
import { AccountPage } from './account-page';
import { PreferencesPage } from './preferences-page';

/** This app's session (sessionStorage); main.tsx finishes a hosted sign-in into it before the first render. */
export const store = sessionStore('cis.portal.session');
const auth = authForBuild();

export function PortalApp() {
  const { session, notice, api, signedIn, signOut } = useAppSession(store);
  if (!session) {
    return (
      <Shell title="My utility account">
        {auth.kind === 'cognito' ? <HostedSignIn title="Sign in" notice={notice} auth={auth} /> : <SignIn notice={notice} onSignedIn={signedIn} />}
      </Shell>
    );
  }
  return (
    <Shell title="My utility account" user={`Customer ${session.user}`} onSignOut={signOut} nav={
        <>
          <Link to="/">My accounts</Link>
          <Link to="/preferences">Preferences</Link>
        </>
      }
    >
      <Routes api={api} />
    </Shell>
  );
}

function Routes(props: { api: ApiClient }) {
  const { path } = useLocation();
  if (/^\/preferences\/?$/.test(path)) return <PreferencesPage api={props.api} />;
  const account = /^\/accounts\/([^/]+)\/?$/.exec(path);
  if (account) return <AccountPage key={account[1]} api={props.api} accountId={decodeURIComponent(account[1]!)} />;
  return <AccountList api={props.api} />;
}

function AccountList(props: { api: ApiClient }) {
  const [accounts] = useResource('accounts', () => props.api.get<Page<AccountSummary>>('/portal/accounts'));
  return (
    <>
      <h1>My accounts</h1>
      <Load resource={accounts} what="your accounts">
        {(page) =>
          page.items.length === 0 ? (
            <p>No accounts are linked to you yet.</p>
          ) : (
            <ul className="grid" style={{ listStyle: 'none', padding: 0 }}>
              {page.items.map((account) => (
                <li key={account.accountId} className="card">
                  <h2>
                    <Link to={`/accounts/${encodeURIComponent(account.accountId)}`}>Account {account.accountId}</Link>
                  </h2>
                  <p>{account.name}</p>
                  <p className="muted">{account.serviceAddress}</p>
                </li>
              ))}
            </ul>
          )
        }
      </Load>
    </>
  );
}

function SignIn(props: { notice?: string; onSignedIn: (session: Session) => void }) {
  const [customerId, setCustomerId] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <SignInCard title="Sign in" notice={props.notice} error={error}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            props.onSignedIn(await auth.signIn({ customerId: customerId.trim() }));
            if (window.location.pathname === '/sign-in') navigate('/');
          } catch (caught) {
            setError(caught instanceof SignInError ? caught.message : String(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field id="customer-id" label="Customer number" hint={auth.kind === 'local' ? 'Local platform: any demo customer, e.g. C0001.' : undefined}>
          <input id="customer-id" name="customerId" autoComplete="username" required value={customerId} onChange={(event) => setCustomerId(event.target.value)} aria-describedby="customer-id-hint" />
        </Field>
        <button className="button" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </SignInCard>
  );
}
