/**
 * The service orders of an account on its overview: the open and recent orders (each linking to
 * its page with the timeline and the next steps) and the form that creates one for a service
 * point of the account.
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { day, label } from '../common/format';
import { Alert, ErrorMessage, Field, Link } from '../common/ui';
import { ORDER_TYPES, ORDER_WRITERS, type StaffOrder } from './service-orders';
import { asError } from '../common/field-errors';

export interface AccountAgreement {
  agreementId: string;
  serviceType: string;
  servicePointId?: string;
  status: string;
}

export function AccountOrders(props: { api: ApiClient; accountId: string; role?: StaffRole; agreements: AccountAgreement[]; open: StaffOrder[]; recent: StaffOrder[]; onChanged: () => void }) {
  const orders = [...props.open, ...props.recent.filter((order) => !props.open.some((open) => open.orderId === order.orderId))];
  const canCreate = props.role !== undefined && ORDER_WRITERS.includes(props.role);
  return (
    <section className="card" aria-labelledby="orders-title">
      <h2 id="orders-title">Service orders</h2>
      {orders.length === 0 ? (
        <p>No service orders.</p>
      ) : (
        <ul data-testid="account-orders">
          {orders.map((order) => (
            <li key={order.orderId}>
              <Link to={`/console/service-orders/${encodeURIComponent(order.orderId)}`}>{order.orderId}</Link>: {label(order.type)}, {label(order.state)}
              {order.scheduledFor ? `, scheduled ${day(order.scheduledFor)}` : ''}
            </li>
          ))}
        </ul>
      )}
      {canCreate ? <CreateOrder {...props} /> : <p className="muted">Creating service orders needs the csr or admin role.</p>}
    </section>
  );
}

function CreateOrder(props: { api: ApiClient; accountId: string; agreements: AccountAgreement[]; onChanged: () => void }) {
  const points = props.agreements.filter((agreement) => agreement.servicePointId);
  const unique = points.filter((agreement, index) => points.findIndex((other) => other.servicePointId === agreement.servicePointId) === index);
  const [type, setType] = useState<string>('RE_READ');
  const [servicePointId, setServicePointId] = useState('');
  const [scheduledFor, setScheduledFor] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [created, setCreated] = useState<StaffOrder | undefined>();
  const chosen = servicePointId || unique[0]?.servicePointId || '';
  if (unique.length === 0) return <p className="muted">The account has no service point to send an order to.</p>;
  return (
    <form
      aria-label="Create a service order"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        setCreated(undefined);
        try {
          const order = await props.api.post<StaffOrder>('/staff/service-orders', { type, servicePointId: chosen, accountId: props.accountId, ...(scheduledFor ? { scheduledFor } : {}), ...(description.trim() ? { description: description.trim() } : {}) });
          setCreated(order);
          setDescription('');
          setScheduledFor('');
          props.onChanged();
        } catch (caught) {
          setError(asError(caught));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Create a service order</h3>
      <div aria-live="polite">
        {created ? (
          <Alert kind="success" title="Order created">
            <Link to={`/console/service-orders/${encodeURIComponent(created.orderId)}`}>Service order {created.orderId}</Link> ({label(created.type)}) is {label(created.state)}.
          </Alert>
        ) : null}
      </div>
      {error ? <ErrorMessage error={error} forbidden="Your role may not create service orders." /> : null}
      <Field id="order-type" label="Order type">
        <select id="order-type" name="type" value={type} onChange={(event) => setType(event.target.value)}>
          {ORDER_TYPES.map((value) => (
            <option key={value} value={value}>
              {label(value)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="order-service-point" label="Service point">
        <select id="order-service-point" name="servicePointId" value={chosen} onChange={(event) => setServicePointId(event.target.value)}>
          {unique.map((agreement) => (
            <option key={agreement.servicePointId} value={agreement.servicePointId}>
              {label(agreement.serviceType)}: {agreement.servicePointId}
            </option>
          ))}
        </select>
      </Field>
      <Field id="order-date" label="Scheduled for (optional)" hint="Leave empty to schedule it later.">
        <input id="order-date" name="scheduledFor" type="date" value={scheduledFor} onChange={(event) => setScheduledFor(event.target.value)} aria-describedby="order-date-hint" />
      </Field>
      <Field id="order-description" label="Description (optional)">
        <textarea id="order-description" name="description" maxLength={1000} value={description} onChange={(event) => setDescription(event.target.value)} />
      </Field>
      <button className="button" type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create order'}
      </button>
    </form>
  );
}
