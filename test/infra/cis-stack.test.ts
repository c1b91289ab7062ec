import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { cdkJsonContext, createApp, synthesizeTemplate, type CfnTemplateJson } from '../../lib/app';
import { PLACEHOLDER_UTILITY_PROFILE } from '../../lib/cis-stack';
import { functionsOf, LocalResolver } from '../../shared/local/template';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The contract's handler table: a route's id (or, for the ingest and billing functions, the
 * function's logical id) -> its handler module. API routes are served by a few functions (see
 * API_FUNCTIONS), each dispatching on the route key to these modules.
 */
const FUNCTIONS: Record<string, string> = {
  ValidateReads: 'functions/ingest/validate-reads.ts',
  PlanCollections: 'functions/collections/plan-collections.ts',
  EvaluateSegment: 'functions/collections/evaluate-segment.ts',
  FinalizeCollections: 'functions/collections/finalize-collections.ts',
  RecordMedicalCertificate: 'functions/staff/record-medical-certificate.ts',
  ListMedicalCertificates: 'functions/staff/list-medical-certificates.ts',
  PutCollectionsProfile: 'functions/staff/put-collections-profile.ts',
  PutWeather: 'functions/staff/put-weather.ts',
  GetWeather: 'functions/staff/get-weather.ts',
  StartCollectionsRun: 'functions/staff/start-collections-run.ts',
  GetCollectionsWorklist: 'functions/staff/get-collections-worklist.ts',
  GetAccountCollections: 'functions/staff/get-account-collections.ts',
  ListMyNotices: 'functions/portal/list-notices.ts',
  ListAccounts: 'functions/staff/list-accounts.ts',
  GetAccount: 'functions/staff/get-account.ts',
  StartBillingRun: 'functions/staff/start-billing-run.ts',
  PutTariff: 'functions/staff/put-tariff.ts',
  GetBillingRun: 'functions/staff/get-billing-run.ts',
  ListBillingRuns: 'functions/staff/list-billing-runs.ts',
  ListBillingCycles: 'functions/staff/list-billing-cycles.ts',
  PutBillingCycle: 'functions/staff/put-billing-cycle.ts',
  ScheduledRuns: 'functions/billing/scheduled-runs.ts',
  RebillBill: 'functions/staff/rebill-bill.ts',
  CorrectTariff: 'functions/staff/correct-tariff.ts',
  ListMyAccounts: 'functions/portal/list-my-accounts.ts',
  ListBills: 'functions/portal/list-bills.ts',
  GetUsage: 'functions/portal/get-usage.ts',
  GetGreenButton: 'functions/portal/get-green-button.ts',
  GetMyBillDocument: 'functions/portal/get-bill-document.ts',
  GetBillDocument: 'functions/staff/get-bill-document.ts',
  ListReadExceptions: 'functions/staff/list-read-exceptions.ts',
  ListBillExceptions: 'functions/staff/list-bill-exceptions.ts',
  ResolveBillException: 'functions/staff/resolve-bill-exception.ts',
  ResolveReadException: 'functions/staff/resolve-read-exception.ts',
  EnterManualReads: 'functions/staff/enter-manual-reads.ts',
  UploadReads: 'functions/staff/upload-reads.ts',
  PlanSegments: 'functions/billing/plan-segments.ts',
  BillSegment: 'functions/billing/bill-segment.ts',
  FinalizeRun: 'functions/billing/finalize-run.ts',
  CreatePremise: 'functions/staff/create-premise.ts',
  RegisterMeter: 'functions/staff/register-meter.ts',
  ApplyForService: 'functions/staff/apply-for-service.ts',
  MoveIn: 'functions/staff/move-in.ts',
  ActivateService: 'functions/staff/activate-service.ts',
  MoveOut: 'functions/staff/move-out.ts',
  TransferService: 'functions/staff/transfer-service.ts',
  StopService: 'functions/staff/stop-service.ts',
  ReopenAccount: 'functions/staff/reopen-account.ts',
  GetAccountOverview: 'functions/staff/get-account-overview.ts',
  AddAccountNote: 'functions/staff/add-account-note.ts',
  SearchAccounts: 'functions/staff/search-accounts.ts',
  CreateServiceOrder: 'functions/staff/create-service-order.ts',
  GetServiceOrder: 'functions/staff/get-service-order.ts',
  TransitionServiceOrder: 'functions/staff/transition-service-order.ts',
  ListMyServiceOrders: 'functions/portal/list-service-orders.ts',
  RequestServiceOrder: 'functions/portal/request-service-order.ts',
  UpdateCustomer: 'functions/staff/update-customer.ts',
  GetPremise: 'functions/staff/get-premise.ts',
  UpdateMyPreferences: 'functions/portal/update-my-preferences.ts',
  MakePayment: 'functions/portal/make-payment.ts',
  ListMyPayments: 'functions/portal/list-payments.ts',
  GetMyBalance: 'functions/portal/get-balance.ts',
  PostCounterPayment: 'functions/staff/post-payment.ts',
  ReturnPayment: 'functions/staff/return-payment.ts',
  RefundCredit: 'functions/staff/refund-credit.ts',
  GetLedger: 'functions/staff/get-ledger.ts',
  AdjustBalance: 'functions/staff/adjust-balance.ts',
  ListAdjustmentRequests: 'functions/staff/list-adjustment-requests.ts',
  DecideAdjustmentRequest: 'functions/staff/decide-adjustment-request.ts',
  ListServiceOrders: 'functions/staff/list-service-orders.ts',
  ReverseEntry: 'functions/staff/reverse-entry.ts',
  CreateArrangement: 'functions/staff/create-arrangement.ts',
  CancelArrangement: 'functions/staff/cancel-arrangement.ts',
  GetMyArrangement: 'functions/portal/get-arrangement.ts',
  RequestMyArrangement: 'functions/portal/request-arrangement.ts',
  ListMyArrangementRequests: 'functions/portal/list-arrangement-requests.ts',
  ListArrangementRequests: 'functions/staff/list-arrangement-requests.ts',
  DecideArrangementRequest: 'functions/staff/decide-arrangement-request.ts',
  GetMyPreferences: 'functions/portal/get-my-preferences.ts',
  OpenDispute: 'functions/staff/open-dispute.ts',
  CloseDispute: 'functions/staff/close-dispute.ts',
  AssessLateFees: 'functions/staff/assess-late-fees.ts',
  ListDeposits: 'functions/staff/list-deposits.ts',
  RequireDeposit: 'functions/staff/require-deposit.ts',
  RefundDeposit: 'functions/staff/refund-deposit.ts',
  AccrueDepositInterest: 'functions/staff/accrue-deposit-interest.ts',
  GetMyDeposits: 'functions/portal/get-deposits.ts',
  GetBudget: 'functions/staff/get-budget.ts',
  ChangeBudget: 'functions/staff/change-budget.ts',
  GetMyBudget: 'functions/portal/get-budget.ts',
  ChangeMyBudget: 'functions/portal/change-budget.ts',
  TransferBalance: 'functions/staff/transfer-balance.ts',
  PaymentWebhook: 'functions/webhooks/payment-events.ts',
  EnrollMyAutopay: 'functions/portal/enroll-autopay.ts',
  CancelMyAutopay: 'functions/portal/cancel-autopay.ts',
  GetMyAutopay: 'functions/portal/get-autopay.ts',
  EnrollAutopay: 'functions/staff/enroll-autopay.ts',
  CancelAutopay: 'functions/staff/cancel-autopay.ts',
  RunAutopay: 'functions/staff/run-autopay.ts',
  ImportPaymentFile: 'functions/staff/import-payment-file.ts',
  GetPaymentFile: 'functions/staff/get-payment-file.ts',
  ListPaymentSuspense: 'functions/staff/list-payment-suspense.ts',
  ApplyPaymentSuspense: 'functions/staff/apply-payment-suspense.ts',
};
const ROUTES: Record<string, string> = {
  'GET /staff/accounts': 'ListAccounts',
  'GET /staff/accounts/{accountId}': 'GetAccount',
  'POST /staff/billing-runs': 'StartBillingRun',
  'PUT /staff/tariffs/{tariffId}': 'PutTariff',
  'GET /staff/billing-runs/{runId}': 'GetBillingRun',
  'GET /staff/billing-runs': 'ListBillingRuns',
  'GET /staff/billing-cycles': 'ListBillingCycles',
  'PUT /staff/billing-cycles/{cycle}': 'PutBillingCycle',
  'POST /staff/accounts/{accountId}/bills/{billId}/rebill': 'RebillBill',
  'POST /staff/tariffs/{tariffId}/corrections': 'CorrectTariff',
  'GET /portal/accounts': 'ListMyAccounts',
  'GET /portal/accounts/{accountId}/bills': 'ListBills',
  'GET /portal/accounts/{accountId}/usage': 'GetUsage',
  'GET /portal/accounts/{accountId}/usage/greenbutton': 'GetGreenButton',
  'GET /portal/accounts/{accountId}/bills/{billId}/document': 'GetMyBillDocument',
  'GET /staff/accounts/{accountId}/bills/{billId}/document': 'GetBillDocument',
  'GET /staff/read-exceptions': 'ListReadExceptions',
  'GET /staff/bill-exceptions': 'ListBillExceptions',
  'POST /staff/bill-exceptions/{billId}': 'ResolveBillException',
  'POST /staff/read-exceptions/{meterId}/{exceptionId}': 'ResolveReadException',
  'POST /staff/meters/{meterId}/reads': 'EnterManualReads',
  'POST /staff/meter-reads/uploads': 'UploadReads',
  'POST /staff/premises': 'CreatePremise',
  'POST /staff/meters': 'RegisterMeter',
  'POST /staff/service-applications': 'ApplyForService',
  'POST /staff/move-ins': 'MoveIn',
  'POST /staff/accounts/{accountId}/activation': 'ActivateService',
  'POST /staff/accounts/{accountId}/move-out': 'MoveOut',
  'POST /staff/accounts/{accountId}/transfer': 'TransferService',
  'POST /staff/accounts/{accountId}/stop': 'StopService',
  'POST /staff/accounts/{accountId}/reopen': 'ReopenAccount',
  'GET /staff/accounts/{accountId}/overview': 'GetAccountOverview',
  'POST /staff/accounts/{accountId}/notes': 'AddAccountNote',
  'GET /staff/search': 'SearchAccounts',
  'POST /staff/service-orders': 'CreateServiceOrder',
  'GET /staff/service-orders/{orderId}': 'GetServiceOrder',
  'POST /staff/service-orders/{orderId}/transitions': 'TransitionServiceOrder',
  'GET /portal/accounts/{accountId}/service-orders': 'ListMyServiceOrders',
  'POST /portal/accounts/{accountId}/service-orders': 'RequestServiceOrder',
  'PATCH /staff/customers/{customerId}': 'UpdateCustomer',
  'GET /staff/premises/{premiseId}': 'GetPremise',
  'POST /portal/accounts/{accountId}/payments': 'MakePayment',
  'GET /portal/accounts/{accountId}/payments': 'ListMyPayments',
  'GET /portal/accounts/{accountId}/balance': 'GetMyBalance',
  'POST /staff/accounts/{accountId}/payments': 'PostCounterPayment',
  'POST /staff/payments/{paymentId}/return': 'ReturnPayment',
  'POST /staff/accounts/{accountId}/refunds': 'RefundCredit',
  'GET /staff/accounts/{accountId}/ledger': 'GetLedger',
  'POST /staff/accounts/{accountId}/adjustments': 'AdjustBalance',
  'GET /staff/adjustment-requests': 'ListAdjustmentRequests',
  'POST /staff/adjustment-requests/{accountId}/{requestId}/decision': 'DecideAdjustmentRequest',
  'GET /staff/service-orders': 'ListServiceOrders',
  'POST /staff/accounts/{accountId}/ledger/{entryId}/reversal': 'ReverseEntry',
  'POST /staff/accounts/{accountId}/arrangements': 'CreateArrangement',
  'POST /staff/accounts/{accountId}/arrangements/{arrangementId}/cancel': 'CancelArrangement',
  'GET /portal/accounts/{accountId}/arrangement': 'GetMyArrangement',
  'POST /portal/accounts/{accountId}/arrangement-requests': 'RequestMyArrangement',
  'GET /portal/accounts/{accountId}/arrangement-requests': 'ListMyArrangementRequests',
  'GET /staff/arrangement-requests': 'ListArrangementRequests',
  'POST /staff/arrangement-requests/{accountId}/{requestId}/decision': 'DecideArrangementRequest',
  'POST /staff/accounts/{accountId}/disputes': 'OpenDispute',
  'POST /staff/accounts/{accountId}/disputes/{disputeId}/close': 'CloseDispute',
  'POST /staff/accounts/{accountId}/late-fees': 'AssessLateFees',
  'GET /staff/accounts/{accountId}/deposits': 'ListDeposits',
  'POST /staff/accounts/{accountId}/deposits': 'RequireDeposit',
  'POST /staff/accounts/{accountId}/deposits/{depositId}/refund': 'RefundDeposit',
  'POST /staff/deposits/interest': 'AccrueDepositInterest',
  'GET /portal/accounts/{accountId}/deposits': 'GetMyDeposits',
  'GET /staff/accounts/{accountId}/budget': 'GetBudget',
  'POST /staff/accounts/{accountId}/budget': 'ChangeBudget',
  'GET /portal/accounts/{accountId}/budget': 'GetMyBudget',
  'POST /portal/accounts/{accountId}/budget': 'ChangeMyBudget',
  'POST /staff/accounts/{accountId}/transfer-balance': 'TransferBalance',
  'POST /webhooks/payments': 'PaymentWebhook',
  'PUT /portal/accounts/{accountId}/autopay': 'EnrollMyAutopay',
  'DELETE /portal/accounts/{accountId}/autopay': 'CancelMyAutopay',
  'GET /portal/accounts/{accountId}/autopay': 'GetMyAutopay',
  'PUT /staff/accounts/{accountId}/autopay': 'EnrollAutopay',
  'DELETE /staff/accounts/{accountId}/autopay': 'CancelAutopay',
  'POST /staff/autopay-runs': 'RunAutopay',
  'POST /staff/payment-files': 'ImportPaymentFile',
  'GET /staff/payment-files/{fileId}': 'GetPaymentFile',
  'GET /staff/payment-suspense': 'ListPaymentSuspense',
  'POST /staff/payment-suspense/{fileId}/{ref}/apply': 'ApplyPaymentSuspense',
  'PATCH /portal/preferences': 'UpdateMyPreferences',
  'GET /portal/preferences': 'GetMyPreferences',
  'POST /staff/accounts/{accountId}/medical-certificates': 'RecordMedicalCertificate',
  'GET /staff/accounts/{accountId}/medical-certificates': 'ListMedicalCertificates',
  'PUT /staff/accounts/{accountId}/collections-profile': 'PutCollectionsProfile',
  'PUT /staff/weather/{region}/{date}': 'PutWeather',
  'GET /staff/weather/{region}/{date}': 'GetWeather',
  'POST /staff/collections-runs': 'StartCollectionsRun',
  'GET /staff/collections/worklist': 'GetCollectionsWorklist',
  'GET /staff/accounts/{accountId}/collections': 'GetAccountCollections',
  'GET /portal/accounts/{accountId}/notices': 'ListMyNotices',
};
/** The functions outside the API, by logical id, and the API's functions. */
const TASK_FUNCTIONS = ['ValidateReads', 'PlanSegments', 'BillSegment', 'FinalizeRun', 'ScheduledRuns', 'PlanCollections', 'EvaluateSegment', 'FinalizeCollections'];
const API_FUNCTIONS = ['StaffReadRoutes', 'StaffWriteRoutes', 'PortalReadRoutes', 'PortalWriteRoutes', 'WebhooksWriteRoutes', 'StartBillingRun', 'StartCollectionsRun', 'PaymentFileRoutes'];
const READ_ONLY = ['ListAccounts', 'ListBillingCycles', 'GetAccount', 'GetBillingRun', 'ListBillingRuns', 'ListMyAccounts', 'ListBills', 'GetUsage', 'GetGreenButton', 'ListReadExceptions', 'GetAccountOverview', 'SearchAccounts', 'GetServiceOrder', 'ListMyServiceOrders', 'GetPremise', 'ListMyPayments', 'GetMyBalance', 'GetLedger', 'GetMyArrangement', 'GetMyBillDocument', 'GetBillDocument', 'ListDeposits', 'GetMyDeposits', 'GetBudget', 'GetMyBudget', 'ListMedicalCertificates', 'GetWeather', 'GetCollectionsWorklist', 'GetAccountCollections', 'ListMyNotices', 'GetMyAutopay', 'GetPaymentFile', 'ListPaymentSuspense', 'ListAdjustmentRequests', 'ListServiceOrders', 'ListMyArrangementRequests', 'ListArrangementRequests', 'GetMyPreferences'];
const WRITERS = ['ValidateReads', 'RebillBill', 'CorrectTariff', 'PutBillingCycle', 'ScheduledRuns', 'ResolveReadException', 'EnterManualReads', 'UploadReads', 'StartBillingRun', 'PutTariff', 'PlanSegments', 'BillSegment', 'FinalizeRun', 'CreatePremise', 'RegisterMeter', 'ApplyForService', 'MoveIn', 'ActivateService', 'MoveOut', 'TransferService', 'StopService', 'ReopenAccount', 'AddAccountNote', 'CreateServiceOrder', 'TransitionServiceOrder', 'RequestServiceOrder', 'UpdateCustomer', 'UpdateMyPreferences', 'MakePayment', 'PostCounterPayment', 'ReturnPayment', 'RefundCredit', 'PaymentWebhook', 'AdjustBalance', 'ReverseEntry', 'CreateArrangement', 'CancelArrangement', 'OpenDispute', 'CloseDispute', 'AssessLateFees', 'RequireDeposit', 'RefundDeposit', 'AccrueDepositInterest', 'ChangeBudget', 'ChangeMyBudget', 'TransferBalance', 'RecordMedicalCertificate', 'PutCollectionsProfile', 'PutWeather', 'StartCollectionsRun', 'PlanCollections', 'EvaluateSegment', 'FinalizeCollections', 'EnrollMyAutopay', 'CancelMyAutopay', 'EnrollAutopay', 'CancelAutopay', 'RunAutopay', 'ImportPaymentFile', 'ApplyPaymentSuspense', 'DecideAdjustmentRequest', 'RequestMyArrangement', 'DecideArrangementRequest'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

type Resource = CfnTemplateJson['Resources'][string];
type Json = Record<string, any>;

let json: CfnTemplateJson;
let template: Template;
let configured: Template;
let configuredJson: CfnTemplateJson;

beforeAll(() => {
  json = synthesizeTemplate({ skipBundling: true });
  template = Template.fromJSON(json);
  configuredJson = synthesizeTemplate({
    skipBundling: true,
    context: { deletionProtection: 'false', billingSegments: '7', utilityTimezone: 'America/Chicago', alarmEmail: 'ops@example.com', returnedPaymentFee: '30', paymentProvider: 'sandbox', paymentWebhookSecret: 'configured-webhook-secret', arrangementGraceDays: '7', lateFeeMethod: 'flat', lateFeeFlat: '7.5', lateFeeCap: 'none', billDueDays: '14', billMaxTotal: '5000', billMissingReads: 'hold', billMaxEstimated: '3', veeOverrides: '{"water/IRR": {"spikeFactor": 40, "actions": {"zero-consumption": "off"}}, "gas": {"maxAgeDays": 180}}', depositPolicy: '{"requireWithoutHistory": true, "annualInterestPercent": "1.5"}', achOriginator: '{"immediateDestination":"121042882","immediateDestinationName":"ODFI","immediateOrigin":"1234567890","immediateOriginName":"UTILITY","companyId":"1234567890","companyName":"UTILITY","originatingDfi":"12104288"}', adjustmentApprovalLimit: '250', csrAdjustmentLimit: '40' },
  });
  configured = Template.fromJSON(configuredJson);
});

const resource = (logicalId: string, source: CfnTemplateJson = json): Resource => {
  const found = source.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
};
const ofType = (type: string, source: CfnTemplateJson = json): Array<[string, Resource]> =>
  Object.entries(source.Resources).filter(([, r]) => r.Type === type);
const props = (r: Resource): Json => r.Properties as Json;

/** Statements of every IAM policy attached to a role (by the role's logical id). */
function statementsOfRole(roleId: string): Json[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => (props(policy).Roles as Json[]).some((role) => role['Ref'] === roleId))
    .flatMap(([, policy]) => props(policy).PolicyDocument.Statement as Json[]);
}
/** The logical id of the function that runs a route id's handler (a task function's id is its own). */
function functionServing(id: string, source: CfnTemplateJson = json): string {
  if (TASK_FUNCTIONS.includes(id)) return id;
  const routeKey = Object.entries(ROUTES).find(([, routeId]) => routeId === id)?.[0];
  if (!routeKey) throw new Error(`no route ${id}`);
  const [, fn] = Object.entries(source.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function' && (r.Metadata?.['cis:routes'] as Record<string, string> | undefined)?.[routeKey] !== undefined) ?? [];
  const found = Object.entries(source.Resources).find(([, r]) => r === fn)?.[0];
  if (!found) throw new Error(`no function serves ${routeKey}`);
  return found;
}
/** The function (resource) that runs a route id's handler. */
const fnResource = (id: string, source: CfnTemplateJson = json): Resource => resource(functionServing(id, source), source);
/** Whether function `functionId` runs the handler of any of these route (or task function) ids. */
const serves = (functionId: string, ids: readonly string[], source: CfnTemplateJson = json): boolean => ids.some((id) => functionServing(id, source) === functionId);
const roleOfFunction = (id: string): string => props(fnResource(id)).Role['Fn::GetAtt'][0];
const actionsOf = (statement: Json): string[] => [statement.Action].flat();

describe('data table', () => {
  it('is the single table with PK/SK, GSI1 and GSI2 (ALL projection) and a TTL on expiresAt', () => {
    expect(ofType('AWS::DynamoDB::Table').map(([id]) => id)).toEqual(['DataTable']);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      GlobalSecondaryIndexes: ['GSI1', 'GSI2'].map((index) => ({
        IndexName: index,
        KeySchema: [
          { AttributeName: `${index}PK`, KeyType: 'HASH' },
          { AttributeName: `${index}SK`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is on-demand, encrypted, point-in-time recoverable, deletion protected and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('turns deletion protection off from context (table and user pool) but stays retained', () => {
    configured.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
    configured.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
    template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
  });
});

describe('meter read ingestion', () => {
  it('routes cis/meters/+/reads to ReadsQueue as the payload in base64 with its topic (any payload reaches the queue)', () => {
    const rules = ofType('AWS::IoT::TopicRule');
    expect(rules).toHaveLength(1);
    const payload = props(rules[0]![1]).TopicRulePayload as Json;
    expect(payload).toMatchObject({ Sql: "SELECT encode(*, 'base64') AS payload, topic() AS topic FROM 'cis/meters/+/reads'", AwsIotSqlVersion: '2016-03-23', RuleDisabled: false });
    expect(payload.Actions).toEqual([{ Sqs: { QueueUrl: { Ref: 'ReadsQueue' }, RoleArn: expect.any(Object), UseBase64: false } }]);
    expect(payload.ErrorAction).toBeDefined();

    const ruleRole = payload.Actions[0].Sqs.RoleArn['Fn::GetAtt'][0] as string;
    expect(props(resource(ruleRole)).AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'iot.amazonaws.com' });
    expect(statementsOfRole(ruleRole)).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': ['ReadsQueue', 'Arn'] } }),
    );
  });

  it('gives ReadsQueue a redrive policy to ReadsDeadLetterQueue after 3 receives', () => {
    expect(props(resource('ReadsQueue')).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['ReadsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 3,
    });
  });

  it('encrypts both queues, keeps dead letters 14 days and waits six function timeouts before redelivery', () => {
    for (const queue of ['ReadsQueue', 'ReadsDeadLetterQueue']) {
      expect(props(resource(queue)).SqsManagedSseEnabled).toBe(true);
    }
    expect(props(resource('ReadsDeadLetterQueue')).MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(props(resource('ReadsQueue')).VisibilityTimeout).toBe(6 * props(resource('ValidateReads')).Timeout);
  });

  it('has the bill delivery queue with its dead-letter queue, sent to only by the functions that post bills', () => {
    expect(props(resource('BillDeliveryQueue')).RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['BillDeliveryDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    const senders = ofType('AWS::IAM::Policy')
      .filter(([, policy]) => (props(policy).PolicyDocument.Statement as Json[]).some((statement) => actionsOf(statement).includes('sqs:SendMessage') && JSON.stringify(statement.Resource).includes('"BillDeliveryQueue"')))
      .flatMap(([, policy]) => (props(policy).Roles as Json[]).map((role) => role['Ref'] as string));
    expect(senders.sort()).toEqual([...new Set([roleOfFunction('BillSegment'), roleOfFunction('ResolveBillException'), roleOfFunction('RebillBill')])].sort());
    for (const id of ['BillSegment', 'ResolveBillException', 'RebillBill']) expect(props(fnResource(id)).Environment.Variables.BILL_DELIVERY_QUEUE_URL).toEqual({ Ref: 'BillDeliveryQueue' });
  });

  it('denies non-TLS access to both queues', () => {
    for (const queue of ['ReadsQueue', 'ReadsDeadLetterQueue']) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  it('sets VEE_OVERRIDES from the veeOverrides setting on every function that runs a meter-data handler, and only there', () => {
    const readsHandlers = ['ValidateReads', 'ListReadExceptions', 'ResolveReadException', 'EnterManualReads', 'UploadReads'];
    const readsFunctions = [...new Set(readsHandlers.map((id) => functionServing(id)))];
    expect(readsFunctions.length).toBeGreaterThanOrEqual(3);
    const expected = { 'water/IRR': { spikeFactor: 40, actions: { 'zero-consumption': 'off' } }, gas: { maxAgeDays: 180 } };
    const variablesOf = (id: string, source: CfnTemplateJson) => (props(resource(id, source)).Environment?.Variables ?? {}) as Record<string, unknown>;
    for (const id of readsFunctions) {
      expect(JSON.parse(String(variablesOf(id, configuredJson)['VEE_OVERRIDES']))).toEqual(expected);
      expect(variablesOf(id, json)).not.toHaveProperty('VEE_OVERRIDES');
    }
    const others = ofType('AWS::Lambda::Function', configuredJson).filter(([id]) => !readsFunctions.includes(id));
    expect(others.length).toBeGreaterThan(3);
    for (const [id] of others) expect(variablesOf(id, configuredJson)).not.toHaveProperty('VEE_OVERRIDES');
  });

  it('gives the functions that run the bill document handlers, and only them, the utility profile', () => {
    const profile = { name: 'Springfield Water', addressLines: ['100 Main St', 'Springfield, PA 17001'], phone: '(555) 010-0100' };
    const configured = synthesizeTemplate({ skipBundling: true, context: { utilityProfile: JSON.stringify(profile) } });
    const documentFunctions = [...new Set(['GetMyBillDocument', 'GetBillDocument'].map((id) => functionServing(id, configured)))];
    const variablesOf = (id: string, source: CfnTemplateJson) => (props(resource(id, source)).Environment?.Variables ?? {}) as Record<string, unknown>;
    for (const id of documentFunctions) {
      expect(JSON.parse(String(variablesOf(id, configured)['UTILITY_PROFILE']))).toEqual(profile);
      expect(JSON.parse(String(variablesOf(id, json)['UTILITY_PROFILE']))).toEqual(PLACEHOLDER_UTILITY_PROFILE);
    }
    const others = ofType('AWS::Lambda::Function', configured).filter(([id]) => !documentFunctions.includes(id));
    expect(others.length).toBeGreaterThan(3);
    for (const [id] of others) expect(variablesOf(id, configured)).not.toHaveProperty('UTILITY_PROFILE');
  });

  it('sets DEPOSIT_POLICY from the depositPolicy setting on the functions that run the deposit and activation handlers, and only there', () => {
    const depositHandlers = ['ListDeposits', 'RequireDeposit', 'RefundDeposit', 'AccrueDepositInterest', 'GetMyDeposits', 'MoveIn', 'ActivateService', 'TransferService', 'ReopenAccount'];
    const depositFunctions = [...new Set(depositHandlers.map((id) => functionServing(id, configuredJson)))];
    const variablesOf = (id: string, source: CfnTemplateJson) => (props(resource(id, source)).Environment?.Variables ?? {}) as Record<string, unknown>;
    for (const id of depositFunctions) {
      expect(JSON.parse(String(variablesOf(id, configuredJson)['DEPOSIT_POLICY']))).toEqual({ requireWithoutHistory: true, annualInterestPercent: '1.5' });
      expect(variablesOf(id, json)).not.toHaveProperty('DEPOSIT_POLICY');
    }
    for (const [id] of ofType('AWS::Lambda::Function', configuredJson).filter(([id]) => !depositFunctions.includes(id))) expect(variablesOf(id, configuredJson)).not.toHaveProperty('DEPOSIT_POLICY');
  });

  it('takes veeOverrides as an object from cdk.json context too', () => {
    const object = synthesizeTemplate({ skipBundling: true, context: { veeOverrides: { electric: { maxAgeDays: 30 } } } });
    expect((props(resource('ValidateReads', object)).Environment.Variables as Record<string, unknown>)['VEE_OVERRIDES']).toBe('{"electric":{"maxAgeDays":30}}');
  });

  it('lets ValidateReads send the messages it rejects to ReadsDeadLetterQueue (URL in its environment)', () => {
    expect(props(resource('ValidateReads')).Environment.Variables.READS_DEAD_LETTER_QUEUE_URL).toEqual({ Ref: 'ReadsDeadLetterQueue' });
    expect(statementsOfRole(roleOfFunction('ValidateReads'))).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': ['ReadsDeadLetterQueue', 'Arn'] } }),
    );
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      if (id !== 'ValidateReads') expect(props(fn).Environment?.Variables ?? {}).not.toHaveProperty('READS_DEAD_LETTER_QUEUE_URL');
    }
  });

  it('feeds ValidateReads from ReadsQueue in batches of 10 with partial batch responses', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(props(mappings[0]![1])).toEqual({
      BatchSize: 10,
      EventSourceArn: { 'Fn::GetAtt': ['ReadsQueue', 'Arn'] },
      FunctionName: { Ref: 'ValidateReads' },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('billing state machine', () => {
  const machine = (): Json => props(resource('BillingCycle'));

  it('substitutes the three task function ARNs', () => {
    expect(ofType('AWS::StepFunctions::StateMachine').map(([id]) => id).sort()).toEqual(['BillingCycle', 'CollectionsDaily']);
    expect(machine().DefinitionSubstitutions).toEqual({
      PlanSegmentsFunctionArn: { 'Fn::GetAtt': ['PlanSegments', 'Arn'] },
      BillSegmentFunctionArn: { 'Fn::GetAtt': ['BillSegment', 'Arn'] },
      FinalizeRunFunctionArn: { 'Fn::GetAtt': ['FinalizeRun', 'Arn'] },
    });
  });

  it('keeps the definition inline and equal to the ASL file after substitution', () => {
    const asl = readFileSync(path.join(ROOT, 'stepfunctions/billing-cycle.asl.json'), 'utf8');
    const definition = machine().DefinitionString;
    expect(typeof definition).toBe('string');
    const substitutions = machine().DefinitionSubstitutions as Record<string, Json>;
    const substitute = (text: string): unknown =>
      JSON.parse(
        text.replace(/\$\{(\w+)\}/g, (match, name: string) => {
          const value = substitutions[name];
          return value ? `arn:aws:lambda:us-east-1:000000000000:function:${value['Fn::GetAtt'][0]}` : match;
        }),
      );
    const deployed = substitute(definition);
    expect(JSON.stringify(deployed)).not.toMatch(/\$\{/);
    expect(deployed).toEqual(substitute(asl));
  });

  it('logs ALL events without execution data and traces with X-Ray', () => {
    expect(machine()).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: expect.any(Object) } }] },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('may invoke exactly the three task functions and run its distributed Map children, without a dependency cycle', () => {
    const roleId = machine().RoleArn['Fn::GetAtt'][0] as string;
    const statements = statementsOfRole(roleId);
    const invoke = statements.filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.Resource).toEqual(['PlanSegments', 'BillSegment', 'FinalizeRun'].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: 'BillingCycle' } }));
    const children = statements.find((statement) => actionsOf(statement).includes('states:DescribeExecution'));
    expect(actionsOf(children!)).toEqual(expect.arrayContaining(['states:DescribeExecution', 'states:StopExecution']));
    expect(JSON.stringify(children!.Resource)).toContain('"Fn::GetAtt":["BillingCycle","Name"]');

    const dependsOn = [resource('BillingCycle').DependsOn ?? []].flat();
    const selfReferencing = ofType('AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(props(policy).PolicyDocument).includes('BillingCycle'));
    expect(selfReferencing.length).toBeGreaterThan(0);
    for (const [policyId] of selfReferencing) expect(dependsOn).not.toContain(policyId);
  });

  it('lets only StartBillingRun and the scheduler start executions, with the state machine ARN in their environment', () => {
    const starters = ofType('AWS::IAM::Policy').filter(([, policy]) =>
      (props(policy).PolicyDocument.Statement as Json[]).some(
        (statement) => actionsOf(statement).includes('states:StartExecution') && JSON.stringify(statement.Resource) === JSON.stringify({ Ref: 'BillingCycle' }),
      ),
    );
    const starterRoles = starters.flatMap(([, policy]) => (props(policy).Roles as Json[]).map((role) => role['Ref'] as string)).sort();
    expect(starterRoles).toEqual([roleOfFunction('StartBillingRun'), roleOfFunction('ScheduledRuns'), machine().RoleArn['Fn::GetAtt'][0]].sort());
    expect(props(fnResource('StartBillingRun')).Environment.Variables.STATE_MACHINE_ARN).toEqual({ Ref: 'BillingCycle' });
    expect(props(fnResource('ScheduledRuns')).Environment.Variables.STATE_MACHINE_ARN).toEqual({ Ref: 'BillingCycle' });
  });

  it('runs the scheduler every day at the configured hour (UTC), retrying a failed invocation', () => {
    expect(props(resource('BillingDailySchedule'))).toMatchObject({ ScheduleExpression: 'cron(0 13 * * ? *)', State: 'ENABLED', Targets: [{ Arn: { 'Fn::GetAtt': ['ScheduledRuns', 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } }] });
    const hour = synthesizeTemplate({ skipBundling: true, context: { billingScheduleHourUtc: '5' } });
    expect(props(resource('BillingDailySchedule', hour)).ScheduleExpression).toBe('cron(0 5 * * ? *)');
  });
});

describe('HTTP API', () => {
  const routes = (): Array<[string, Json]> => ofType('AWS::ApiGatewayV2::Route').map(([, route]) => [props(route).RouteKey as string, props(route)]);

  it('has exactly the contract routes, each integrated with its function', () => {
    const actual: Record<string, string> = {};
    for (const [routeKey, route] of routes()) {
      const integrationId = route.Target['Fn::Join'][1][1].Ref as string;
      const integration = props(resource(integrationId));
      expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      const functionId = integration.IntegrationUri['Fn::GetAtt'][0] as string;
      // The integrated function dispatches the route to the route's handler module.
      expect({ routeKey, entry: (resource(functionId).Metadata?.['cis:routes'] as Record<string, string>)[routeKey] }).toEqual({ routeKey, entry: FUNCTIONS[ROUTES[routeKey]!] });
      actual[routeKey] = ROUTES[routeKey]!;
    }
    expect(actual).toEqual(ROUTES);
  });

  it('protects every route but the signed payment webhook with the Cognito JWT authorizer', () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    const userPoolId = ofType('AWS::Cognito::UserPool')[0]![0];
    expect(props(authorizer)).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: userPoolId }]] },
      },
    });
    const audience = props(authorizer).JwtConfiguration.Audience as Json[];
    expect(audience).toEqual(ofType('AWS::Cognito::UserPoolClient').map(([id]) => ({ Ref: id })));
    expect(routes()).toHaveLength(Object.keys(ROUTES).length);
    for (const [routeKey, route] of routes()) {
      if (routeKey === 'POST /webhooks/payments') expect(route).toMatchObject({ AuthorizationType: 'NONE' });
      else expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
  });

  it('logs access on the throttled $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, Format: Match.stringLikeRegexp('\\$context\\.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });

  it('has a user pool without self sign-up, with a strong password policy, a mutable customerId and the staff groups', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: { MinimumLength: Match.anyValue(), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'customerId', AttributeDataType: 'String', Mutable: true })]),
    });
    const pool = props(ofType('AWS::Cognito::UserPool')[0]![1]);
    expect(pool.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, group]) => props(group).GroupName as string);
    expect(groups.sort()).toEqual(['admin', 'auditor', 'billing', 'csr']);
  });

  it('has app clients without a secret that can read but never write custom:customerId', () => {
    const clients = ofType('AWS::Cognito::UserPoolClient');
    expect(clients.length).toBeGreaterThanOrEqual(1);
    expect(json.Outputs?.['UserPoolClientId']?.Value).toEqual({ Ref: expect.stringMatching(/PortalClient/) });
    for (const [, client] of clients) {
      expect(props(client).GenerateSecret).toBe(false);
      expect(props(client).ReadAttributes).toContain('custom:customerId');
      expect(props(client).WriteAttributes).toBeDefined();
      expect(props(client).WriteAttributes).not.toContain('custom:customerId');
    }
  });
});

