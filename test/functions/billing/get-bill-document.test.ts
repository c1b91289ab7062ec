/** The portal and staff bill document handlers: who may see which bill, and the two formats. */
import { createHandler as portalHandler } from '../../../functions/portal/get-bill-document';
import { createHandler as staffHandler } from '../../../functions/staff/get-bill-document';
import type { BillDocumentDeps } from '../../../shared/app/bill-document';
import type { Bill } from '../../../shared/domain/billing';
import { billEntries, monthlyBills, UTILITY, ADDRESS } from '../../unit/documents/bill-fixtures';
import { pdfText } from '../../unit/documents/poppler';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, withoutClaims } from '../helpers';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function deps(bills: Bill[]): BillDocumentDeps & { log: typeof silent; listed: string[] } {
  const listed: string[] = [];
  return {
    log: silent,
    listed,
    accounts: { get: async (accountId: string) => (accountId === 'A100' ? ({ accountId, customerId: 'C1' } as never) : accountId === 'A200' ? ({ accountId, customerId: 'C2' } as never) : undefined) },
    bills: {
      // Newest first, two per page, as the store pages them.
      listForAccount: async (accountId: string, _limit: number, cursor?: string) => {
        listed.push(accountId);
        const mine = bills.filter((b) => b.accountId === accountId).sort((a, b) => (a.periodStart < b.periodStart ? 1 : -1));
        const from = cursor ? Number(cursor) : 0;
        return { items: mine.slice(from, from + 2), nextCursor: from + 2 < mine.length ? String(from + 2) : undefined };
      },
    },
    ledger: { listEntries: async (accountId: string) => billEntries(bills.filter((b) => b.accountId === accountId && b.status === 'ISSUED')) },
    records: { getCustomer: async () => ({ name: 'Dana Rivera', mailingAddress: ADDRESS }), getPremises: async () => [{ premiseId: 'P1', address: ADDRESS }] },
    utility: UTILITY,
    timeZone: 'America/Denver',
  };
}

const bills = monthlyBills(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05'], ['500', '510', '520', '530', '540']);
const held = { ...bills[4]!, billId: 'B-HELD', periodStart: '2025-06-01', periodEnd: '2025-06-30', status: 'HELD' } as unknown as Bill;

const portalGet = (claims: Record<string, unknown>, accountId: string, billId: string, format?: string) =>
  httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/bills/{billId}/document', claims, pathParameters: { accountId, billId }, ...(format ? { queryStringParameters: { format } } : {}) });
const staffGet = (claims: Record<string, unknown>, accountId: string, billId: string, format?: string) =>
  httpEvent({ routeKey: 'GET /staff/accounts/{accountId}/bills/{billId}/document', claims, pathParameters: { accountId, billId }, ...(format ? { queryStringParameters: { format } } : {}) });

describe('portal bill document', () => {
  it("answers the customer's own bill as a PDF by default, found on a later page of bills", async () => {
    const d = deps([...bills, held]);
    const response = await portalHandler(d)(portalGet(customerClaims('C1'), 'A100', 'B-2025-02'), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.isBase64Encoded).toBe(true);
    const pdf = Buffer.from(response.body, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('Dana Rivera');
    expect(text).toMatch(/Total amount due by 2025-02-28\s+\$148\.63/); // January 73.70 + February 74.93 (12.00 + 510 kWh x 0.1234)
    expect(d.listed.length).toBeGreaterThan(1);
  });

  it('answers HTML with a policy that lets the page load nothing', async () => {
    const response = await portalHandler(deps(bills))(portalGet(customerClaims('C1'), 'A100', 'B-2025-05', 'html'), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(response.body).toContain('<h1>Springfield Municipal Utilities</h1>');
  });

  it.each([
    ["another customer's account", 'C2', 'A100', 'B-2025-01', 403],
    ['an account that does not exist', 'C1', 'A999', 'B-2025-01', 403],
    ['a bill of another account', 'C2', 'A200', 'B-2025-01', 404],
    ['a held bill', 'C1', 'A100', 'B-HELD', 404],
    ['a bill that does not exist', 'C1', 'A100', 'B-1999-01', 404],
  ])('refuses %s', async (_name, customerId, accountId, billId, status) => {
    const response = await portalHandler(deps([...bills, held]))(portalGet(customerClaims(customerId), accountId, billId), context);
    expect(response.statusCode).toBe(status);
  });

  it('answers 401 without a token, 403 to staff tokens and 400 for an unknown format', async () => {
    const d = deps(bills);
    expect((await portalHandler(d)(withoutClaims(portalGet({}, 'A100', 'B-2025-01')), context)).statusCode).toBe(401);
    expect((await portalHandler(d)(portalGet(staffClaims('[csr]'), 'A100', 'B-2025-01'), context)).statusCode).toBe(403);
    const bad = await portalHandler(d)(portalGet(customerClaims('C1'), 'A100', 'B-2025-01', 'docx'), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(bad))).toContain('format must be pdf or html');
  });
});

describe('staff bill document', () => {
  it('lets every staff role see any bill, held ones included', async () => {
    for (const role of ['csr', 'billing', 'admin', 'auditor']) {
      const response = await staffHandler(deps([...bills, held]))(staffGet(staffClaims(`[${role}]`), 'A100', 'B-HELD', 'html'), context);
      expect(response.statusCode).toBe(200);
    }
  });

  it('refuses customer tokens', async () => {
    expect((await staffHandler(deps(bills))(staffGet(customerClaims('C1'), 'A100', 'B-2025-01'), context)).statusCode).toBe(403);
  });
});
