/** The sign-in screens' frame, and the sign-in screen of a deployment: one button to the utility's hosted sign-in page (Cognito). */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { SignInError, takeSignInError } from './auth';
import type { AuthAdapter } from './auth';
import { Alert } from './ui';

/** A sign-in screen: its heading, what the app has to say (session expired, signed out) and why the last attempt failed. */
export function SignInCard(props: { title: string; notice?: string | undefined; error?: string | undefined; children: ReactNode }) {
  return (
    <section className="sign-in card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{props.title}</h1>
      {props.notice ? <Alert kind="info">{props.notice}</Alert> : null}
      {props.error ? <Alert kind="error" title="Sign-in failed">{props.error}</Alert> : null}
      {props.children}
    </section>
  );
}

export function HostedSignIn(props: { title: string; notice?: string; auth: AuthAdapter }) {
  const [error, setError] = useState<string | undefined>(() => takeSignInError());
  const [busy, setBusy] = useState(false);
  return (
    <SignInCard title={props.title} notice={props.notice} error={error}>
      <p>You sign in on the utility's secure sign-in page and come back here.</p>
      <button
        className="button"
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await props.auth.signIn({ customerId: '' });
          } catch (caught) {
            setError(caught instanceof SignInError ? caught.message : String(caught));
            setBusy(false);
          }
        }}
      >
        {busy ? 'Opening the sign-in page…' : 'Sign in'}
      </button>
    </SignInCard>
  );
}