describe('alarms', () => {
  it('alarms on any message in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ReadsDeadLetterQueue', 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.anyValue() }],
    });
  });

  it('alarms on any failed billing run', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'BillingCycle' } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.anyValue() }],
    });
  });

  it('alarms on a billing run that finishes with failed accounts (the AccountsFailed metric FinalizeRun logs)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CIS/Billing',
      MetricName: 'AccountsFailed',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.anyValue() }],
    });
  });

  it('notifies a KMS-encrypted, TLS-only topic, with an e-mail subscription only when alarmEmail is set', () => {
    const topics = ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const [topicId, topic] = topics[0]!;
    expect(props(topic).KmsMasterKeyId).toBeDefined();
    for (const [, alarm] of ofType('AWS::CloudWatch::Alarm')) expect(props(alarm).AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    configured.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
  });
});

describe('functions', () => {
  const projectFunctions = (source: CfnTemplateJson = json) => ofType('AWS::Lambda::Function', source).filter(([, fn]) => fn.Metadata?.['cis:entry'] !== undefined);

  it('are the task functions and the API functions, which run exactly the contract handlers, each an existing module', () => {
    expect(projectFunctions().map(([id]) => id).sort()).toEqual([...TASK_FUNCTIONS, ...API_FUNCTIONS].sort());
    const handlers: Record<string, string> = {};
    for (const [id, fn] of projectFunctions()) {
      expect({ id, exists: existsSync(path.join(ROOT, fn.Metadata!['cis:entry'] as string)) }).toEqual({ id, exists: true });
      expect(fn.Metadata?.['cis:handler']).toBe('handler');
      const routes = fn.Metadata?.['cis:routes'] as Record<string, string> | undefined;
      if (TASK_FUNCTIONS.includes(id)) {
        expect(routes).toBeUndefined();
        handlers[id] = fn.Metadata!['cis:entry'] as string;
        continue;
      }
      // An API function's entry is its generated router, which imports the handler of each of its routes.
      const router = readFileSync(path.join(ROOT, fn.Metadata!['cis:entry'] as string), 'utf8');
      for (const [routeKey, entry] of Object.entries(routes ?? {})) {
        handlers[ROUTES[routeKey] ?? routeKey] = entry;
        expect({ id, routeKey, exists: existsSync(path.join(ROOT, entry)) }).toEqual({ id, routeKey, exists: true });
        expect(router).toContain(`from '../../${entry.replace(/\.ts$/, '')}';`);
        expect(router).toContain(`  ${JSON.stringify(routeKey)}: route`);
      }
    }
    expect(handlers).toEqual(FUNCTIONS);
    // No other (e.g. CDK-internal) functions in the stack.
    expect(ofType('AWS::Lambda::Function')).toHaveLength(TASK_FUNCTIONS.length + API_FUNCTIONS.length);
  });

  it('keep the stack well under the 500 resources CloudFormation allows', () => {
    expect(Object.keys(json.Resources).length).toBeLessThan(350);
  });

  it('run Node.js 24 on arm64, trace with X-Ray and log to their own log group', () => {
    for (const [, fn] of projectFunctions()) {
      expect(props(fn)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
      });
      const logGroup = resource(props(fn).LoggingConfig.LogGroup.Ref);
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(props(logGroup).RetentionInDays).toEqual(expect.any(Number));
    }
  });

  it('share TABLE_NAME and UTILITY_TIMEZONE; STATE_MACHINE_ARN and BILLING_SEGMENTS go only where needed', () => {
    for (const [id, fn] of projectFunctions()) {
      const variables = props(fn).Environment.Variables as Json;
      expect({ id, TABLE_NAME: variables.TABLE_NAME, UTILITY_TIMEZONE: variables.UTILITY_TIMEZONE }).toEqual({ id, TABLE_NAME: { Ref: 'DataTable' }, UTILITY_TIMEZONE: 'America/Denver' });
      expect('STATE_MACHINE_ARN' in variables).toBe(serves(id, ['StartBillingRun', 'ScheduledRuns']));
      expect('BILLING_SEGMENTS' in variables).toBe(id === 'PlanSegments');
      // No webhook secret unless the deployment sets one (the webhook then answers 503, never trusting a public secret).
      expect('PAYMENT_WEBHOOK_SECRET' in variables).toBe(false);
      expect('RETURNED_PAYMENT_FEE' in variables).toBe(serves(id, ['MakePayment', 'PostCounterPayment', 'ReturnPayment', 'PaymentWebhook', 'RunAutopay', 'ImportPaymentFile']));
      // No ACH settings unless the deployment gives them (autopay runs answer 503).
      expect('ACH_ORIGINATOR' in variables).toBe(false);
      expect('ARRANGEMENT_GRACE_DAYS' in variables).toBe(serves(id, ['CreateArrangement', 'CancelArrangement']));
      expect({ id, limit: 'ADJUSTMENT_APPROVAL_LIMIT' in variables }).toEqual({ id, limit: serves(id, ['AdjustBalance', 'ListAdjustmentRequests', 'DecideAdjustmentRequest']) });
    }
    expect(props(fnResource('DecideAdjustmentRequest')).Environment.Variables.ADJUSTMENT_APPROVAL_LIMIT).toBe('100.00');
    expect(props(fnResource('AdjustBalance', configuredJson)).Environment.Variables.ADJUSTMENT_APPROVAL_LIMIT).toBe('250');
    expect(props(fnResource('AdjustBalance')).Environment.Variables.ADJUSTMENT_CSR_LIMIT).toBe('25.00');
    expect(props(fnResource('AdjustBalance', configuredJson)).Environment.Variables.ADJUSTMENT_CSR_LIMIT).toBe('40');
    // The bill settings go to BillSegment; the due days also to the functions that run the bill exception and cycle handlers and the scheduler.
    for (const [id, fn] of projectFunctions()) {
      const variables = props(fn).Environment.Variables as Json;
      expect({ id, limits: 'BILL_MAX_TOTAL' in variables, dueDays: 'BILL_DUE_DAYS' in variables }).toEqual({ id, limits: serves(id, ['BillSegment', 'RebillBill']), dueDays: serves(id, ['BillSegment', 'RebillBill', 'ListBillExceptions', 'ResolveBillException', 'ListBillingCycles', 'PutBillingCycle', 'ScheduledRuns']) });
    }
    expect(props(resource('BillSegment')).Environment.Variables).toMatchObject({ BILL_DUE_DAYS: '21', BILL_HIGH_FACTOR: '3', BILL_LOW_FACTOR: '0.2', BILL_MIN_HISTORY: '3', BILL_MAX_TOTAL: '10000.00', BILL_MAX_ESTIMATED: '2', BILL_MISSING_READS: 'estimate' });
    expect(props(resource('BillSegment', configuredJson)).Environment.Variables).toMatchObject({ BILL_DUE_DAYS: '14', BILL_MAX_TOTAL: '5000', BILL_MAX_ESTIMATED: '3', BILL_MISSING_READS: 'hold' });
    for (const id of ['ResolveBillException', 'PutBillingCycle', 'ScheduledRuns']) expect(props(fnResource(id, configuredJson)).Environment.Variables).toMatchObject({ BILL_DUE_DAYS: '14' });
    expect(props(fnResource('CreateArrangement')).Environment.Variables.ARRANGEMENT_GRACE_DAYS).toBe('5');
    expect(props(fnResource('CreateArrangement', configuredJson)).Environment.Variables.ARRANGEMENT_GRACE_DAYS).toBe('7');
    for (const [id, fn] of projectFunctions()) expect({ id, lateFee: 'LATE_FEE_METHOD' in (props(fn).Environment.Variables as Json) }).toEqual({ id, lateFee: serves(id, ['AssessLateFees']) });
    expect(props(fnResource('AssessLateFees')).Environment.Variables).toMatchObject({ LATE_FEE_GRACE_DAYS: '5', LATE_FEE_METHOD: 'percent', LATE_FEE_FLAT: '5.00', LATE_FEE_PERCENT: '1.5', LATE_FEE_MINIMUM_PAST_DUE: '10.00', LATE_FEE_CAP: '25.00' });
    expect(props(fnResource('AssessLateFees', configuredJson)).Environment.Variables).toMatchObject({ LATE_FEE_METHOD: 'flat', LATE_FEE_FLAT: '7.5', LATE_FEE_CAP: 'none' });
    // No provider unless the deployment names one: portal payments answer 503 instead of taking sandbox tokens as money.
    expect(props(fnResource('ReturnPayment')).Environment.Variables).toMatchObject({ PAYMENT_PROVIDER: 'none', RETURNED_PAYMENT_FEE: '25.00' });
    expect(props(fnResource('MakePayment', configuredJson)).Environment.Variables).toMatchObject({ PAYMENT_PROVIDER: 'sandbox' });
    expect(props(fnResource('PaymentWebhook', configuredJson)).Environment.Variables).toMatchObject({ RETURNED_PAYMENT_FEE: '30', PAYMENT_WEBHOOK_SECRET: 'configured-webhook-secret' });
    for (const [id, fn] of projectFunctions(configuredJson)) expect({ id, secret: 'PAYMENT_WEBHOOK_SECRET' in (props(fn).Environment.Variables as Json) }).toEqual({ id, secret: serves(id, ['PaymentWebhook'], configuredJson) });
    // Autopay runs and file imports may take up to the HTTP API's 30 s, in a function of their own; other API functions 10 s.
    expect([props(fnResource('RunAutopay')).Timeout, props(fnResource('ImportPaymentFile')).Timeout, props(fnResource('PostCounterPayment')).Timeout]).toEqual([29, 29, 10]);
    for (const [id, fn] of projectFunctions(configuredJson)) expect({ id, ach: 'ACH_ORIGINATOR' in (props(fn).Environment.Variables as Json) }).toEqual({ id, ach: serves(id, ['RunAutopay'], configuredJson) });
    expect(JSON.parse(props(fnResource('RunAutopay', configuredJson)).Environment.Variables.ACH_ORIGINATOR)).toMatchObject({ originatingDfi: '12104288', entryDescription: 'UTILITYPMT' });
    expect(props(resource('PlanSegments')).Environment.Variables.BILLING_SEGMENTS).toBe('32');
    expect(props(resource('PlanSegments', configuredJson)).Environment.Variables).toMatchObject({ BILLING_SEGMENTS: '7', UTILITY_TIMEZONE: 'America/Chicago' });
  });

  it('have least-privilege table access: read-only handlers cannot write, and nobody may Scan or use dynamodb:*', () => {
    const tableActions = (functionId: string): string[] =>
      statementsOfRole(roleOfFunction(functionId))
        .filter((statement) => JSON.stringify(statement.Resource).includes('DataTable'))
        .flatMap(actionsOf);
    for (const id of READ_ONLY) {
      const actions = tableActions(id);
      expect({ id, query: actions.includes('dynamodb:Query') }).toEqual({ id, query: true });
      expect({ id, writes: actions.filter((action) => WRITE_ACTIONS.includes(action)) }).toEqual({ id, writes: [] });
    }
    for (const id of WRITERS) {
      expect({ id, actions: tableActions(id) }).toEqual({ id, actions: expect.arrayContaining(['dynamodb:Query', ...WRITE_ACTIONS]) });
    }
    const allActions = ofType('AWS::IAM::Policy').flatMap(([, policy]) => (props(policy).PolicyDocument.Statement as Json[]).flatMap(actionsOf));
    expect(allActions.filter((action) => action === 'dynamodb:*' || action === 'dynamodb:Scan' || action === '*')).toEqual([]);
  });

  it('use their own roles without AWS managed policies', () => {
    for (const [id, fn] of projectFunctions()) {
      const role = props(resource(props(fn).Role['Fn::GetAtt'][0]));
      expect({ id, managed: role.ManagedPolicyArns }).toEqual({ id, managed: undefined });
    }
  });

  it('resolve to local names with the local platform template reader', () => {
    const local = functionsOf(new LocalResolver(json as never, { sqsEndpoint: 'http://127.0.0.1:9324' }));
    expect([...local.keys()].sort()).toEqual([...TASK_FUNCTIONS, ...API_FUNCTIONS].sort());
    expect(local.get('StartBillingRun')?.environment).toMatchObject({
      TABLE_NAME: 'DataTable',
      UTILITY_TIMEZONE: 'America/Denver',
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:BillingCycle',
    });
    expect(local.get('ValidateReads')).toMatchObject({ entry: FUNCTIONS['ValidateReads'], handlerName: 'handler', timeoutSeconds: 30 });
  });
});

