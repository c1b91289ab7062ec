/**
 * The local Step Functions interpreter keeps executions in memory: when the platform stops during
 * a billing run, the run's record stays RUNNING with no execution behind it. At start, such runs
 * are marked FAILED (audited), so operators see them and start the cycle again: billing is
 * idempotent per account and period, so the new run bills the accounts the stopped one had not.
 * (In AWS executions outlive any process; this only happens locally.)
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runFromItem, DynamoRunStore } from '../adapters/run-store';
import { TYPE_RUN } from '../adapters/keys';

export const ORPHANED_RUN_ERROR = 'PlatformStopped';

export async function failOrphanedRuns(documentClient: DynamoDBDocumentClient, tableName: string, now: Date): Promise<string[]> {
  const runs = new DynamoRunStore(documentClient, tableName);
  const failed: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ TableName: tableName, IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :t', ExpressionAttributeValues: { ':t': TYPE_RUN }, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const run = runFromItem(item);
      if (run.status !== 'RUNNING') continue;
      const at = now.toISOString();
      const cause = 'the local platform stopped while the run was in progress; start the cycle and period again (accounts billed already are skipped)';
      await runs.finish(
        { runId: run.runId, status: 'FAILED', finishedAt: at, failure: { error: ORPHANED_RUN_ERROR, cause } },
        { eventId: randomUUID(), entityType: 'RUN', entityId: run.runId, at, actor: 'local-platform', action: 'billing-run.failed', details: { cause } },
      );
      failed.push(run.runId);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return failed;
}
