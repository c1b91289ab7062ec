/**
 * The console's work lists read GSI2 partitions written with the records, never a Scan:
 * adjustment requests by status (the approvals queue) and service orders by state.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { orderFromItem, orderToItem } from '../../../shared/adapters/customer-record-items';
import { DynamoCustomerRecordStore } from '../../../shared/adapters/customer-record-store';
import { encodeCursor } from '../../../shared/adapters/dynamo';
import { adjustmentRequestFromItem, adjustmentRequestToItem, DynamoLedgerStore } from '../../../shared/adapters/ledger-store';
import type { AdjustmentRequest } from '../../../shared/domain/adjustment-approval';
import { newOrder, transition } from '../../../shared/domain/customers/service-orders';
import { tableDeps, TABLE } from '../../functions/helpers';

const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => ddb.reset());

const pending: AdjustmentRequest = { requestId: 'AR1', accountId: 'A1', amount: '30.00', direction: 'credit', service: 'water', reason: 'leak', status: 'PENDING', requestedBy: 'cara', requestedAt: '2026-03-01T17:00:00.000Z', approvalLimit: '100.00' };
const approved: AdjustmentRequest = { ...pending, status: 'APPROVED', decidedBy: 'bill', decidedAt: '2026-03-01T18:00:00.000Z', entryId: 'LEJAR1' };

describe('adjustment request items', () => {
  it('round-trip and sit in the account partition, listed on GSI2 under their status oldest first', () => {
    expect(adjustmentRequestFromItem(adjustmentRequestToItem(pending))).toEqual(pending);
    expect(adjustmentRequestFromItem(adjustmentRequestToItem(approved))).toEqual(approved);
    expect(adjustmentRequestToItem(pending)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'ADJREQ#AR1', GSI2PK: 'TYPE#ADJREQ#PENDING', GSI2SK: '2026-03-01T17:00:00.000Z#A1#AR1', type: 'ADJUSTMENT_REQUEST' });
    // Deciding moves the request to its status's partition: the pending queue no longer lists it.
    expect(adjustmentRequestToItem(approved)).toMatchObject({ GSI2PK: 'TYPE#ADJREQ#APPROVED' });
  });

  it('are written in the ledger transaction, a decision conditioned on PENDING, and a refusal names the part', async () => {
    const store = new DynamoLedgerStore(tableDeps().documentClient, TABLE);
    ddb.on(TransactWriteCommand).resolves({});
    await store.commit({ entries: [], audit: [], adjustmentRequest: { value: approved, expectedStatus: 'PENDING' } });
    const [item] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(item!.Put).toMatchObject({ Item: { SK: 'ADJREQ#AR1', status: 'APPROVED' }, ConditionExpression: '#status = :expected', ExpressionAttributeValues: { ':expected': 'PENDING' } });
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }));
    await expect(store.commit({ entries: [], audit: [], adjustmentRequest: { value: pending } })).rejects.toMatchObject({ name: 'LedgerWriteRefused', part: 'adjustment-request' });
  });

  it('page through one status partition of GSI2 with the cursor of the previous page', async () => {
    const store = new DynamoLedgerStore(tableDeps().documentClient, TABLE);
    const last = { PK: 'ACCOUNT#A1', SK: 'ADJREQ#AR1', GSI2PK: 'TYPE#ADJREQ#PENDING', GSI2SK: '2026-03-01T17:00:00.000Z#A1#AR1' };
    ddb.on(QueryCommand).resolves({ Items: [adjustmentRequestToItem(pending)], LastEvaluatedKey: last });
    const page = await store.pageAdjustmentRequests('PENDING', 1);
    expect(page).toEqual({ items: [pending], nextCursor: encodeCursor(last) });
    await store.pageAdjustmentRequests('PENDING', 1, page.nextCursor);
    const [first, second] = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first).toMatchObject({ IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': 'TYPE#ADJREQ#PENDING' }, Limit: 1 });
    expect(first!.ScanIndexForward).toBeUndefined();
    expect(second!.ExclusiveStartKey).toEqual(last);
    await expect(store.pageAdjustmentRequests('APPROVED', 1, page.nextCursor)).rejects.toThrow('cursor is not valid here');
  });
});

describe('service orders by state', () => {
  const created = newOrder({ orderId: 'O1', type: 'RE_READ', servicePointId: 'SP1', premiseId: 'P1', serviceType: 'water', accountId: 'A1', requestedBy: 'cara', createdAt: '2026-03-01T17:00:00.000Z' });
  const scheduled = transition(created, { action: 'schedule', at: '2026-03-02T09:00:00.000Z', scheduledFor: '2026-03-05' });

  it('key the order on GSI2 by its state and last change, rewritten when it moves', () => {
    expect(orderToItem(created)).toMatchObject({ PK: 'ORDER#O1', GSI1PK: 'ORDERS#ACCOUNT#A1', GSI2PK: 'TYPE#ORDER#CREATED', GSI2SK: '2026-03-01T17:00:00.000Z#O1' });
    expect(orderToItem(scheduled)).toMatchObject({ GSI1PK: 'ORDERS#ACCOUNT#A1', GSI2PK: 'TYPE#ORDER#SCHEDULED', GSI2SK: '2026-03-02T09:00:00.000Z#O1' });
    expect(orderFromItem(orderToItem(scheduled))).toEqual(scheduled);
  });

  it('page one state partition newest change first', async () => {
    const store = new DynamoCustomerRecordStore(tableDeps().documentClient, TABLE);
    ddb.on(QueryCommand).resolves({ Items: [orderToItem(scheduled)] });
    expect(await store.pageOrdersByState('SCHEDULED', 25)).toEqual({ items: [scheduled] });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'TYPE#ORDER#SCHEDULED' }, ScanIndexForward: false, Limit: 25 });
  });
});
