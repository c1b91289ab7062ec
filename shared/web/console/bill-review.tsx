/**
 * The bill review queue: bills a billing run held before posting (high or low against the
 * account's history, estimated too often, a missing tariff or meter, ...), each with why; billing
 * staff release one (it posts) or cancel it (the next run bills the account again).
 */
import { useState } from 'react';
import type { ApiClient } from '../common/api';
import type { StaffRole } from '../common/auth';
import { day, instant, label, money } from '../common/format';
import { Alert, ErrorMessage, Link, Load, useResource } from '../common/ui';
import { asError } from '../common/field-errors';

interface HeldBill {
  billId: string;
  accountId: string;
  cycle: string;
  periodStart: string;
  periodEnd: string;
  total: string;
  heldAt: string;
  holds: Array<{ reason: string; message: string }>;
}

/** Holds that cannot be released as they are (the record is corrected, then the bill cancelled). */
const NOT_RELEASABLE = new Set(['tariff-not-found', 'meter-not-found', 'unit-mismatch']);
const DECIDERS: ReadonlySet<StaffRole> = new Set(['billing', 'admin']);

export function BillReview(props: { api: ApiClient; role: StaffRole | undefined }) {
  const [queue, reload] = useResource('bill-exceptions', () => props.api.get<{ items: HeldBill[] }>('/staff/bill-exceptions?limit=50'));
  const [done, setDone] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const decide = async (bill: HeldBill, action: 'release' | 'cancel') => {
    setDone(undefined);
    setError(undefined);
    try {
      await props.api.post(`/staff/bill-exceptions/${encodeURIComponent(bill.billId)}`, { action, note: action === 'release' ? 'checked in the bill review queue' : 'to be billed again after correction' });
      setDone(`Bill ${bill.billId} of account ${bill.accountId} ${action === 'release' ? 'released: it is posted' : 'cancelled: the next run bills the account again'}.`);
      reload();
    } catch (caught) {
      setError(asError(caught));
    }
  };
  const canDecide = props.role !== undefined && DECIDERS.has(props.role);
  return (
    <>
      <h1>Bill review</h1>
      <p>Bills held before posting, newest first. {canDecide ? null : 'Releasing and cancelling needs the billing or admin role.'}</p>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {error ? <ErrorMessage error={error} /> : null}
      <Load resource={queue} what="the bill review queue" forbidden="Your role may not see the bill review queue.">
        {(data) =>
          data.items.length === 0 ? (
            <p>No bills are waiting for review.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Period</th>
                    <th scope="col" className="num">
                      Total
                    </th>
                    <th scope="col">Why it was held</th>
                    <th scope="col">Held</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((bill) => {
                    const releasable = !bill.holds.some((hold) => NOT_RELEASABLE.has(hold.reason));
                    return (
                      <tr key={bill.billId}>
                        <td>
                          <Link to={`/console/accounts/${encodeURIComponent(bill.accountId)}`}>{bill.accountId}</Link>
                        </td>
                        <td>
                          {day(bill.periodStart)} – {day(bill.periodEnd)}
                        </td>
                        <td className="num">{money(bill.total)}</td>
                        <td>
                          <ul className="plain">
                            {bill.holds.map((hold) => (
                              <li key={hold.reason}>
                                <strong>{label(hold.reason)}</strong>: {hold.message}
                              </li>
                            ))}
                          </ul>
                        </td>
                        <td>{instant(bill.heldAt)}</td>
                        <td>
                          {canDecide ? (
                            <div className="actions">
                              {releasable ? (
                                <button type="button" className="button" onClick={() => decide(bill, 'release')}>
                                  Release<span className="visually-hidden"> the bill of account {bill.accountId}</span>
                                </button>
                              ) : null}
                              <button type="button" className="button button-quiet" onClick={() => decide(bill, 'cancel')}>
                                Cancel<span className="visually-hidden"> the bill of account {bill.accountId}</span>
                              </button>
                            </div>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Load>
    </>
  );
}
