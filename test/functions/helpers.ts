/** Shared builders for handler tests: API Gateway v2 events with JWT claims, SQS events, deps on mocked SDK clients. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { accountToItem, DynamoAccountStore } from '../../shared/adapters/account-store';
import { DynamoAgreementStore } from '../../shared/adapters/agreement-store';
import { DynamoBillStore } from '../../shared/adapters/bill-store';
import { createDocumentClient } from '../../shared/adapters/dynamo';
import type { HttpEvent, HttpResponse } from '../../shared/adapters/http';
import { DynamoMeterStore } from '../../shared/adapters/meter-store';
import { DynamoReadStore } from '../../shared/adapters/read-store';
import { DynamoRunStore } from '../../shared/adapters/run-store';
import { DynamoTariffStore } from '../../shared/adapters/tariff-store';
import { demoTariffs } from '../../shared/app/seed-demo';
import { composeBill, type Bill, type BillService } from '../../shared/domain/billing';
import { rateBill } from '../../shared/domain/rating/engine';
import { usageFromIntervals } from '../../shared/domain/rating/usage';
import { clockAt, silentLogger } from '../unit/app/fakes';

export const TABLE = 'CisTable';
export const NOW = '2026-02-01T08:00:00Z';

/** Stores on a real DocumentClient; the test mocks DynamoDBDocumentClient.send with aws-sdk-client-mock. */
export function tableDeps(now = NOW) {
  const documentClient = createDocumentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
  let ids = 0;
  return {
    documentClient,
    tableName: TABLE,
    timeZone: 'America/Denver',
    accounts: new DynamoAccountStore(documentClient, TABLE),
    agreements: new DynamoAgreementStore(documentClient, TABLE),
    meters: new DynamoMeterStore(documentClient, TABLE),
    reads: new DynamoReadStore(documentClient, TABLE),
    tariffs: new DynamoTariffStore(documentClient, TABLE),
    bills: new DynamoBillStore(documentClient, TABLE),
    runs: new DynamoRunStore(documentClient, TABLE),
    clock: clockAt(now),
    log: silentLogger(),
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  };
}

/** An active residential account (A0001 of C0001 unless named). */
export const testAccount = (accountId = 'A0001', customerId = 'C0001') => ({ accountId, customerId, name: 'Avery', serviceAddress: '101 Main St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE' as const, meterIds: ['M0001'], shard: 607, createdAt: 't' });

/** GetItem answers for a mocked DocumentClient: account A0001 of C0001 and A0002 of C0002; any other key is not found. */
export async function getTwoCustomersAccounts(input: { Key: { PK: string } }): Promise<{ Item?: Record<string, unknown> }> {
  if (input.Key.PK === 'ACCOUNT#A0001') return { Item: accountToItem(testAccount('A0001', 'C0001')) };
  if (input.Key.PK === 'ACCOUNT#A0002') return { Item: accountToItem(testAccount('A0002', 'C0002')) };
  return {};
}

export const staffClaims = (groups: string, username = 'dana') => ({ iss: 'cis-local', aud: 'cis-local', sub: `sub-${username}`, token_use: 'id', 'cognito:username': username, 'cognito:groups': groups });
export const customerClaims = (customerId: string) => ({ iss: 'cis-local', aud: 'cis-local', sub: `sub-${customerId}`, token_use: 'id', 'cognito:username': customerId.toLowerCase(), 'custom:customerId': customerId });

export function httpEvent(options: {
  routeKey: string;
  claims?: Record<string, unknown>;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  body?: unknown;
}): HttpEvent {
  const [method, path] = options.routeKey.split(' ');
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: path ?? '/',
    rawQueryString: new URLSearchParams(options.queryStringParameters ?? {}).toString(),
    headers: { 'content-type': 'application/json' },
    ...(options.queryStringParameters ? { queryStringParameters: options.queryStringParameters } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: method ?? 'GET', path: path ?? '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'request-1',
      routeKey: options.routeKey,
      stage: '$default',
      time: '01/Feb/2026:08:00:00 +0000',
      timeEpoch: Date.parse(NOW),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: (options.claims ?? {}) as Record<string, string>, scopes: [] } },
    },
  } as HttpEvent;
}

export function withoutClaims(event: HttpEvent): HttpEvent {
  return { ...event, requestContext: { ...event.requestContext, authorizer: undefined as never } };
}

export function bodyOf(response: HttpResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'iot', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ReadsQueue',
    awsRegion: 'us-east-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A Lambda context for middy (no getRemainingTimeInMillis: no early timeout). */
export const context = {} as never;

/**
 * A bill of A0001 rated by the engine with the demo electric tariff: 600.2 kWh in the first
 * (off-peak) hour of 2026-01-15, January 2026: 12.50 + 55.52 + 2.52 + 5% fee 3.53 = 74.07.
 */
export function ratedTestBill(runId = 'run-1', issuedAt = '2026-02-01T08:00:00.000Z'): Bill {
  const tariff = demoTariffs('America/Denver')[0]!;
  const usage = usageFromIntervals([{ startEpochSec: Date.UTC(2026, 0, 15, 7) / 1000, durationSec: 3600, quantityMicro: 600_200_000 }], 'America/Denver');
  const rated = rateBill(tariff, usage, '2026-01-01', '2026-01-31', { fullPeriodDays: 31 });
  const service: BillService = {
    agreementId: 'G0001',
    serviceType: 'electric',
    servicePointId: 'P0001-ELECTRIC',
    premiseId: 'P0001',
    meterId: 'M0001',
    tariffId: tariff.tariffId,
    tariffName: tariff.name,
    periodStart: '2026-01-01',
    periodEnd: '2026-01-31',
    usage: { quantity: '600.2', unit: 'kWh' },
    peakKw: rated.peakKw,
    finalBill: false,
    lines: rated.lines,
    subtotal: rated.total,
  };
  return composeBill({ account: testAccount(), services: [service], cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', runId, issuedAt, dueDate: '2026-02-22' });
}
