/** One account in the portal: summary, paying, service requests, autopay and payment arrangements, bills with their documents, and usage. */
import { useState } from 'react';
import { ApiError, newIdempotencyKey } from '../common/api';
import type { ApiClient } from '../common/api';
import { BillsTable } from '../common/bills-table';
import { day, instant, label, money } from '../common/format';
import { Alert, ErrorMessage, Field, Load, Loading, useResource } from '../common/ui';
import type { Balance, Bill, Page, Payment, ServiceOrder } from '../common/types';
import { ArrangementPanel } from './arrangement-panel';
import { AutopayPanel } from './autopay-panel';
import { UsagePanel } from './usage-panel';
import { asError } from '../common/field-errors';

export function notYourAccount(accountId: string): string {
  return `Account ${accountId} is not one of your accounts. Check the account number, or choose one of your accounts from "My accounts".`;
}

export function AccountPage(props: { api: ApiClient; accountId: string }) {
  const { api, accountId } = props;
  const base = `/portal/accounts/${encodeURIComponent(accountId)}`;
  const [balance, reloadBalance] = useResource(`balance:${accountId}`, () => api.get<Balance>(`${base}/balance`));
  const [bills] = useResource(`bills:${accountId}`, () => api.get<Page<Bill>>(`${base}/bills`));
  const [payments, reloadPayments] = useResource(`payments:${accountId}`, () => api.get<Page<Payment>>(`${base}/payments`));
  if (balance.state === 'loading') return <Loading what="your account" />;
  if (balance.state === 'error') {
    return (
      <>
        <h1>Account {accountId}</h1>
        <ErrorMessage error={balance.error} forbidden={notYourAccount(accountId)} />
      </>
    );
  }
  const latestBill = bills.state === 'ready' ? [...bills.data.items].sort((a, b) => (a.periodEnd < b.periodEnd ? 1 : -1))[0] : undefined;
  const lastPayment = payments.state === 'ready' ? payments.data.items[0] : undefined;
  return (
    <>
      <h1>Account {accountId}</h1>
      <section className="card" aria-labelledby="summary-title">
        <h2 id="summary-title">Summary</h2>
        <dl className="summary">
          <div>
            <dt>Balance</dt>
            <dd data-testid="balance">{money(balance.data.balance)}</dd>
          </div>
          <div>
            <dt>Due date</dt>
            <dd data-testid="due-date">{latestBill?.dueDate ? day(latestBill.dueDate) : '—'}</dd>
          </div>
          <div>
            <dt>Last payment</dt>
            <dd data-testid="last-payment">{lastPayment ? `${money(lastPayment.amount)} on ${day(lastPayment.receivedAt)}` : 'None yet'}</dd>
          </div>
          <div>
            <dt>Past due</dt>
            <dd data-testid="past-due">{money(balance.data.pastDue)}</dd>
          </div>
        </dl>
        <p className="muted">As of {day(balance.data.asOf)}.</p>
      </section>
      <div className="grid">
        <PayBill
          api={api}
          base={base}
          balance={balance.data.balance}
          onPaid={() => {
            reloadBalance();
            reloadPayments();
          }}
        />
        <ServiceRequests api={api} base={base} />
      </div>
      <div className="grid">
        <AutopayPanel api={api} base={base} />
        <ArrangementPanel key={balance.data.pastDue} api={api} base={base} pastDue={balance.data.pastDue} />
      </div>
      <section className="card" aria-labelledby="bills-title">
        <h2 id="bills-title">Bills</h2>
        <Load resource={bills} what="bills" forbidden={notYourAccount(accountId)}>
          {(page) => <BillsTable api={api} base={base} bills={page.items} empty="No bills yet." />}
        </Load>
      </section>
      <section className="card" aria-labelledby="payments-title">
        <h2 id="payments-title">Payments</h2>
        <Load resource={payments} what="payments">
          {(page) =>
            page.items.length === 0 ? (
              <p>No payments yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Method</th>
                      <th scope="col">Status</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((payment) => (
                      <tr key={payment.paymentId}>
                        <td>{instant(payment.receivedAt)}</td>
                        <td>{label(payment.method)}</td>
                        <td>{label(payment.status)}</td>
                        <td className="num">{money(payment.amount)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Load>
      </section>
      <UsagePanel api={api} base={base} accountId={accountId} />
    </>
  );
}

/** Test payment methods of the local sandbox provider (a deployment tokenizes the card with its provider). */
const SANDBOX_METHODS = [
  { value: 'CARD:tok_sandbox_visa', text: 'Visa ending 4242 (test card)' },
  { value: 'CARD:tok_sandbox_mastercard', text: 'Mastercard ending 4444 (test card)' },
  { value: 'BANK:tok_sandbox_bank', text: 'Checking account ending 6789 (test bank)' },
  { value: 'CARD:tok_sandbox_declined', text: 'Card that is declined (test card)' },
];

function PayBill(props: { api: ApiClient; base: string; balance: string; onPaid: () => void }) {
  const owed = !props.balance.startsWith('-') && /[1-9]/.test(props.balance) ? props.balance : '';
  const [amount, setAmount] = useState(owed);
  const [method, setMethod] = useState(SANDBOX_METHODS[0]!.value);
  // One key per payment attempt: a retry of the same form after an error cannot charge twice.
  const [key, setKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: Error } | undefined>();
  return (
    <section className="card" aria-labelledby="pay-title">
      <h2 id="pay-title">Pay my bill</h2>
      {outcome?.ok ? <Alert kind="success" title="Thank you">{outcome.text}</Alert> : null}
      {outcome && !outcome.ok ? <ErrorMessage error={outcome.error} /> : null}
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setOutcome(undefined);
          const [kind, token] = method.split(':') as [string, string];
          try {
            const { payment } = await props.api.post<{ payment: Payment }>(`${props.base}/payments`, { amount: amount.trim(), method: kind, token }, { 'idempotency-key': key });
            setOutcome({ ok: true, text: `Your payment of ${money(payment.amount)} was received (confirmation ${payment.paymentId}).` });
            setKey(newIdempotencyKey());
            props.onPaid();
          } catch (caught) {
            const error = asError(caught);
            // A declined card or a bad amount is final for this attempt: the next one gets a new key.
            if (error instanceof ApiError && (error.status === 400 || error.status === 422)) setKey(newIdempotencyKey());
            setOutcome({ ok: false, error });
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field id="pay-amount" label="Amount (USD)" hint="For example 25.00">
          <input id="pay-amount" name="amount" inputMode="decimal" required pattern="\d{1,6}(\.\d{1,2})?" value={amount} onChange={(event) => setAmount(event.target.value)} aria-describedby="pay-amount-hint" />
        </Field>
        <Field id="pay-method" label="Pay with">
          <select id="pay-method" name="method" value={method} onChange={(event) => setMethod(event.target.value)}>
            {SANDBOX_METHODS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.text}
              </option>
            ))}
          </select>
        </Field>
        <button className="button" type="submit" disabled={busy}>
          {busy ? 'Paying…' : 'Pay now'}
        </button>
      </form>
    </section>
  );
}

const REQUEST_TYPES = ['RE_READ', 'HIGH_BILL_INVESTIGATION', 'LEAK_INVESTIGATION'] as const;

function ServiceRequests(props: { api: ApiClient; base: string }) {
  const [orders, reload] = useResource(`orders:${props.base}`, () => props.api.get<{ items: ServiceOrder[] }>(`${props.base}/service-orders`));
  const [type, setType] = useState<string>(REQUEST_TYPES[0]);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: Error } | undefined>();
  return (
    <section className="card" aria-labelledby="requests-title">
      <h2 id="requests-title">Service requests</h2>
      {outcome?.ok ? <Alert kind="success">{outcome.text}</Alert> : null}
      {outcome && !outcome.ok ? <ErrorMessage error={outcome.error} /> : null}
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setOutcome(undefined);
          try {
            const order = await props.api.post<ServiceOrder>(`${props.base}/service-orders`, { type, description: description.trim() });
            setOutcome({ ok: true, text: `Request ${order.orderId} received.` });
            setDescription('');
            reload();
          } catch (caught) {
            setOutcome({ ok: false, error: asError(caught) });
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field id="request-type" label="What do you need?">
          <select id="request-type" name="type" value={type} onChange={(event) => setType(event.target.value)}>
            {REQUEST_TYPES.map((value) => (
              <option key={value} value={value}>
                {label(value)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="request-description" label="Details">
          <textarea id="request-description" name="description" required maxLength={1000} value={description} onChange={(event) => setDescription(event.target.value)} />
        </Field>
        <button className="button" type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send request'}
        </button>
      </form>
      <h3>My requests</h3>
      <Load resource={orders} what="service requests">
        {(page) =>
          page.items.length === 0 ? (
            <p>No requests yet.</p>
          ) : (
            <ul className="orders" style={{ listStyle: 'none', padding: 0 }}>
              {page.items.map((order) => (
                <li key={order.orderId} className="order" data-order-id={order.orderId}>
                  <strong>{label(order.type)}</strong> <span className="badge">{label(order.state)}</span>
                  <ol className="timeline" aria-label={`Status timeline of request ${order.orderId}`}>
                    {order.milestones.map((milestone, index) => (
                      <li key={index}>
                        <strong>{label(milestone.state)}</strong> <span className="muted">{instant(milestone.at)}</span>
                        {milestone.text ? <div>{milestone.text}</div> : null}
                      </li>
                    ))}
                  </ol>
                </li>
              ))}
            </ul>
          )
        }
      </Load>
    </section>
  );
}
