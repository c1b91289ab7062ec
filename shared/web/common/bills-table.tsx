/** A table of bills with their PDF and web-page documents (fetched with the session's token and opened as blob URLs). */
import { useState } from 'react';
import type { ApiClient } from './api';
import { day, money } from './format';
import type { Bill } from './types';
import { ErrorMessage } from './ui';
import { asError } from './field-errors';

export function BillsTable(props: {
  api: ApiClient;
  /** The account's API path (`/portal/accounts/A1` or `/staff/accounts/A1`). */
  base: string;
  bills: Bill[];
  /** Staff see the bill id; customers the period. */
  showBillId?: boolean;
  empty: string;
}) {
  const [error, setError] = useState<Error | undefined>();
  const open = async (bill: Bill, format: 'pdf' | 'html') => {
    setError(undefined);
    // Open the window first (inside the click) so pop-up blockers allow it, then load the document.
    const target = window.open('', '_blank');
    try {
      const blob = await props.api.blob(`${props.base}/bills/${encodeURIComponent(bill.billId)}/document?format=${format}`);
      const url = URL.createObjectURL(blob);
      if (target) target.location.href = url;
      else window.location.href = url;
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (caught) {
      target?.close();
      setError(asError(caught));
    }
  };
  if (props.bills.length === 0) return <p>{props.empty}</p>;
  const which = (bill: Bill) => (props.showBillId ? ` of bill ${bill.billId}` : ` of the bill for ${day(bill.periodEnd)}`);
  return (
    <>
      {error ? <ErrorMessage error={error} /> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {props.showBillId ? <th scope="col">Bill</th> : null}
              <th scope="col">Period</th>
              <th scope="col">Due</th>
              <th scope="col" className="num">
                {props.showBillId ? 'Total' : 'Amount'}
              </th>
              <th scope="col">Document</th>
            </tr>
          </thead>
          <tbody>
            {props.bills.map((bill) => (
              <tr key={bill.billId}>
                {props.showBillId ? <td>{bill.billId}</td> : null}
                <td>
                  {day(bill.periodStart)} – {day(bill.periodEnd)}
                </td>
                <td>{day(bill.dueDate)}</td>
                <td className="num">{money(bill.total)}</td>
                <td>
                  <div className="actions">
                    <button type="button" className="button button-quiet" onClick={() => open(bill, 'pdf')}>
                      PDF<span className="visually-hidden">{which(bill)}</span>
                    </button>
                    <button type="button" className="button button-quiet" onClick={() => open(bill, 'html')}>
                      Web page<span className="visually-hidden">{which(bill)}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
