/**
 * DynamoDB plumbing shared by the repositories: the document client, error translation
 * (retryable failures become TransientStoreError), queries through every page, batched reads
 * with retry of unprocessed keys, and opaque paging cursors.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidInput } from '../domain/errors';
import { TransientStoreError } from '../app/errors';
import type { Page } from '../app/ports';
import type { Key } from './keys';

export type Item = Record<string, unknown>;

/** A document client that drops undefined attributes. No endpoint: AWS_ENDPOINT_URL_DYNAMODB points it at a local table when set. */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** One reason of a TransactionCanceledException, in the order of the transaction's actions. */
export interface CancellationReason {
  Code?: string;
  Message?: string;
  Item?: Record<string, unknown>;
}

/** Cancellation codes of a transaction that may pass on a retry (a conflict, throttling, a server error). */
export const TRANSIENT_CANCELLATION_CODES: ReadonlySet<string> = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'InternalServerError']);

/** The reasons of a cancelled transaction (empty for any other error). */
export function cancellationReasons(error: Error): CancellationReason[] {
  return (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/** The reasons' codes for a message ("None" for an action that did not fail). */
export function cancellationCodes(reasons: readonly CancellationReason[]): string[] {
  return reasons.map((reason) => reason.Code ?? 'None');
}

export function isTransientCancellation(reasons: readonly CancellationReason[]): boolean {
  return reasons.some((reason) => TRANSIENT_CANCELLATION_CODES.has(reason.Code ?? ''));
}

/** The item returned with a failed condition (CancellationReasons[].Item, or the Item of a ConditionalCheckFailedException) may come back as raw AttributeValues: make it a plain item. */
export function plainItem(item: Record<string, unknown> | undefined): Item | undefined {
  if (!item) return undefined;
  const raw = Object.values(item).every((value) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && /^(S|N|B|SS|NS|BS|M|L|NULL|BOOL)$/.test(Object.keys(value)[0] ?? ''));
  return raw ? (unmarshall(item as Parameters<typeof unmarshall>[0]) as Item) : item;
}

/** Throttling, 5xx, transaction conflicts and network failures may pass on retry. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TransientStoreError) return true;
  const details = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (TRANSIENT_NAMES.has(error.name) || details.$retryable) return true;
  if ((details.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return details.code !== undefined && TRANSIENT_CODES.has(details.code);
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a store call; retryable failures are rethrown as TransientStoreError (with the cause). */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error) && !(error instanceof TransientStoreError)) {
      throw new TransientStoreError(`${what}: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

/** One page of a Query: the items mapped with `from`, and the cursor of the next page when there is one. */
export async function queryPage<T>(documentClient: DynamoDBDocumentClient, what: string, input: QueryCommandInput, from: (item: Item) => T): Promise<Page<T>> {
  const output = await storeCall(what, () => documentClient.send(new QueryCommand(input)));
  const nextCursor = encodeCursor(output.LastEvaluatedKey);
  return { items: (output.Items ?? []).map(from), ...(nextCursor ? { nextCursor } : {}) };
}

/**
 * A page of one partition, newest (highest sort key) first: of the table, with the sort key
 * starting with `prefix`, or of a GSI (`GSI1`, `GSI2`: keys `<index>PK`/`<index>SK`). The cursor
 * must come from the same partition.
 */
export async function newestFirstPage<T>(
  documentClient: DynamoDBDocumentClient,
  what: string,
  input: { tableName: string; partition: string; limit: number; cursor: string | undefined } & ({ prefix: string; index?: undefined } | { index: string; prefix?: undefined }),
  from: (item: Item) => T,
): Promise<Page<T>> {
  const { index, partition } = input;
  return queryPage(
    documentClient,
    what,
    {
      TableName: input.tableName,
      ...(index
        ? { IndexName: index, KeyConditionExpression: `${index}PK = :pk`, ExpressionAttributeValues: { ':pk': partition } }
        : { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': partition, ':prefix': input.prefix } }),
      ScanIndexForward: false,
      Limit: input.limit,
      ExclusiveStartKey: index ? decodeCursor(input.cursor, { [`${index}PK`]: partition }, ['PK', 'SK', `${index}PK`, `${index}SK`]) : decodeCursor(input.cursor, { PK: partition }, ['PK', 'SK']),
    },
    from,
  );
}

/** A Query followed through every page, or until `limit` items have been read. */
export async function queryAll(documentClient: DynamoDBDocumentClient, what: string, input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>, limit?: number): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const output = await storeCall(what, () => documentClient.send(new QueryCommand({ ...input, ...(limit ? { Limit: limit - items.length } : {}), ExclusiveStartKey: startKey })));
    items.push(...((output.Items ?? []) as Item[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey && (!limit || items.length < limit));
  return items;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_BATCH_ATTEMPTS = 8;

/** BatchGet of any number of keys (100 per request), retrying unprocessed keys with backoff. Order is not kept. */
export async function batchGet(documentClient: DynamoDBDocumentClient, tableName: string, keys: readonly Key[], options: { consistent?: boolean } = {}): Promise<Item[]> {
  const unique = [...new Map(keys.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
  const items: Item[] = [];
  for (let offset = 0; offset < unique.length; offset += 100) {
    let pending: Key[] = unique.slice(offset, offset + 100);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new TransientStoreError(`BatchGet left ${pending.length} keys unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
      if (attempt > 1) await sleep(Math.min(2000, 50 * 2 ** attempt));
      const output = await storeCall('BatchGet', () => documentClient.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) } } })));
      items.push(...((output.Responses?.[tableName] ?? []) as Item[]));
      pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return items;
}

/** BatchWrite (puts) of any number of items: 25 per request, `parallel` requests in flight, unprocessed items retried with backoff. */
export async function batchPut(documentClient: DynamoDBDocumentClient, tableName: string, items: readonly Item[], parallel = 4): Promise<void> {
  const chunks: Item[][] = [];
  for (let offset = 0; offset < items.length; offset += 25) chunks.push(items.slice(offset, offset + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = (chunks[next++] ?? []).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_BATCH_ATTEMPTS) throw new TransientStoreError(`BatchWrite left ${pending.length} items unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
        if (attempt > 1) await sleep(Math.min(2000, 50 * 2 ** attempt));
        const output = await storeCall('BatchWrite', () => documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })));
        pending = (output.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, chunks.length)) }, worker));
}

/**
 * Paging cursors: the LastEvaluatedKey as base64url JSON. Decoding checks the shape and that
 * the cursor belongs to the partition being read (a cursor is not a way into other data).
 */
export function encodeCursor(lastEvaluatedKey: Item | undefined): string | undefined {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined, expected: Record<string, string>, attributes: readonly string[]): Item | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new InvalidInput('cursor is not valid here; use the nextCursor of the previous page', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid();
  const key = decoded as Item;
  const names = Object.keys(key);
  if (names.length !== attributes.length || !attributes.every((name) => typeof key[name] === 'string')) throw invalid();
  for (const [name, value] of Object.entries(expected)) if (key[name] !== value) throw invalid();
  return key;
}
