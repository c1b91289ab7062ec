/**
 * Autopay of one account: the enrollment (bank account shown by its last four digits only), a
 * form to enroll with the API's field errors next to each field, and cancelling after an
 * explicit confirmation.
 */
import { useRef, useState } from 'react';
import type { ApiClient } from '../common/api';
import { asError, fieldErrors } from '../common/field-errors';
import { day, label } from '../common/format';
import { Alert, ErrorMessage, Load, useResource } from '../common/ui';

interface Enrollment {
  status: 'ACTIVE' | 'CANCELLED';
  routingNumber: string;
  accountType: 'checking' | 'savings';
  accountLast4: string;
  accountHolder: string;
  authorizedAt: string;
  cancelledAt?: string;
}

const FIELDS = ['accountHolder', 'routingNumber', 'accountNumber', 'accountType'] as const;
type FieldName = (typeof FIELDS)[number];

export function AutopayPanel(props: { api: ApiClient; base: string }) {
  const { api, base } = props;
  const [enrollment, reload] = useResource(`autopay:${base}`, () => api.get<{ autopay: Enrollment | null }>(`${base}/autopay`));
  const [done, setDone] = useState<string | undefined>();
  return (
    <section className="card" aria-labelledby="autopay-title" data-testid="autopay">
      <h2 id="autopay-title">Autopay</h2>
      <p className="muted">Each bill is paid from your bank account on its due date. You can cancel at any time.</p>
      <div aria-live="polite">{done ? <Alert kind="success">{done}</Alert> : null}</div>
      <Load resource={enrollment} what="your autopay enrollment">
        {(data) =>
          data.autopay?.status === 'ACTIVE' ? (
            <Enrolled
              api={api}
              base={base}
              autopay={data.autopay}
              onCancelled={(text) => {
                setDone(text);
                reload();
              }}
            />
          ) : (
            <EnrollForm
              api={api}
              base={base}
              onEnrolled={(text) => {
                setDone(text);
                reload();
              }}
            />
          )
        }
      </Load>
    </section>
  );
}

function Enrolled(props: { api: ApiClient; base: string; autopay: Enrollment; onCancelled: (text: string) => void }) {
  const { autopay } = props;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const confirmRef = useRef<HTMLDivElement>(null);
  const bank = `${label(autopay.accountType)} account ending ${autopay.accountLast4}`;
  return (
    <>
      <dl className="summary">
        <div>
          <dt>Status</dt>
          <dd data-testid="autopay-status">Enrolled</dd>
        </div>
        <div>
          <dt>Pays from</dt>
          <dd data-testid="autopay-bank">{bank}</dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd>{day(autopay.authorizedAt)}</dd>
        </div>
      </dl>
      {error ? <ErrorMessage error={error} /> : null}
      {confirming ? (
        <div className="confirm" role="group" aria-labelledby="autopay-confirm-text" ref={confirmRef} tabIndex={-1}>
          <p id="autopay-confirm-text">
            Stop paying bills automatically from the {bank.toLowerCase()}? Bills due from now on must be paid another way.
          </p>
          <div className="actions">
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(undefined);
                try {
                  await props.api.send('DELETE', `${props.base}/autopay`);
                  props.onCancelled(`Autopay is cancelled. The ${bank.toLowerCase()} will not be debited again.`);
                } catch (caught) {
                  setError(asError(caught));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {busy ? 'Cancelling…' : 'Yes, cancel autopay'}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              Keep autopay
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setConfirming(true);
            // Move focus to the question so keyboard and screen reader users hear it.
            requestAnimationFrame(() => confirmRef.current?.focus());
          }}
        >
          Cancel autopay
        </button>
      )}
    </>
  );
}

function EnrollForm(props: { api: ApiClient; base: string; onEnrolled: (text: string) => void }) {
  const [values, setValues] = useState<Record<FieldName, string>>({ accountHolder: '', routingNumber: '', accountNumber: '', accountType: 'checking' });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (name: FieldName) => (event: { target: { value: string } }) => setValues((current) => ({ ...current, [name]: event.target.value }));
  const described = (name: FieldName, hint?: boolean) => [hint ? `autopay-${name}-hint` : '', errors[name] ? `autopay-${name}-error` : ''].filter(Boolean).join(' ') || undefined;
  const fieldError = (name: FieldName) =>
    errors[name] ? (
      <p className="field-error" id={`autopay-${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setErrors({});
        setError(undefined);
        try {
          const { autopay } = await props.api.send<{ autopay: Enrollment }>('PUT', `${props.base}/autopay`, {
            accountHolder: values.accountHolder.trim(),
            routingNumber: values.routingNumber.trim(),
            accountNumber: values.accountNumber.trim(),
            accountType: values.accountType,
          });
          props.onEnrolled(`You are enrolled in autopay from the ${label(autopay.accountType).toLowerCase()} account ending ${autopay.accountLast4}.`);
        } catch (caught) {
          const byField = fieldErrors(caught);
          setErrors(byField);
          const first = FIELDS.find((name) => name in byField);
          if (first) requestAnimationFrame(() => document.getElementById(`autopay-${first}`)?.focus());
          setError(asError(caught));
        } finally {
          setBusy(false);
        }
      }}
    >
      <p>You are not enrolled in autopay.</p>
      {error ? (
        Object.keys(errors).length > 0 ? (
          <Alert kind="error" title="Please check the bank details">
            {Object.keys(errors).length === 1 ? 'One field needs a correction.' : `${Object.keys(errors).length} fields need a correction.`}
          </Alert>
        ) : (
          <ErrorMessage error={error} />
        )
      ) : null}
      <div className="field">
        <label htmlFor="autopay-accountHolder">Name on the bank account</label>
        <input id="autopay-accountHolder" name="accountHolder" autoComplete="name" maxLength={22} value={values.accountHolder} onChange={set('accountHolder')} aria-invalid={errors.accountHolder ? true : undefined} aria-describedby={described('accountHolder')} />
        {fieldError('accountHolder')}
      </div>
      <div className="field">
        <label htmlFor="autopay-routingNumber">Routing number</label>
        <input id="autopay-routingNumber" name="routingNumber" inputMode="numeric" autoComplete="off" maxLength={9} value={values.routingNumber} onChange={set('routingNumber')} aria-invalid={errors.routingNumber ? true : undefined} aria-describedby={described('routingNumber', true)} />
        <p className="hint" id="autopay-routingNumber-hint">
          The 9 digits at the bottom left of a check.
        </p>
        {fieldError('routingNumber')}
      </div>
      <div className="field">
        <label htmlFor="autopay-accountNumber">Account number</label>
        <input id="autopay-accountNumber" name="accountNumber" inputMode="numeric" autoComplete="off" maxLength={17} value={values.accountNumber} onChange={set('accountNumber')} aria-invalid={errors.accountNumber ? true : undefined} aria-describedby={described('accountNumber', true)} />
        <p className="hint" id="autopay-accountNumber-hint">
          Only its last four digits are shown afterwards.
        </p>
        {fieldError('accountNumber')}
      </div>
      <div className="field">
        <label htmlFor="autopay-accountType">Account type</label>
        <select id="autopay-accountType" name="accountType" value={values.accountType} onChange={set('accountType')} aria-describedby={described('accountType')}>
          <option value="checking">Checking</option>
          <option value="savings">Savings</option>
        </select>
        {fieldError('accountType')}
      </div>
      <button className="button" type="submit" disabled={busy}>
        {busy ? 'Enrolling…' : 'Enroll in autopay'}
      </button>
    </form>
  );
}
