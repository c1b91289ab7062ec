import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/billing/plan-segments';
import { context, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);

const input = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31' };

describe('plan-segments', () => {
  it('splits the 1024 shards into BILLING_SEGMENTS segments', async () => {
    const { segments } = await createHandler({ segmentCount: 32 })(input, context);
    expect(segments).toHaveLength(32);
    expect(segments[0]).toEqual({ segmentIndex: 0, shardFrom: 0, shardTo: 31 });
    expect(segments[31]).toEqual({ segmentIndex: 31, shardFrom: 992, shardTo: 1023 });
  });

  it('ignores extra state fields and refuses a bad period', async () => {
    expect((await createHandler({ segmentCount: 3 })({ ...input, extra: true } as typeof input, context)).segments).toHaveLength(3);
    await expect(createHandler({ segmentCount: 3 })({ ...input, periodEnd: '2025-12-31' }, context)).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(createHandler({ segmentCount: 3 })({ ...input, periodStart: 'soon' }, context)).rejects.toThrow(/periodStart/);
  });

  it('records the planned segment count on the run (progress shows done of planned), and refuses a run that does not exist', async () => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
    const deps = { segmentCount: 4, progress: tableDeps().runs };
    expect((await createHandler(deps)(input, context)).segments).toHaveLength(4);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({ Key: { PK: 'RUN#run-1', SK: 'RUN' }, UpdateExpression: 'SET #planned = :planned', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':planned': 4 } });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    await expect(createHandler(deps)(input, context)).rejects.toMatchObject({ name: 'BillingRunNotFound' });
  });
});
