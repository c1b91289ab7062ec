/**
 * Every key of the single table, in one place. PK/SK = primary key; GSI1 = accounts of a
 * billing cycle by shard; GSI2 = entities by type (listing).
 */
import { BUCKET_LENGTH } from '../domain/customers/search';
import { formatShard } from '../domain/segments';

export interface Key {
  PK: string;
  SK: string;
}

export const GSI1 = 'GSI1';
export const GSI2 = 'GSI2';

export const TYPE_ACCOUNT = 'TYPE#ACCOUNT';
export const TYPE_CUSTOMER = 'TYPE#CUSTOMER';
export const TYPE_RUN = 'TYPE#RUN';
export const TYPE_PREMISE = 'TYPE#PREMISE';
export const TYPE_BILL_EXCEPTION = 'TYPE#BILL_EXCEPTION';
export const TYPE_AUTOPAY = 'TYPE#AUTOPAY';

export const keys = {
  account: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'ACCOUNT' }),
  accountCycleShard: (cycle: string, shard: number, accountId: string) => ({ GSI1PK: cycleShardPartition(cycle, shard), GSI1SK: `ACCOUNT#${accountId}` }),
  accountByType: (accountId: string) => ({ GSI2PK: TYPE_ACCOUNT, GSI2SK: accountId }),

  customer: (customerId: string): Key => ({ PK: `CUSTOMER#${customerId}`, SK: 'CUSTOMER' }),
  customerByType: (customerId: string) => ({ GSI2PK: TYPE_CUSTOMER, GSI2SK: customerId }),
  customerAccountLink: (customerId: string, accountId: string): Key => ({ PK: `CUSTOMER#${customerId}`, SK: `ACCOUNT#${accountId}` }),
  customerPartition: (customerId: string) => `CUSTOMER#${customerId}`,
  ACCOUNT_LINK_PREFIX: 'ACCOUNT#',

  meter: (meterId: string): Key => ({ PK: `METER#${meterId}`, SK: 'METER' }),
  meterPartition: (meterId: string) => `METER#${meterId}`,
  readsDay: (meterId: string, day: string): Key => ({ PK: `METER#${meterId}`, SK: `DAY#${day}` }),
  readsDaySort: (day: string) => `DAY#${day}`,

  /** A tariff's header; its versions share the partition (one Query reads the whole document). */
  tariff: (tariffId: string): Key => ({ PK: `TARIFF#${tariffId}`, SK: 'TARIFF' }),
  TARIFF_HEADER_SK: 'TARIFF',
  tariffVersion: (tariffId: string, effectiveFrom: string): Key => ({ PK: `TARIFF#${tariffId}`, SK: `VERSION#${effectiveFrom}` }),

  accountPartition: (accountId: string) => `ACCOUNT#${accountId}`,
  bill: (accountId: string, periodStart: string, billId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `BILL#${periodStart}#${billId}` }),
  BILL_PREFIX: 'BILL#',
  /**
   * What later bills read of a posted bill (total, estimated, usage and peaks per service), in the
   * account's agreements range ("~" sorts after every agreement id) so billing's one Query of
   * AGREEMENT# returns the account's bill history with its agreements.
   */
  billHistory: (accountId: string, periodStart: string, billId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `AGREEMENT#~BILL#${periodStart}#${billId}` }),
  /** The review record of a held bill, found by bill id alone; in the queue (GSI2) while OPEN. */
  heldBill: (billId: string): Key => ({ PK: `BILLEXC#${billId}`, SK: 'BILLEXC' }),
  heldBillQueue: (heldAt: string, billId: string) => ({ GSI2PK: TYPE_BILL_EXCEPTION, GSI2SK: `${heldAt}#${billId}` }),
  ledgerEntry: (accountId: string, postedAt: string, entryId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `LEDGER#${postedAt}#${entryId}` }),
  LEDGER_PREFIX: 'LEDGER#',
  /** The idempotency item of a ledger entry: one per account and business key. */
  ledgerKey: (accountId: string, idempotencyKey: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `LEDGERKEY#${idempotencyKey}` }),
  /** Serializes refunds of one account (a version bumped by each refund). */
  refundGuard: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'REFUNDGUARD' }),
  payment: (paymentId: string): Key => ({ PK: `PAYMENT#${paymentId}`, SK: 'PAYMENT' }),
  /** GSI1: the payments of an account by time received. */
  paymentOfAccount: (accountId: string, receivedAt: string, paymentId: string) => ({ GSI1PK: `ACCOUNT#${accountId}#PAYMENTS`, GSI1SK: `${receivedAt}#${paymentId}` }),
  paymentsOfAccountPartition: (accountId: string) => `ACCOUNT#${accountId}#PAYMENTS`,
  /** A payment arrangement of the account. */
  arrangement: (accountId: string, arrangementId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `ARRANGEMENT#${arrangementId}` }),
  ARRANGEMENT_PREFIX: 'ARRANGEMENT#',
  /** Serializes the creation and closing of an account's arrangements (a version bumped by each). */
  arrangementGuard: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'ARRANGEMENTGUARD' }),
  /** A customer's request for a payment arrangement; listed through GSI2 (oldest first) while PENDING. */
  arrangementRequest: (accountId: string, requestId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `ARRANGEMENTREQUEST#${requestId}` }),
  ARRANGEMENT_REQUEST_PREFIX: 'ARRANGEMENTREQUEST#',
  pendingArrangementRequest: (requestedAt: string, accountId: string, requestId: string) => ({ GSI2PK: 'TYPE#ARRANGEMENTREQUEST#PENDING', GSI2SK: `${requestedAt}#${accountId}#${requestId}` }),
  PENDING_ARRANGEMENT_REQUESTS_PARTITION: 'TYPE#ARRANGEMENTREQUEST#PENDING',
  /** A dispute of charges of the account. */
  dispute: (accountId: string, disputeId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `DISPUTE#${disputeId}` }),
  DISPUTE_PREFIX: 'DISPUTE#',
  /** A customer deposit of the account; while BILLED (held) it is also listed on GSI2 for the interest run. */
  deposit: (accountId: string, depositId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `DEPOSIT#${depositId}` }),
  DEPOSIT_PREFIX: 'DEPOSIT#',
  heldDeposit: (accountId: string, depositId: string) => ({ GSI2PK: 'TYPE#DEPOSIT#BILLED', GSI2SK: `${accountId}#${depositId}` }),
  HELD_DEPOSITS_PARTITION: 'TYPE#DEPOSIT#BILLED',
  /** The account's budget-billing plan (one per account; re-enrollment replaces an ended one). */
  budget: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'BUDGET' }),
  /** An adjustment waiting for (or decided by) another user's approval; GSI2 lists them by status, oldest first. */
  adjustmentRequest: (accountId: string, requestId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `ADJREQ#${requestId}` }),
  adjustmentRequestByStatus: (status: string, requestedAt: string, accountId: string, requestId: string) => ({ GSI2PK: `TYPE#ADJREQ#${status}`, GSI2SK: `${requestedAt}#${accountId}#${requestId}` }),
  adjustmentRequestStatusPartition: (status: string) => `TYPE#ADJREQ#${status}`,
  /** An idempotent request (Idempotency-Key header) and its stored answer. */
  request: (requestKey: string): Key => ({ PK: `IDEMPOTENCY#${requestKey}`, SK: 'REQUEST' }),
  /** An autopay debit's NACHA trace number, pointing at its payment (returns files are matched by it). */
  achTrace: (traceNumber: string): Key => ({ PK: `ACHTRACE#${traceNumber}`, SK: 'ACHTRACE' }),
  /** Autopay enrollment of an account (bank account, authorization); listed through GSI2 while ACTIVE. */
  autopay: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'AUTOPAY' }),
  autopayByType: (accountId: string) => ({ GSI2PK: TYPE_AUTOPAY, GSI2SK: accountId }),
  /** The counter of NACHA trace sequence numbers. */
  achTraceCounter: (): Key => ({ PK: 'COUNTER#ACHTRACE', SK: 'COUNTER' }),
  /** A NACHA autopay file made for a debit day. */
  achFile: (debitDate: string): Key => ({ PK: `ACHFILE#${debitDate}`, SK: 'ACHFILE' }),
  /** An imported bank or lockbox file and its reconciliation report. */
  paymentFile: (fileId: string): Key => ({ PK: `PAYMENTFILE#${fileId}`, SK: 'PAYMENTFILE' }),
  /** A credit of an imported file that names no known account, kept for staff to apply (GSI2 while open). */
  suspenseItem: (fileId: string, ref: string): Key => ({ PK: `PAYMENTFILE#${fileId}`, SK: `SUSPENSE#${ref}` }),
  suspenseByStatus: (status: string, fileId: string, ref: string) => ({ GSI2PK: `TYPE#SUSPENSE#${status}`, GSI2SK: `${fileId}#${ref}` }),
  SUSPENSE_PREFIX: 'SUSPENSE#',
  /** A payment-provider webhook event already processed (replays are ignored). */
  webhookEvent: (eventId: string): Key => ({ PK: `WEBHOOK#${eventId}`, SK: 'WEBHOOK' }),

  // Collections (issue 6): certificates, household profile, notices, evaluations, the disconnection marker, weather, runs.
  medicalCertificate: (accountId: string, receivedOn: string, certificateId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `MEDCERT#${receivedOn}#${certificateId}` }),
  MEDCERT_PREFIX: 'MEDCERT#',
  collectionsProfile: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'COLLPROFILE' }),
  notice: (accountId: string, sentOn: string, noticeId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `NOTICE#${sentOn}#${noticeId}` }),
  NOTICE_PREFIX: 'NOTICE#',
  /** One evaluation per account and run day (its existence makes a rerun of the day a no-op). */
  collectionEvaluation: (accountId: string, runDate: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `COLLEVAL#${runDate}` }),
  COLLEVAL_PREFIX: 'COLLEVAL#',
  /** GSI2: the evaluations of a run day by account. */
  collectionEvaluationOfRun: (runDate: string, accountId: string) => ({ GSI2PK: `TYPE#COLLEVAL#${runDate}`, GSI2SK: accountId }),
  collectionEvaluationsOfRunPartition: (runDate: string) => `TYPE#COLLEVAL#${runDate}`,
  /** Present while collections ordered the account disconnected and has not reconnected it. */
  collectionState: (accountId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: 'COLLSTATE' }),
  weather: (region: string, day: string): Key => ({ PK: `WEATHER#${region}`, SK: `DAY#${day}` }),
  collectionsRun: (runDate: string): Key => ({ PK: `COLLRUN#${runDate}`, SK: 'COLLRUN' }),

  run: (runId: string): Key => ({ PK: `RUN#${runId}`, SK: 'RUN' }),
  runPartition: (runId: string) => `RUN#${runId}`,
  /** A segment's progress item, in the run's partition (one Query reads the run and its segments). */
  runSegment: (runId: string, segmentIndex: number): Key => ({ PK: `RUN#${runId}`, SK: `SEGMENT#${String(segmentIndex).padStart(5, '0')}` }),
  RUN_SEGMENT_PREFIX: 'SEGMENT#',
  /** GSI2: the runs listing, newest first by start time (written with the run; its updates keep it). */
  runByType: (runId: string, startedAt: string) => ({ GSI2PK: TYPE_RUN, GSI2SK: `${startedAt}#${runId}` }),
  /** A billing cycle's schedule (read periods, read window, bill days). */
  cycleSchedule: (cycle: string): Key => ({ PK: `CYCLE#${cycle}`, SK: 'SCHEDULE' }),
  cycleScheduleByType: (cycle: string) => ({ GSI2PK: 'TYPE#CYCLE', GSI2SK: cycle }),
  /** The scheduler's claim on billing one period of a cycle (at most one scheduled run per period). */
  scheduledRun: (cycle: string, periodEnd: string): Key => ({ PK: `CYCLE#${cycle}`, SK: `SCHEDULED#${periodEnd}` }),

  readException: (meterId: string, exceptionId: string): Key => ({ PK: `METER#${meterId}`, SK: `EXCEPTION#${exceptionId}` }),
  readExceptionByStatus: (status: string, createdAt: string, meterId: string, exceptionId: string) => ({ GSI2PK: `TYPE#READ_EXCEPTION#${status}`, GSI2SK: `${createdAt}#${meterId}#${exceptionId}` }),
  readExceptionStatusPartition: (status: string) => `TYPE#READ_EXCEPTION#${status}`,
  usageAlert: (accountId: string, day: string, meterId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `ALERT#${day}#${meterId}` }),
  rebillMark: (accountId: string, billId: string, exceptionId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `REBILL#${billId}#${exceptionId}` }),

  auditEvent: (entityType: string, entityId: string, at: string, eventId: string): Key => ({ PK: `AUDIT#${entityType}#${entityId}`, SK: `AUDIT#${at}#${eventId}` }),
  auditPartition: (entityType: string, entityId: string) => `AUDIT#${entityType}#${entityId}`,
  AUDIT_PREFIX: 'AUDIT#',

  // Customer record (issue 5): premises, service points, agreements, service orders, notes, field reads, search.
  premise: (premiseId: string): Key => ({ PK: `PREMISE#${premiseId}`, SK: 'PREMISE' }),
  premiseByType: (premiseId: string) => ({ GSI2PK: TYPE_PREMISE, GSI2SK: premiseId }),
  premisePartition: (premiseId: string) => `PREMISE#${premiseId}`,
  /** Guard item: one premise per normalized address. */
  premiseAddress: (normalizedAddress: string): Key => ({ PK: `PREMISEADDR#${normalizedAddress}`, SK: 'PREMISEADDR' }),
  premiseAccountLink: (premiseId: string, accountId: string): Key => ({ PK: `PREMISE#${premiseId}`, SK: `ACCOUNT#${accountId}` }),
  servicePoint: (servicePointId: string): Key => ({ PK: `SERVICEPOINT#${servicePointId}`, SK: 'SERVICEPOINT' }),
  /** GSI1: the service points of a premise. */
  servicePointOfPremise: (premiseId: string, servicePointId: string) => ({ GSI1PK: `PREMISE#${premiseId}#SP`, GSI1SK: servicePointId }),
  servicePointsOfPremisePartition: (premiseId: string) => `PREMISE#${premiseId}#SP`,
  agreement: (accountId: string, agreementId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `AGREEMENT#${agreementId}` }),
  AGREEMENT_PREFIX: 'AGREEMENT#',
  /** The measured monthly peak of an agreement on a bill, read by later bills' ratchets (sorts after its agreement). */
  agreementPeak: (accountId: string, agreementId: string, month: string, billId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `AGREEMENT#${agreementId}#PEAK#${month}#${billId}` }),
  /** GSI1: the agreements of a service point over time. */
  agreementOfServicePoint: (servicePointId: string, startDate: string, agreementId: string) => ({ GSI1PK: `SERVICEPOINT#${servicePointId}#AGREEMENTS`, GSI1SK: `${startDate}#${agreementId}` }),
  serviceOrder: (orderId: string): Key => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  /** GSI1: the service orders of an account (or of a service point without an account), newest last. */
  serviceOrderOfOwner: (owner: string, createdAt: string, orderId: string) => ({ GSI1PK: `ORDERS#${owner}`, GSI1SK: `${createdAt}#${orderId}` }),
  serviceOrdersPartition: (owner: string) => `ORDERS#${owner}`,
  /** GSI2: the service orders in one state, by last change (rewritten with the order each time it moves). */
  serviceOrderByState: (state: string, updatedAt: string, orderId: string) => ({ GSI2PK: `TYPE#ORDER#${state}`, GSI2SK: `${updatedAt}#${orderId}` }),
  serviceOrderStatePartition: (state: string) => `TYPE#ORDER#${state}`,
  /** The owner in those keys: the account, or the service point of an order without one. */
  serviceOrderOwner: (order: { accountId?: string; servicePointId?: string }) => (order.accountId ? `ACCOUNT#${order.accountId}` : `SP#${order.servicePointId}`),
  note: (accountId: string, at: string, noteId: string): Key => ({ PK: `ACCOUNT#${accountId}`, SK: `NOTE#${at}#${noteId}` }),
  NOTE_PREFIX: 'NOTE#',
  fieldRead: (meterId: string, readAt: string, readId: string): Key => ({ PK: `METER#${meterId}`, SK: `FIELDREAD#${readAt}#${readId}` }),
  FIELD_READ_PREFIX: 'FIELDREAD#',
  /** Search index: one item per (field, token, entity); partitions by the token's first characters. */
  searchToken: (field: string, token: string, entityType: string, entityId: string): Key => ({ PK: searchPartition(field, token), SK: `${token}|${entityType}#${entityId}` }),
} as const;

export function cycleShardPartition(cycle: string, shard: number): string {
  return `CYCLE#${cycle}#SHARD#${formatShard(shard)}`;
}

/** Search index partition: the field and the first BUCKET_LENGTH characters of the token. */
export function searchPartition(field: string, token: string): string {
  return `SEARCH#${field}#${token.slice(0, BUCKET_LENGTH)}`;
}
