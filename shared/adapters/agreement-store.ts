/**
 * Billing's view of an account's service agreements: one Query of the account partition from
 * AGREEMENT# reads the agreements and, after them, the history items of its posted bills
 * (AGREEMENT#~BILL#<periodStart>#<billId>: total, estimated, usage and measured peak per
 * service). Monthly peaks come from the history items; peak items of earlier versions
 * (AGREEMENT#<id>#PEAK#<month>#<billId>) are still read.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgreementPeak } from '../domain/billing';
import { peaksOfHistory, type BillHistoryEntry } from '../domain/billing';
import type { AgreementStore } from '../app/ports';
import { billHistoryFromItem } from './bill-store';
import { agreementFromItem } from './customer-record-items';
import { queryAll, type Item } from './dynamo';
import { decimalStr, str } from './item';
import { keys } from './keys';

export function agreementPeakToItem(accountId: string, peak: AgreementPeak): Item {
  return { ...keys.agreementPeak(accountId, peak.agreementId, peak.month, peak.billId), type: 'AGREEMENT_PEAK', agreementId: peak.agreementId, month: peak.month, peakKw: peak.peakKw, billId: peak.billId };
}

export function agreementPeakFromItem(item: Item): AgreementPeak {
  return { agreementId: str(item, 'agreementId'), month: str(item, 'month'), peakKw: decimalStr(item, 'peakKw'), billId: str(item, 'billId') };
}

export class DynamoAgreementStore implements AgreementStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listForBilling(accountId: string): Promise<{ agreements: ReturnType<typeof agreementFromItem>[]; peaks: AgreementPeak[]; history: BillHistoryEntry[] }> {
    const items = await queryAll(this.documentClient, 'Query agreements', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':prefix': keys.AGREEMENT_PREFIX },
    });
    const history = items.filter((item) => item['type'] === 'BILL_HISTORY').map(billHistoryFromItem);
    return {
      agreements: items.filter((item) => item['type'] === 'AGREEMENT').map(agreementFromItem),
      peaks: [...items.filter((item) => item['type'] === 'AGREEMENT_PEAK').map(agreementPeakFromItem), ...peaksOfHistory(history)],
      history,
    };
  }
}