describe('outputs and configuration', () => {
  it('exports the values operators and the portal need', () => {
    expect(Object.keys(json.Outputs ?? {})).toEqual(
      expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'ReadsTopicFilter', 'StateMachineArn', 'TableName']),
    );
    expect(json.Outputs?.['ReadsTopicFilter']?.Value).toBe('cis/meters/+/reads');
    expect(json.Outputs?.['TableName']?.Value).toEqual({ Ref: 'DataTable' });
    expect(json.Outputs?.['StateMachineArn']?.Value).toEqual({ Ref: 'BillingCycle' });
  });

  it('keeps cdk.json offline-friendly and its context in line with the stack defaults', () => {
    const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as Json;
    expect(cdkJson).toMatchObject({ app: 'npx tsx bin/app.ts', notices: false });
    expect(cdkJsonContext(ROOT)).toMatchObject({ 'cli-telemetry': false, utilityTimezone: 'America/Denver', billingSegments: 32, deletionProtection: true });
  });

  it.each([
    [{ billingSegments: '0' }, /billingSegments must be a whole number from 1 to 1024/],
    [{ billingSegments: 'many' }, /context billingSegments must be a whole number/],
    [{ billingScheduleHourUtc: '24' }, /billingScheduleHourUtc must be a whole hour from 0 to 23/],
    [{ utilityTimezone: 'Mountain Time' }, /utilityTimezone must be an IANA time zone/],
    [{ deletionProtection: 'yes' }, /context deletionProtection must be true or false/],
    [{ alarmEmail: 'ops' }, /context alarmEmail must be an e-mail address/],
    [{ returnedPaymentFee: '25.005' }, /returnedPaymentFee must be a decimal amount/],
    [{ adjustmentApprovalLimit: '12.345' }, /adjustmentApprovalLimit must be a decimal amount/],
    [{ adjustmentApprovalLimit: '-5' }, /adjustmentApprovalLimit must be a decimal amount/],
    [{ csrAdjustmentLimit: '1.234' }, /csrAdjustmentLimit must be a decimal amount/],
    [{ csrAdjustmentLimit: '150' }, /csrAdjustmentLimit 150 is above adjustmentApprovalLimit 100.00/],
    [{ paymentWebhookSecret: 'short' }, /paymentWebhookSecret must be at least 16 characters/],
    [{ paymentProvider: 'stripe' }, /paymentProvider must be "none" or "sandbox"/],
    [{ arrangementGraceDays: '400' }, /arrangementGraceDays must be a whole number of days from 0 to 365/],
    [{ lateFeeMethod: 'daily' }, /lateFeeMethod must be "flat" or "percent"/],
    [{ lateFeePercent: '150' }, /lateFeePercent must be a percent from 0 to 100/],
    [{ lateFeeCap: '-1' }, /lateFeeCap must be a decimal amount/],
    [{ lateFeeMinimumPastDue: '1.001' }, /lateFeeMinimumPastDue must be a decimal amount/],
    [{ billMissingReads: 'guess' }, /billMissingReads: must be "estimate", "hold" or "fail"/],
    [{ billHighFactor: '0.5' }, /highFactor must be greater than 1/],
    [{ billLowFactor: '1' }, /billLowFactor: lowFactor must be at least 0 and less than 1/],
    [{ billMaxTotal: 'lots' }, /billMaxTotal: must be a decimal amount/],
    [{ billDueDays: '400' }, /billDueDays: must be a whole number of days from 0 to 365/],
    [{ billMinHistory: 'x' }, /context billMinHistory must be a whole number/],
    [{ veeOverrides: 'spike 40' }, /context veeOverrides must be a JSON object/],
    [{ veeOverrides: '["water"]' }, /context veeOverrides must be a JSON object/],
    [{ veeOverrides: '{"steam": {}}' }, /veeOverrides: steam: keys are "electric", "water", "gas" or "<type>\/<rate class>"/],
    [{ veeOverrides: '{"water": {"spikeFactor": -1}}' }, /veeOverrides: water.spikeFactor: /],
    [{ veeOverrides: { gas: { maxAgeDays: 0 } } }, /veeOverrides: gas.maxAgeDays: /],
    [{ utilityProfile: 'Springfield Water' }, /context utilityProfile must be a JSON object/],
    [{ utilityProfile: { name: 'Springfield Water', addressLines: [], phone: '555' } }, /utilityProfile: addressLines: needs at least one line/],
    [{ utilityProfile: { name: 'Springfield Water', addressLines: ['1 Main St'], phone: '555', logo: 'x' } }, /utilityProfile: \(root\): Unrecognized key: "logo"/],
    [{ depositPolicy: 'two months' }, /context depositPolicy must be a JSON object/],
    [{ depositPolicy: '{"annualInterestPercent": 2}' }, /depositPolicy: annualInterestPercent: /],
    [{ depositPolicy: { classes: { HOTEL: { months: '2', cap: '100' } } } }, /depositPolicy: classes/],
    [{ achOriginator: '{"immediateDestination":"121042883","immediateDestinationName":"ODFI","immediateOrigin":"1","immediateOriginName":"U","companyId":"1","companyName":"U","originatingDfi":"12104288"}' }, /achOriginator: immediateDestination: /],
  ])('rejects bad context %j with a message naming the setting', (context, message) => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cis-infra-test-'));
    try {
      expect(() => createApp({ skipBundling: true, context, outdir })).toThrow(message);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('collections workflow', () => {
  it('substitutes its three task functions and is started daily by an EventBridge schedule rule', () => {
    expect(props(resource('CollectionsDaily')).DefinitionSubstitutions).toEqual({
      PlanCollectionsFunctionArn: { 'Fn::GetAtt': ['PlanCollections', 'Arn'] },
      EvaluateSegmentFunctionArn: { 'Fn::GetAtt': ['EvaluateSegment', 'Arn'] },
      FinalizeCollectionsFunctionArn: { 'Fn::GetAtt': ['FinalizeCollections', 'Arn'] },
    });
    const rule = props(resource('CollectionsDailySchedule'));
    expect(rule.ScheduleExpression).toBe('cron(0 12 * * ? *)');
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: 'CollectionsDaily' } })]);
  });

  it('gives every collections function the policy pack and the run route the state machine', () => {
    for (const id of ['PlanCollections', 'EvaluateSegment', 'FinalizeCollections', 'RecordMedicalCertificate', 'GetAccountCollections', 'ListMyNotices']) {
      expect(props(fnResource(id)).Environment.Variables).toMatchObject({ COLLECTIONS_POLICY_PACK: 'us-pa-52-ch56', COLLECTIONS_WEATHER_REGION: 'default' });
    }
    expect(props(fnResource('StartCollectionsRun')).Environment.Variables).toMatchObject({ COLLECTIONS_STATE_MACHINE_ARN: { Ref: 'CollectionsDaily' } });
    // Only the run route's own function may start the collections state machine.
    const starters = ofType('AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(props(policy).PolicyDocument).includes('"states:StartExecution"') && JSON.stringify(props(policy).PolicyDocument).includes('"Ref":"CollectionsDaily"'));
    const roles = starters.flatMap(([, policy]) => (props(policy).Roles as Json[]).map((role) => role['Ref'] as string));
    expect(roles).toContain(roleOfFunction('StartCollectionsRun'));
    expect(roles).not.toContain(props(resource('StaffWriteRoutes')).Role['Fn::GetAtt'][0]);
  });

  it('takes the pack, region and hour from context and refuses an unknown pack', () => {
    const other = synthesizeTemplate({ skipBundling: true, context: { collectionsPolicyPack: 'us-tx-16tac-25.29-electric', collectionsWeatherRegion: 'tx-north', collectionsScheduleHourUtc: '11' } });
    expect(props(other.Resources['EvaluateSegment']!).Environment.Variables).toMatchObject({ COLLECTIONS_POLICY_PACK: 'us-tx-16tac-25.29-electric', COLLECTIONS_WEATHER_REGION: 'tx-north' });
    expect(props(other.Resources['CollectionsDailySchedule']!).ScheduleExpression).toBe('cron(0 11 * * ? *)');
    expect(() => synthesizeTemplate({ skipBundling: true, context: { collectionsPolicyPack: 'us-zz-nowhere' } })).toThrow(/collectionsPolicyPack must be one of/);
  });
});
