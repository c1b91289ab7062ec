import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { agreementPeakFromItem, agreementPeakToItem, DynamoAgreementStore, peakItemsOfBill } from '../../../shared/adapters/agreement-store';
import { agreementToItem } from '../../../shared/adapters/customer-record-items';
import { DynamoCustomerRecordStore } from '../../../shared/adapters/customer-record-store';
import { createDocumentClient } from '../../../shared/adapters/dynamo';
import { CorruptRecord } from '../../../shared/app/errors';
import { demandHistoryOf } from '../../../shared/domain/billing';
import type { Agreement } from '../../../shared/domain/customers/model';
import { ratedTestBill } from '../../functions/helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const client = () => createDocumentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } }));
const agreement: Agreement = { agreementId: 'G1', accountId: 'A1', customerId: 'C1', premiseId: 'P1', servicePointId: 'P1-ELECTRIC', serviceType: 'electric', serviceClass: 'COMMERCIAL', tariffId: 'T', cycle: 'C1', status: 'ACTIVE', startDate: '2025-01-01', finalBill: false, createdAt: 't', recordVersion: 1 };

describe('agreement peaks', () => {
  beforeEach(() => ddb.reset());

  it("stores a bill's peaks right after their agreement, and reads agreements and peaks with one Query", async () => {
    const bill = ratedTestBill();
    const [item] = peakItemsOfBill(bill);
    expect(item).toEqual({ PK: 'ACCOUNT#A0001', SK: `AGREEMENT#G0001#PEAK#2026-01#${bill.billId}`, type: 'AGREEMENT_PEAK', agreementId: 'G0001', month: '2026-01', peakKw: '600.2', billId: bill.billId });
    const peaks = [
      { agreementId: 'G1', month: '2026-01', peakKw: '40', billId: 'B1' },
      { agreementId: 'G1', month: '2026-01', peakKw: '42.5', billId: 'B2' }, // a rebill of the month: the higher peak counts
      { agreementId: 'G1', month: '2025-12', peakKw: '50', billId: 'B0' },
      { agreementId: 'G2', month: '2026-01', peakKw: '99', billId: 'B9' },
    ];
    ddb.on(QueryCommand).resolves({ Items: [agreementToItem(agreement), ...peaks.map((peak) => agreementPeakToItem('A1', peak))] });
    const read = await new DynamoAgreementStore(client(), 'T').listForBilling('A1');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': 'ACCOUNT#A1', ':prefix': 'AGREEMENT#' });
    expect(read.agreements).toEqual([agreement]);
    expect(demandHistoryOf(read.peaks, 'G1')).toEqual([{ month: '2025-12', peakKw: '50' }, { month: '2026-01', peakKw: '42.5' }]);
    // The customer record's own listing ignores the peak items in the same key range.
    expect(await new DynamoCustomerRecordStore(client(), 'T').listAgreements('A1')).toEqual([agreement]);
  });

  it('refuses a peak that is not a decimal string', () => {
    expect(() => agreementPeakFromItem({ ...agreementPeakToItem('A1', { agreementId: 'G1', month: '2026-01', peakKw: '1', billId: 'B' }), peakKw: 1.5 })).toThrow(CorruptRecord);
  });
});
