/**
 * The bill document handlers' dependencies and their answer: a PDF (base64 body, as API Gateway
 * passes binary responses) or a self-contained HTML page that may load nothing from elsewhere.
 */
import type { BillDocument } from '../domain/bill-document';
import type { BillDocumentDeps } from '../app/bill-document';
import { renderBillHtml } from '../documents/bill-html';
import { renderBillPdf } from '../documents/bill-pdf';
import { BillDocumentEnv } from '../schemas/env';
import { DynamoCustomerRecordStore } from './customer-record-store';
import { parseEnv } from './env';
import type { HttpResponse } from './http';
import { DynamoLedgerStore } from './ledger-store';
import { lazy, tableDeps } from './runtime';

export const billDocumentDeps = lazy(() => {
  const env = parseEnv(BillDocumentEnv);
  const table = tableDeps();
  return {
    ...table,
    ledger: new DynamoLedgerStore(table.documentClient, table.tableName),
    records: new DynamoCustomerRecordStore(table.documentClient, table.tableName),
    utility: env.UTILITY_PROFILE,
  } satisfies BillDocumentDeps & Record<string, unknown>;
});
export type BillDocumentRuntimeDeps = ReturnType<typeof billDocumentDeps>;

export async function documentResponse(doc: BillDocument, format: 'pdf' | 'html'): Promise<HttpResponse> {
  const name = `bill-${doc.accountId}-${doc.issueDate}`;
  if (format === 'html') {
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'private, no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
        'x-content-type-options': 'nosniff',
      },
      body: renderBillHtml(doc),
    };
  }
  const pdf = await renderBillPdf(doc);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${name}.pdf"`, 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' },
    body: pdf.toString('base64'),
    isBase64Encoded: true,
  };
}
