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

/** The bill and the account's bills around it: pages newest first until the bill and enough earlier ones are read. */
async function billWithHistory(deps: BillDocumentDeps, accountId: string, billId: string): Promise<{ bill: Bill; bills: Bill[] }> {
  const bills: Bill[] = [];
  let cursor: string | undefined;
  let bill: Bill | undefined;
  do {
    const page = await deps.bills.listForAccount(accountId, PAGE, cursor);
    bills.push(...page.items);
    bill ??= page.items.find((b) => b.billId === billId);
    cursor = page.nextCursor ?? undefined;
    if (bill && bills.filter((b) => b.periodStart < bill!.periodStart).length >= EARLIER_BILLS) break;
  } while (cursor);
  if (!bill) throw new BillNotFound(`account ${accountId} has no bill ${billId}`);
  return { bill, bills };
}

async function compose(deps: BillDocumentDeps, accountId: string, billId: string, customerOnly: boolean): Promise<BillDocument> {
  const { bill, bills } = await billWithHistory(deps, accountId, billId);
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
