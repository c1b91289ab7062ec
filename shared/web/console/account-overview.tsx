/**
 * The account on one screen: who, where, what service, balance, bills, payments, disputes, notes
 * and the audit timeline, with what a CSR needs to resolve a billing dispute on the first call.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { BillsTable } from '../common/bills-table';
import { day, instant, label, money } from '../common/format';
import { ErrorMessage, Load, Loading, useResource } from '../common/ui';
import type { Balance, Bill, Payment } from '../common/types';
import { DisputePanel } from './dispute-panel';
import { AccountOrders } from './account-orders';
import { AdjustmentForm } from './adjustment-form';
import type { StaffOrder } from './service-orders';
import type { Dispute, LedgerEntry } from './dispute-panel';

interface Overview {
  account: { accountId: string; customerId: string; name: string; serviceAddress: string; status: string; lifecycle?: string; cycle?: string; serviceClass?: string };
  customers: Array<{ customerId: string; name: string; email?: string; phones?: Array<{ number?: string } | string>; billDelivery?: string }>;
  premises: Array<{ premiseId: string; address?: { line1?: string; city?: string; state?: string; zip?: string } }>;
  agreements: Array<{ agreementId: string; serviceType: string; tariffId: string; status: string; startDate?: string; meterId?: string; servicePointId?: string }>;
  openServiceOrders?: StaffOrder[];
  recentServiceOrders?: StaffOrder[];
  bills: Bill[];
  balance: string;
  receivable: Balance;
  payments: Payment[];
  arrangements: Array<{ arrangementId: string; status: string }>;
  disputes: Dispute[];
  notes: Array<{ noteId: string; kind: string; text: string; at: string; by: string }>;
  auditTimeline: Array<{ eventId: string; at: string; actor: string; action: string }>;
}

export function AccountOverview(props: { api: ApiClient; accountId: string; role?: StaffRole }) {
  const { api, accountId } = props;
  const base = `/staff/accounts/${encodeURIComponent(accountId)}`;
  const [overview, reloadOverview] = useResource(`overview:${accountId}`, () => api.get<Overview>(`${base}/overview`));
  const [ledger, reloadLedger] = useResource(`ledger:${accountId}`, () => api.get<{ items: LedgerEntry[] }>(`${base}/ledger?limit=100`));
  const reload = () => {
    reloadOverview();
    reloadLedger();
  };
  if (overview.state === 'loading') return <Loading what={`account ${accountId}`} />;
  if (overview.state === 'error') {
    return (
      <>
        <h1>Account {accountId}</h1>
        <ErrorMessage error={overview.error} />
      </>
    );
  }
  const data = overview.data;
  return (
    <>
      <h1>
        Account {data.account.accountId} <span className="badge">{label(data.account.lifecycle ?? data.account.status)}</span>
      </h1>
      <section className="card" aria-labelledby="balance-title">
        <h2 id="balance-title">Balance</h2>
        <dl className="summary">
          <div>
            <dt>Balance</dt>
            <dd data-testid="balance">{money(data.receivable.balance)}</dd>
          </div>
          <div>
            <dt>Past due</dt>
            <dd>{money(data.receivable.pastDue)}</dd>
          </div>
          <div>
            <dt>Credit</dt>
            <dd>{money(data.receivable.credit)}</dd>
          </div>
          <div>
            <dt>Open disputes</dt>
            <dd data-testid="open-disputes">{data.disputes.filter((dispute) => dispute.status === 'OPEN').length}</dd>
          </div>
        </dl>
      </section>
      <div className="grid">
        <section className="card" aria-labelledby="customer-title">
          <h2 id="customer-title">Customer and premises</h2>
          {data.customers.map((customer) => (
            <p key={customer.customerId}>
              <strong>{customer.name}</strong> ({customer.customerId})
              <br />
              {customer.email ?? 'no email'} · bills by {label(customer.billDelivery ?? 'MAIL')}
            </p>
          ))}
          <ul>
            {data.premises.map((premise) => (
              <li key={premise.premiseId}>
                {premise.premiseId}: {[premise.address?.line1, premise.address?.city, premise.address?.state, premise.address?.zip].filter(Boolean).join(', ')}
              </li>
            ))}
          </ul>
          <h3>Service agreements</h3>
          <ul>
            {data.agreements.map((agreement) => (
              <li key={agreement.agreementId}>
                {label(agreement.serviceType)} on {agreement.tariffId}, {label(agreement.status)} since {day(agreement.startDate)}
                {agreement.meterId ? `, meter ${agreement.meterId}` : ''}
              </li>
            ))}
          </ul>
        </section>
        <DisputePanel api={api} base={base} role={props.role} disputes={data.disputes} ledger={ledger} onChanged={reload} />
      </div>
      <div className="grid">
        <AdjustmentForm api={api} base={base} role={props.role} services={data.agreements.map((agreement) => agreement.serviceType)} onChanged={reload} />
        <AccountOrders api={api} accountId={accountId} role={props.role} agreements={data.agreements} open={data.openServiceOrders ?? []} recent={data.recentServiceOrders ?? []} onChanged={reload} />
      </div>
      <section className="card" aria-labelledby="bills-title">
        <h2 id="bills-title">Bills</h2>
        <BillsTable api={api} base={base} bills={data.bills} showBillId empty="No bills." />
      </section>
      <div className="grid">
        <section className="card" aria-labelledby="payments-title">
          <h2 id="payments-title">Payments</h2>
          {data.payments.length === 0 ? (
            <p>No payments.</p>
          ) : (
            <ul>
              {data.payments.map((payment) => (
                <li key={payment.paymentId}>
                  {money(payment.amount)} by {label(payment.method)} on {instant(payment.receivedAt)} ({label(payment.status)})
                </li>
              ))}
            </ul>
          )}
          <h3>Payment arrangements</h3>
          {data.arrangements.length === 0 ? <p>None.</p> : <ul>{data.arrangements.map((arrangement) => <li key={arrangement.arrangementId}>{arrangement.arrangementId}: {label(arrangement.status)}</li>)}</ul>}
        </section>
        <section className="card" aria-labelledby="notes-title">
          <h2 id="notes-title">Notes</h2>
          {data.notes.length === 0 ? (
            <p>No notes.</p>
          ) : (
            <ul>
              {data.notes.map((note) => (
                <li key={note.noteId}>
                  {note.text} <span className="muted">— {note.by}, {instant(note.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit timeline</h2>
        <ol className="timeline">
          {data.auditTimeline.map((event) => (
            <li key={event.eventId}>
              <strong>{event.action}</strong> by {event.actor} <span className="muted">{instant(event.at)}</span>
            </li>
          ))}
        </ol>
      </section>
      <Load resource={ledger} what="the ledger">
        {() => null}
      </Load>
    </>
  );
}

