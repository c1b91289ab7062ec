/**
 * The customer's preferences: how bills arrive (paper, e-mail, or portal only: "paperless"), the
 * contact addresses notifications go to, and per topic the channels (e-mail, text message).
 * Saved with PATCH /portal/preferences; the API refuses a channel without its address.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import { asError, fieldErrors } from '../common/field-errors';
import { Alert, ErrorMessage, Load, useResource } from '../common/ui';

type Channel = 'EMAIL' | 'SMS';
const TOPICS = [
  { topic: 'billReady', text: 'A new bill is ready' },
  { topic: 'paymentDue', text: 'A payment is due soon' },
  { topic: 'highUsage', text: 'Usage is higher than usual' },
  { topic: 'serviceOrders', text: 'Updates on my service requests' },
  { topic: 'collections', text: 'Past-due balance and disconnection notices' },
] as const;
type Topic = (typeof TOPICS)[number]['topic'];

export interface Preferences {
  customerId: string;
  name: string;
  email: string | null;
  phones: string[];
  billDelivery: 'PAPER' | 'EMAIL' | 'PORTAL';
  paperless: boolean;
  notifications: Record<Topic, Channel[]>;
}

const DELIVERY = [
  { value: 'PAPER', text: 'Paper bill by mail', explain: 'A printed bill is mailed to your mailing address.' },
  { value: 'EMAIL', text: 'Paperless: the bill by e-mail', explain: 'No paper bill. The bill (PDF) is e-mailed to you and is always in the portal.' },
  { value: 'PORTAL', text: 'Paperless: the bill in the portal', explain: 'No paper bill and no attachment. You read and download the bill here; turn on the "A new bill is ready" notification to hear about it.' },
] as const;

export function PreferencesPage(props: { api: ApiClient }) {
  const [preferences, reload] = useResource('preferences', () => props.api.get<Preferences>('/portal/preferences'));
  // Kept here: the form is made anew from the reloaded preferences after a save.
  const [saved, setSaved] = useState(false);
  return (
    <>
      <h1>Preferences</h1>
      <div aria-live="polite">{saved ? <Alert kind="success">Your preferences are saved.</Alert> : null}</div>
      <Load resource={preferences} what="your preferences">
        {(data) => (
          <PreferencesForm
            key={JSON.stringify(data)}
            api={props.api}
            current={data}
            onSubmit={() => setSaved(false)}
            onSaved={() => {
              setSaved(true);
              reload();
            }}
          />
        )}
      </Load>
    </>
  );
}

function formatPhone(digits: string): string {
  const d = digits.replace(/^1(?=\d{10}$)/, '');
  return /^\d{10}$/.test(d) ? `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}` : digits;
}

function PreferencesForm(props: { api: ApiClient; current: Preferences; onSubmit: () => void; onSaved: () => void }) {
  const { current } = props;
  const [billDelivery, setBillDelivery] = useState(current.billDelivery);
  const [email, setEmail] = useState(current.email ?? '');
  const [phone, setPhone] = useState(current.phones[0] ? formatPhone(current.phones[0]) : '');
  const [notifications, setNotifications] = useState(current.notifications);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | undefined>();
  const errors = failure ? fieldErrors(failure) : {};
  const toggle = (topic: Topic, channel: Channel, on: boolean) => setNotifications((was) => ({ ...was, [topic]: on ? [...was[topic].filter((c) => c !== channel), channel] : was[topic].filter((c) => c !== channel) }));
  return (
    <form
      className="preferences"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setFailure(undefined);
        props.onSubmit();
        const body: Record<string, unknown> = { billDelivery, notifications };
        if (email.trim() && email.trim() !== current.email) body['email'] = email.trim();
        const phones = phone.trim() ? [phone.trim(), ...current.phones.slice(1)] : current.phones.slice(1);
        if (JSON.stringify(phones.map((p) => p.replace(/\D/g, ''))) !== JSON.stringify(current.phones)) body['phones'] = phones;
        try {
          await props.api.send('PATCH', '/portal/preferences', body);
          props.onSaved();
        } catch (caught) {
          setFailure(asError(caught));
        } finally {
          setBusy(false);
        }
      }}
    >
      {failure ? <ErrorMessage error={failure} /> : null}
      <section className="card" aria-labelledby="delivery-title">
        <h2 id="delivery-title">How you get your bill</h2>
        <p data-testid="paperless-status">{current.paperless ? 'You are paperless: no paper bill is mailed to you.' : 'You get a paper bill by mail.'}</p>
        <fieldset>
          <legend>Bill delivery</legend>
          {DELIVERY.map((option) => (
            <div className="delivery-choice" key={option.value}>
              <input type="radio" id={`delivery-${option.value}`} name="billDelivery" value={option.value} checked={billDelivery === option.value} onChange={() => setBillDelivery(option.value)} aria-describedby={`delivery-${option.value}-explain`} />
              <label htmlFor={`delivery-${option.value}`}>{option.text}</label>
              <p className="hint" id={`delivery-${option.value}-explain`}>
                {option.explain}
              </p>
            </div>
          ))}
        </fieldset>
      </section>
      <section className="card" aria-labelledby="contact-title">
        <h2 id="contact-title">Where we reach you</h2>
        <div className="field">
          <label htmlFor="pref-email">E-mail address</label>
          <input id="pref-email" name="email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} aria-invalid={errors['email'] ? true : undefined} aria-describedby={errors['email'] ? 'pref-email-error' : undefined} />
          {errors['email'] ? (
            <p className="field-error" id="pref-email-error">
              {errors['email']}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="pref-phone">Mobile phone for text messages</label>
          <input id="pref-phone" name="phone" type="tel" autoComplete="tel" value={phone} onChange={(event) => setPhone(event.target.value)} aria-invalid={errors['phones'] ? true : undefined} aria-describedby={errors['phones'] ? 'pref-phone-hint pref-phone-error' : 'pref-phone-hint'} />
          <p className="hint" id="pref-phone-hint">
            A 10-digit US number. Message and data rates may apply.
          </p>
          {errors['phones'] ? (
            <p className="field-error" id="pref-phone-error">
              {errors['phones']}
            </p>
          ) : null}
        </div>
      </section>
      <section className="card" aria-labelledby="notify-title">
        <h2 id="notify-title">Notifications</h2>
        <p className="muted">Choose how you want to hear about each topic. Text messages need a mobile phone, e-mails an e-mail address.</p>
        <div className="table-wrap">
          <table className="notify-table">
            <thead>
              <tr>
                <th scope="col">Tell me when</th>
                <th scope="col">E-mail</th>
                <th scope="col">Text message</th>
              </tr>
            </thead>
            <tbody>
              {TOPICS.map(({ topic, text }) => (
                <tr key={topic}>
                  <th scope="row" id={`notify-${topic}`}>
                    {text}
                  </th>
                  {(['EMAIL', 'SMS'] as const).map((channel) => (
                    <td key={channel}>
                      <input
                        type="checkbox"
                        id={`notify-${topic}-${channel}`}
                        name={`${topic}-${channel}`}
                        checked={notifications[topic].includes(channel)}
                        onChange={(event) => toggle(topic, channel, event.target.checked)}
                        aria-label={`${text}: ${channel === 'EMAIL' ? 'e-mail' : 'text message'}`}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <button className="button" type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save preferences'}
      </button>
    </form>
  );
}
