/**
 * Service orders in the console: the work list by state (GET /staff/service-orders?status) and
 * an order's page with its timeline and the steps its state allows (schedule, dispatch,
 * complete, cancel) with their inputs.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { day, instant, label } from '../common/format';
import { Alert, ErrorMessage, Field, Link, Load, SelectFilter, useResource } from '../common/ui';
import { asError } from '../common/field-errors';

export interface StaffOrder {
  orderId: string;
  type: string;
  state: string;
  servicePointId: string;
  premiseId?: string;
  serviceType?: string;
  accountId?: string;
  meterId?: string;
  requestedBy?: string;
  description?: string;
  scheduledFor?: string | null;
  milestones: Array<{ state: string; at: string; text?: string }>;
  completion?: { completedAt: string; read?: string; removedRead?: string; newMeterId?: string; newMeterRead?: string; findings?: string };
  cancelReason?: string;
  createdAt: string;
  updatedAt?: string;
}

export const ORDER_TYPES = ['TURN_ON', 'TURN_OFF', 'METER_EXCHANGE', 'RE_READ', 'FINAL_READ', 'LEAK_INVESTIGATION', 'HIGH_BILL_INVESTIGATION', 'DISCONNECT', 'RECONNECT'] as const;
export const ORDER_STATES = ['CREATED', 'SCHEDULED', 'DISPATCHED', 'COMPLETED', 'CANCELLED'] as const;
/** Staff who create and move service orders (the customer record's writers). */
export const ORDER_WRITERS: readonly StaffRole[] = ['csr', 'admin'];
/** The states each step may start from (as the API checks them). */
const STEPS = {
  schedule: ['CREATED', 'SCHEDULED'],
  dispatch: ['CREATED', 'SCHEDULED'],
  complete: ['SCHEDULED', 'DISPATCHED'],
  cancel: ['CREATED', 'SCHEDULED', 'DISPATCHED'],
} as const;
type Step = keyof typeof STEPS;
/** Orders whose completion records the meter's read. */
const READ_ORDERS = new Set(['TURN_ON', 'TURN_OFF', 'RE_READ', 'FINAL_READ', 'DISCONNECT', 'RECONNECT']);

const BASE = '/console/service-orders';

