/**
 * The composition root of the Lambda functions: real clients and stores, built once per
 * process on first use from the environment (parsed with zod, failing with the variable's
 * name). Handlers export `handler = lazyHandler(() => createHandler(xxxDeps()))`, so importing
 * a handler module (tests do) never reads the environment or creates a client.
 */
import { randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, Logger } from '../app/ports';
import { budgetBillingHook } from '../app/payments/budget';
import { billDeliveryHook, inOrder } from '../app/bill-delivery';
import { SqsBillDeliveryQueue } from './sqs-bill-delivery';
import { DynamoCustomerRecordStore } from './customer-record-store';
import { BillExceptionsEnv, billExceptionLimitsOf, BillSegmentEnv, PlanSegmentsEnv, StartBillingRunEnv, TableEnv } from '../schemas/env';
import { DynamoAgreementStore } from './agreement-store';
import { DynamoAccountStore } from './account-store';
import { DynamoBillStore } from './bill-store';
import { DynamoLedgerStore } from './ledger-store';
import { createDocumentClient } from './dynamo';
import { parseEnv } from './env';
import { jsonLogger } from './logger';
import { DynamoMeterStore } from './meter-store';
import { DynamoReadStore } from './read-store';
import { DynamoRunStore } from './run-store';
import { StepFunctionsBillingWorkflow } from './sfn-workflow';
import { DynamoTariffStore } from './tariff-store';

export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** A Lambda handler whose middy chain (and dependencies) is built on the first invocation. */
export function lazyHandler<E, R, C = unknown>(build: () => (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  const get = lazy(build);
  return async (event, context) => get()(event, context);
}

export const systemClock: Clock = { now: () => new Date() };

export interface TableDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  timeZone: string;
  accounts: DynamoAccountStore;
  agreements: DynamoAgreementStore;
  meters: DynamoMeterStore;
  reads: DynamoReadStore;
  tariffs: DynamoTariffStore;
  bills: DynamoBillStore;
  runs: DynamoRunStore;
  clock: Clock;
  log: Logger;
  newId: () => string;
}

/** Everything that needs TABLE_NAME and UTILITY_TIMEZONE. */
export const tableDeps = lazy((): TableDeps => {
  const env = parseEnv(TableEnv);
  const documentClient = createDocumentClient();
  const tableName = env.TABLE_NAME;
  return {
    documentClient,
    tableName,
    timeZone: env.UTILITY_TIMEZONE,
    accounts: new DynamoAccountStore(documentClient, tableName),
    agreements: new DynamoAgreementStore(documentClient, tableName),
    meters: new DynamoMeterStore(documentClient, tableName),
    reads: new DynamoReadStore(documentClient, tableName),
    tariffs: new DynamoTariffStore(documentClient, tableName),
    bills: new DynamoBillStore(documentClient, tableName),
    runs: new DynamoRunStore(documentClient, tableName),
    clock: systemClock,
    log: jsonLogger(),
    newId: randomUUID,
  };
});

/** StartBillingRun also needs STATE_MACHINE_ARN. */
export const startBillingRunDeps = lazy(() => {
  const env = parseEnv(StartBillingRunEnv);
  return { ...tableDeps(), workflow: new StepFunctionsBillingWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN) };
});

/**
 * BillSegment reads BILL_DUE_DAYS (days from issue to due date, default 21), the bill exception
 * limits (BILL_HIGH_FACTOR, BILL_LOW_FACTOR, BILL_MIN_HISTORY, BILL_MAX_TOTAL, BILL_MAX_ESTIMATED)
 * and BILL_MISSING_READS; it records its progress in the run store, and budget billing follows
 * each issued bill.
 */
export const billSegmentDeps = lazy(() => {
  const env = parseEnv(BillSegmentEnv);
  const deps = tableDeps();
  const deliver = deliveryOf(deps, env.BILL_DELIVERY_QUEUE_URL);
  const afterIssue = budgetBillingHook({ ...deps, ledger: new DynamoLedgerStore(deps.documentClient, deps.tableName), dueDays: env.BILL_DUE_DAYS }, 'budget-billing');
  return { ...deps, dueDays: env.BILL_DUE_DAYS, limits: billExceptionLimitsOf(env), missingReads: env.BILL_MISSING_READS, progress: deps.runs, afterIssue, deliver };
});

/** BILL_DELIVERY_QUEUE_URL set: posted bills are announced there with each customer's channel. */
function deliveryOf(deps: TableDeps, queueUrl: string | undefined) {
  if (!queueUrl) return undefined;
  return billDeliveryHook({ records: new DynamoCustomerRecordStore(deps.documentClient, deps.tableName), queue: new SqsBillDeliveryQueue(new SQSClient({}), queueUrl), log: deps.log });
}

/** Cancel-and-rebill rates like BillSegment (its settings), reads the ledger for the bill's entry and announces the corrected bill. */
export const rebillDeps = lazy(() => {
  const deps = billSegmentDeps();
  return { ...deps, ledger: new DynamoLedgerStore(deps.documentClient, deps.tableName) };
});

/** The bill exception routes read BILL_DUE_DAYS (a released bill is due that many days after its release). */
export const billExceptionsDeps = lazy(() => {
  const env = parseEnv(BillExceptionsEnv);
  const deps = tableDeps();
  const afterIssue = inOrder(budgetBillingHook({ ...deps, ledger: new DynamoLedgerStore(deps.documentClient, deps.tableName), dueDays: env.BILL_DUE_DAYS }, 'budget-billing'), deliveryOf(deps, env.BILL_DELIVERY_QUEUE_URL));
  return { ...deps, dueDays: env.BILL_DUE_DAYS, afterIssue };
});

/** PlanSegments needs BILLING_SEGMENTS; it records the planned count on the run. */
export const planSegmentsDeps = lazy(() => {
  const env = parseEnv(PlanSegmentsEnv);
  const deps = tableDeps();
  return { ...deps, segmentCount: env.BILLING_SEGMENTS, progress: deps.runs };
});
