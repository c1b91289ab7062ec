import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDocumentClient } from '../../../shared/adapters/dynamo';
import { DynamoCustomerRecordStore } from '../../../shared/adapters/customer-record-store';
import { PremiseExists } from '../../../shared/domain/customers/errors';
import type { CustomerRecord, Premise } from '../../../shared/domain/customers/model';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoCustomerRecordStore(createDocumentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } })), 'T');
const customer: CustomerRecord = { customerId: 'C1', name: 'Jordan Rivera', email: 'jr@example.com', kind: 'PERSON', phones: ['5550102000'], billDelivery: 'PAPER', contacts: [], createdAt: 't', recordVersion: 4 };
const premise: Premise = { premiseId: 'P1', address: { line1: '12 Birch St', city: 'Springfield', state: 'IL', zip: '62701' }, normalizedAddress: '12 BIRCH ST SPRINGFIELD IL 62701', premiseType: 'RESIDENTIAL', createdAt: 't', recordVersion: 0 };

describe('DynamoCustomerRecordStore.commit', () => {
  beforeEach(() => ddb.reset());

  it('updates the search tokens with the entity: stale ones deleted, new ones put, unchanged ones left alone', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().commit([{ kind: 'customer', previous: customer, value: { ...customer, name: 'Jordan Brooks', phones: ['5550102000'] } }], []);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Update).toMatchObject({ Key: { PK: 'CUSTOMER#C1', SK: 'CUSTOMER' }, ConditionExpression: '#rv = :expected', ExpressionAttributeValues: expect.objectContaining({ ':expected': 4 }) });
    expect(items.filter((i) => i.Delete).map((i) => i.Delete!.Key)).toEqual([{ PK: 'SEARCH#name#ri', SK: 'rivera|CUSTOMER#C1' }]);
    // The label (the name) changed, so every token is rewritten with it; only "rivera" goes away.
    expect(items.filter((i) => i.Put).map((i) => i.Put!.Item!['SK'])).toEqual(['jordan|CUSTOMER#C1', 'brooks|CUSTOMER#C1', '5550102000|CUSTOMER#C1', 'jr@example.com|CUSTOMER#C1']);
    expect(items.filter((i) => i.Put).every((i) => i.Put!.Item!['label'] === 'Jordan Brooks')).toBe(true);
  });

  it('writes nothing for tokens that did not change', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().commit([{ kind: 'customer', previous: customer, value: { ...customer, billDelivery: 'EMAIL' } }], []);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toHaveLength(1);
  });

  it('guards one premise per normalized address, and says so when the guard fails', async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }));
    await expect(store().commit([{ kind: 'premise', value: premise }], [])).rejects.toThrow(PremiseExists);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[1]!.Put).toMatchObject({ Item: { PK: 'PREMISEADDR#12 BIRCH ST SPRINGFIELD IL 62701', premiseId: 'P1' }, ConditionExpression: 'attribute_not_exists(PK)' });
    expect(items[0]!.Update!.ConditionExpression).toBe('attribute_not_exists(PK)');
  });

  it('removes optional attributes that the new value no longer has', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const sp = { servicePointId: 'P1-WATER', premiseId: 'P1', serviceType: 'water' as const, meterId: 'MW1', activeAgreementId: 'G1', activeAccountId: 'A1', connection: 'ON' as const, recordVersion: 0 };
    const { activeAgreementId: _a, activeAccountId: _b, ...freed } = sp;
    await store().commit([{ kind: 'servicePoint', previous: sp, value: freed }], []);
    const update = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Update!;
    expect(update.UpdateExpression).toMatch(/ REMOVE #a\d+, #a\d+$/);
    expect(update.ConditionExpression).toBe('attribute_exists(PK) AND (attribute_not_exists(#rv) OR #rv = :expected)');
    const removed = update.UpdateExpression!.split(' REMOVE ')[1]!.split(', ').map((alias) => update.ExpressionAttributeNames![alias]);
    expect(removed.sort()).toEqual(['activeAccountId', 'activeAgreementId']);
  });
});
