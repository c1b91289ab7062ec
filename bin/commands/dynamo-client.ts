/**
 * The DynamoDB client of the import commands. `--endpoint` points it at a table; a local endpoint
 * (DynamoDB Local of `cis start`) gets dummy credentials and AWS_REGION or us-east-1. The SDK is
 * loaded on first use, so `cis --help` stays fast.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function dynamoClientFor(endpoint: string | undefined): DynamoDBClient {
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const local = endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(endpoint);
  return new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    ...(local ? { region: process.env['AWS_REGION'] ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