export function ServiceOrders(props: { api: ApiClient; status: string; cursor?: string }) {
  const status = (ORDER_STATES as readonly string[]).includes(props.status) ? props.status : 'CREATED';
  const [list] = useResource(`orders:${status}:${props.cursor ?? ''}`, () => props.api.get<{ items: StaffOrder[]; nextCursor: string | null }>(`/staff/service-orders?status=${status}&limit=25${props.cursor ? `&cursor=${encodeURIComponent(props.cursor)}` : ''}`));
  return (
    <>
      <h1>Service orders</h1>
      <SelectFilter formLabel="Filter service orders" id="orders-status" label="State" name="status" path={BASE} value={status} options={ORDER_STATES} text={label} />
      <section className="card" aria-labelledby="orders-list-title">
        <h2 id="orders-list-title">{label(status)} orders, latest change first</h2>
        <Load resource={list} what="service orders">
          {(data) => (
            <>
              {data.items.length === 0 ? (
                <p>No {label(status).toLowerCase()} orders.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Order</th>
                        <th scope="col">Type</th>
                        <th scope="col">Account</th>
                        <th scope="col" className="hide-narrow">
                          Scheduled
                        </th>
                        <th scope="col" className="hide-narrow">
                          Created
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((order) => (
                        <tr key={order.orderId}>
                          <td>
                            <Link to={`${BASE}/${encodeURIComponent(order.orderId)}`}>{order.orderId}</Link>
                          </td>
                          <td>{label(order.type)}</td>
                          <td>{order.accountId ? <Link to={`/console/accounts/${encodeURIComponent(order.accountId)}`}>{order.accountId}</Link> : '—'}</td>
                          <td className="hide-narrow">{day(order.scheduledFor)}</td>
                          <td className="hide-narrow">{instant(order.createdAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {data.nextCursor ? (
                <p>
                  <Link to={`${BASE}?status=${status}&cursor=${encodeURIComponent(data.nextCursor)}`}>Next page</Link>
                </p>
              ) : null}
            </>
          )}
        </Load>
      </section>
    </>
  );
}

export function ServiceOrderPage(props: { api: ApiClient; orderId: string; role?: StaffRole }) {
  const [order, reload] = useResource(`order:${props.orderId}`, () => props.api.get<StaffOrder>(`/staff/service-orders/${encodeURIComponent(props.orderId)}`));
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      <h1>Service order {props.orderId}</h1>
      <div aria-live="polite">{done ? <Alert kind="success">{done}</Alert> : null}</div>
      <Load resource={order} what={`service order ${props.orderId}`}>
        {(data) => (
          <>
            <section className="card" aria-labelledby="order-title">
              <h2 id="order-title">
                {label(data.type)} <span className="badge" data-testid="order-state">{label(data.state)}</span>
              </h2>
              <dl className="summary">
                <Fact term="Account">{data.accountId ? <Link to={`/console/accounts/${encodeURIComponent(data.accountId)}`}>{data.accountId}</Link> : '—'}</Fact>
                <Fact term="Service">{data.serviceType ? label(data.serviceType) : '—'}</Fact>
                <Fact term="Service point">{data.servicePointId}</Fact>
                <Fact term="Meter">{data.meterId ?? '—'}</Fact>
                <Fact term="Scheduled for">{day(data.scheduledFor)}</Fact>
                <Fact term="Requested by">{data.requestedBy ?? '—'}</Fact>
              </dl>
              {data.description ? <p>{data.description}</p> : null}
              {data.completion ? (
                <p>
                  Completed {instant(data.completion.completedAt)}
                  {data.completion.read ? `, read ${data.completion.read}` : ''}
                  {data.completion.newMeterId ? `, new meter ${data.completion.newMeterId}` : ''}
                  {data.completion.findings ? `: ${data.completion.findings}` : ''}
                </p>
              ) : null}
              {data.cancelReason ? <p>Cancelled: {data.cancelReason}</p> : null}
            </section>
            <section className="card" aria-labelledby="order-timeline-title">
              <h2 id="order-timeline-title">Timeline</h2>
              <ol className="timeline" data-testid="order-timeline">
                {data.milestones.map((milestone, index) => (
                  <li key={`${milestone.state}-${index}`}>
                    <strong>{label(milestone.state)}</strong> <span className="muted">{instant(milestone.at)}</span>
                    {milestone.text ? <> — {milestone.text}</> : null}
                  </li>
                ))}
              </ol>
            </section>
            <OrderSteps
              api={props.api}
              order={data}
              role={props.role}
              onDone={(text) => {
                setDone(text);
                reload();
              }}
            />
          </>
        )}
      </Load>
    </>
  );
}

function Fact(props: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function OrderSteps(props: { api: ApiClient; order: StaffOrder; role?: StaffRole; onDone: (text: string) => void }) {
  const { order } = props;
  const allowed = (Object.keys(STEPS) as Step[]).filter((step) => (STEPS[step] as readonly string[]).includes(order.state));
  const canMove = props.role !== undefined && ORDER_WRITERS.includes(props.role);
  return (
    <section className="card" aria-labelledby="order-steps-title">
      <h2 id="order-steps-title">Next steps</h2>
      {allowed.length === 0 ? (
        <p>The order is {label(order.state).toLowerCase()}: nothing more can be done with it.</p>
      ) : !canMove ? (
        <p className="muted">Moving service orders needs the csr or admin role; your role can only view them.</p>
      ) : (
        <div className="grid">
          {allowed.map((step) => (
            <StepForm key={`${order.orderId}-${order.state}-${step}`} {...props} step={step} />
          ))}
        </div>
      )}
    </section>
  );
}

const STEP_TEXT: Record<Step, { title: string; button: string; done: string }> = {
  schedule: { title: 'Schedule', button: 'Schedule', done: 'scheduled' },
  dispatch: { title: 'Dispatch', button: 'Dispatch', done: 'dispatched' },
  complete: { title: 'Complete', button: 'Complete', done: 'completed' },
  cancel: { title: 'Cancel', button: 'Cancel order', done: 'cancelled' },
};

function StepForm(props: { api: ApiClient; order: StaffOrder; step: Step; onDone: (text: string) => void }) {
  const { order, step } = props;
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const id = (name: string) => `${step}-${name}`;
  const input = (name: string, text: string, options: { required?: boolean; type?: string; pattern?: string; hint?: string } = {}) => (
    <Field id={id(name)} label={text} hint={options.hint}>
      <input
        id={id(name)}
        name={name}
        type={options.type ?? 'text'}
        required={options.required}
        pattern={options.pattern}
        inputMode={options.pattern ? 'decimal' : undefined}
        value={values[name] ?? ''}
        onChange={(event) => setValues({ ...values, [name]: event.target.value })}
        aria-describedby={options.hint ? `${id(name)}-hint` : undefined}
      />
    </Field>
  );
  const exchange = order.type === 'METER_EXCHANGE';
  const needsRead = READ_ORDERS.has(order.type) && Boolean(order.meterId);
  return (
    <form
      aria-label={`${STEP_TEXT[step].title} the order`}
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          const body: Record<string, string> = { action: step };
          for (const [name, value] of Object.entries(values)) if (value.trim()) body[name] = value.trim();
          const next = await props.api.post<StaffOrder>(`/staff/service-orders/${encodeURIComponent(order.orderId)}/transitions`, body);
          props.onDone(`Service order ${order.orderId} ${STEP_TEXT[step].done}: it is ${label(next.state).toLowerCase()}.`);
        } catch (caught) {
          setError(asError(caught));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>{STEP_TEXT[step].title}</h3>
      {error ? <ErrorMessage error={error} forbidden="Your role may not move service orders." /> : null}
      {step === 'schedule' ? input('scheduledFor', 'Date of the visit', { required: true, type: 'date' }) : null}
      {step === 'dispatch' ? <p className="hint">Sends a field technician now.</p> : null}
      {step === 'complete' && needsRead ? input('read', `Meter read of ${order.meterId}`, { required: true, pattern: '\\d{1,12}(\\.\\d{1,6})?' }) : null}
      {step === 'complete' && exchange ? (
        <>
          {order.meterId ? input('removedRead', `Last read of the removed meter ${order.meterId}`, { required: true, pattern: '\\d{1,12}(\\.\\d{1,6})?' }) : null}
          {input('newMeterId', 'New meter number', { required: true })}
          {input('newMeterRead', 'First read of the new meter', { required: true, pattern: '\\d{1,12}(\\.\\d{1,6})?' })}
        </>
      ) : null}
      {step === 'complete' ? input('findings', 'Findings (optional)') : null}
      {step === 'cancel' ? input('reason', 'Why it is cancelled', { required: true }) : null}
      <button className={step === 'cancel' ? 'button button-quiet' : 'button'} type="submit" disabled={busy}>
        {busy ? 'Saving…' : STEP_TEXT[step].button}
      </button>
    </form>
  );
}
