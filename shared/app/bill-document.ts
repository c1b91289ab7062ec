/**
 * A bill's document (PDF or HTML): the bill, the account's earlier bills for the usage history,
 * its ledger entries for the account summary, and the customer's name and addresses. Customers
 * get documents of their own accounts' issued bills only; staff see any bill.
 */
import type { Bill } from '../domain/billing';
import { composeBillDocument, type BillDocument, type UtilityProfile } from '../domain/bill-document';
import type { PostalAddress } from '../domain/customers/model';
import { NotFoundError } from '../domain/errors';
import { requireOwnAccount } from '../domain/identity';
import type { Arrangement } from '../domain/arrangements';
import type { LedgerEntry } from '../domain/ledger';
import type { AccountStore, BillStore } from './ports';

export class BillNotFound extends NotFoundError {
  override name = 'BillNotFound';
}

export interface BillDocumentDeps {
  accounts: Pick<AccountStore, 'get'>;
  bills: Pick<BillStore, 'listForAccount'>;
  ledger: { listEntries(accountId: string): Promise<LedgerEntry[]>; listArrangements?(accountId: string): Promise<Arrangement[]> };
  records: {
    getCustomer(customerId: string): Promise<{ name: string; mailingAddress?: PostalAddress | undefined } | undefined>;
    getPremises(premiseIds: readonly string[]): Promise<Array<{ premiseId: string; address: PostalAddress }>>;
  };
  utility: UtilityProfile;
  timeZone: string;
}

/** Bills shown in the usage history besides the bill itself. */
const EARLIER_BILLS = 13;
const PAGE = 25;

/**
 * The account's bill with this id and the account's bills read on the way (newest first), paging
 * until the bill and `earlier` bills before it are read; BillNotFound when the account has none.
 */
export async function findAccountBill(bills: Pick<BillStore, 'listForAccount'>, accountId: string, billId: string, earlier = 0): Promise<{ bill: Bill; bills: Bill[] }> {
  const read: Bill[] = [];
  let cursor: string | undefined;
  let bill: Bill | undefined;
  do {
    const page = await bills.listForAccount(accountId, PAGE, cursor);
    read.push(...page.items);
    bill ??= page.items.find((b) => b.billId === billId);
    cursor = page.nextCursor ?? undefined;
    if (bill && read.filter((b) => b.periodStart < bill!.periodStart).length >= earlier) break;
  } while (cursor);
  if (!bill) throw new BillNotFound(`account ${accountId} has no bill ${billId}`);
  return { bill, bills: read };
}

async function compose(deps: BillDocumentDeps, accountId: string, billId: string, customerOnly: boolean): Promise<BillDocument> {
  const { bill, bills } = await findAccountBill(deps.bills, accountId, billId, EARLIER_BILLS);
  // A held or cancelled bill is not the customer's to see (staff preview it).
  if (customerOnly && bill.status !== 'ISSUED') throw new BillNotFound(`account ${accountId} has no bill ${billId}`);
  const premiseIds = [...new Set(bill.services.map((s) => s.premiseId))];
  const [entries, customer, premises, arrangements] = await Promise.all([
    deps.ledger.listEntries(accountId),
    deps.records.getCustomer(bill.customerId),
    deps.records.getPremises(premiseIds),
    deps.ledger.listArrangements ? deps.ledger.listArrangements(accountId) : Promise.resolve([]),
  ]);
  return composeBillDocument({
    bill,
    bills,
    entries,
    customer: customer ?? { name: `Customer ${bill.customerId}` },
    premises: new Map(premises.map((p) => [p.premiseId, p.address])),
    arrangements,
    utility: deps.utility,
    timeZone: deps.timeZone,
  });
}

/** Portal: the document of a bill of one of the customer's own accounts. */
export async function getMyBillDocument(deps: BillDocumentDeps, customerId: string, accountId: string, billId: string): Promise<BillDocument> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  return compose(deps, accountId, billId, true);
}

/** Staff: the document of any bill. */
export async function getBillDocument(deps: BillDocumentDeps, accountId: string, billId: string): Promise<BillDocument> {
  return compose(deps, accountId, billId, false);
}
