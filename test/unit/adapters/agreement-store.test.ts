import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { agreementPeakFromItem, agreementPeakToItem, DynamoAgreementStore } from '../../../shared/adapters/agreement-store';
import { billHistoryFromItem, billHistoryToItem } from '../../../shared/adapters/bill-store';
import { agreementToItem } from '../../../shared/adapters/customer-record-items';
import { DynamoCustomerRecordStore } from '../../../shared/adapters/customer-record-store';
import { createDocumentClient } from '../../../shared/adapters/dynamo';
import { CorruptRecord } from '../../../shared/app/errors';
import { demandHistoryOf, historyEntryOf } from '../../../shared/domain/billing';
import type { Agreement } from '../../../shared/domain/customers/model';
import { ratedTestBill } from '../../functions/helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const client = () => createDocumentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } }));
const agreement: Agreement = { agreementId: 'G1', accountId: 'A1', customerId: 'C1', premiseId: 'P1', servicePointId: 'P1-ELECTRIC', serviceType: 'electric', serviceClass: 'COMMERCIAL', tariffId: 'T', cycle: 'C1', status: 'ACTIVE', startDate: '2025-01-01', finalBill: false, createdAt: 't', recordVersion: 1 };

describe('agreement peaks', () => {
  beforeEach(() => ddb.reset());

  it("stores a bill's history (total, usage, peaks) after the agreements, and reads agreements, history and peaks with one Query", async () => {
    const bill = ratedTestBill();
    const item = billHistoryToItem(bill.accountId, historyEntryOf(bill));
    expect(item).toMatchObject({ PK: 'ACCOUNT#A0001', SK: `AGREEMENT#~BILL#2026-01-01#${bill.billId}`, type: 'BILL_HISTORY', total: bill.total, estimated: false, services: [{ agreementId: 'G0001', quantity: '600.2', unit: 'kWh', peakKw: '600.2', estimated: false }] });
    expect('lines' in item).toBe(false);
    expect(billHistoryFromItem(item)).toEqual(historyEntryOf(bill));
    // "~" sorts after every agreement id (letters, digits, "_" and "-"), so the agreements come first.
    expect(String(item['SK']) > 'AGREEMENT#zzzz-___').toBe(true);
    const entry = (billId: string, periodStart: string, periodEnd: string, agreementId: string, peakKw: string) => ({ billId, periodStart, periodEnd, total: '10.00', estimated: false, services: [{ agreementId, periodStart, periodEnd, quantity: '1', unit: 'kWh', estimated: false, peakKw }] });
    const history = [entry('B2', '2026-01-01', '2026-01-31', 'G1', '42.5'), entry('B0', '2025-12-01', '2025-12-31', 'G1', '50'), entry('B9', '2026-01-01', '2026-01-31', 'G2', '99')];
    // A peak item written by an earlier version of billing is still read (a rebill of the month: the higher peak counts).
    const legacyPeak = agreementPeakToItem('A1', { agreementId: 'G1', month: '2026-01', peakKw: '40', billId: 'B1' });
    ddb.on(QueryCommand).resolves({ Items: [agreementToItem(agreement), legacyPeak, ...history.map((h) => billHistoryToItem('A1', h))] });
    const read = await new DynamoAgreementStore(client(), 'T').listForBilling('A1');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': 'ACCOUNT#A1', ':prefix': 'AGREEMENT#' });
    expect(read.agreements).toEqual([agreement]);
    expect(read.history.map((h) => h.billId)).toEqual(['B2', 'B0', 'B9']);
    expect(demandHistoryOf(read.peaks, 'G1')).toEqual([{ month: '2025-12', peakKw: '50' }, { month: '2026-01', peakKw: '42.5' }]);
    // The customer record's own listing ignores the peak and history items in the same key range.
    expect(await new DynamoCustomerRecordStore(client(), 'T').listAgreements('A1')).toEqual([agreement]);
  });

  it('refuses a peak that is not a decimal string', () => {
    expect(() => agreementPeakFromItem({ ...agreementPeakToItem('A1', { agreementId: 'G1', month: '2026-01', peakKw: '1', billId: 'B' }), peakKw: 1.5 })).toThrow(CorruptRecord);
  });
});
