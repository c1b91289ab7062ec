import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { cdkJsonContext, createApp, synthesizeTemplate, type CfnTemplateJson } from '../../lib/app';
import { functionsOf, LocalResolver } from '../../shared/local/template';

const ROOT = path.resolve(__dirname, '../..');

/** The contract's function table: logical id -> handler entry. */
const FUNCTIONS: Record<string, string> = {
  ValidateReads: 'functions/ingest/validate-reads.ts',
  ListAccounts: 'functions/staff/list-accounts.ts',
  GetAccount: 'functions/staff/get-account.ts',
  StartBillingRun: 'functions/staff/start-billing-run.ts',
  PutTariff: 'functions/staff/put-tariff.ts',
  GetBillingRun: 'functions/staff/get-billing-run.ts',
  ListMyAccounts: 'functions/portal/list-my-accounts.ts',
  ListBills: 'functions/portal/list-bills.ts',
  GetUsage: 'functions/portal/get-usage.ts',
  GetGreenButton: 'functions/portal/get-green-button.ts',
  ListReadExceptions: 'functions/staff/list-read-exceptions.ts',
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
  ReverseEntry: 'functions/staff/reverse-entry.ts',
  CreateArrangement: 'functions/staff/create-arrangement.ts',
  CancelArrangement: 'functions/staff/cancel-arrangement.ts',
  GetMyArrangement: 'functions/portal/get-arrangement.ts',
  OpenDispute: 'functions/staff/open-dispute.ts',
  CloseDispute: 'functions/staff/close-dispute.ts',
  AssessLateFees: 'functions/staff/assess-late-fees.ts',
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
  'GET /portal/accounts': 'ListMyAccounts',
  'GET /portal/accounts/{accountId}/bills': 'ListBills',
  'GET /portal/accounts/{accountId}/usage': 'GetUsage',
  'GET /portal/accounts/{accountId}/usage/greenbutton': 'GetGreenButton',
  'GET /staff/read-exceptions': 'ListReadExceptions',
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
  'POST /staff/accounts/{accountId}/ledger/{entryId}/reversal': 'ReverseEntry',
  'POST /staff/accounts/{accountId}/arrangements': 'CreateArrangement',
  'POST /staff/accounts/{accountId}/arrangements/{arrangementId}/cancel': 'CancelArrangement',
  'GET /portal/accounts/{accountId}/arrangement': 'GetMyArrangement',
  'POST /staff/accounts/{accountId}/disputes': 'OpenDispute',
  'POST /staff/accounts/{accountId}/disputes/{disputeId}/close': 'CloseDispute',
  'POST /staff/accounts/{accountId}/late-fees': 'AssessLateFees',
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
};
const READ_ONLY = ['ListAccounts', 'GetAccount', 'GetBillingRun', 'ListMyAccounts', 'ListBills', 'GetUsage', 'GetGreenButton', 'ListReadExceptions', 'GetAccountOverview', 'SearchAccounts', 'GetServiceOrder', 'ListMyServiceOrders', 'GetPremise', 'ListMyPayments', 'GetMyBalance', 'GetLedger', 'GetMyArrangement', 'GetMyAutopay', 'GetPaymentFile', 'ListPaymentSuspense'];
const WRITERS = ['ValidateReads', 'ResolveReadException', 'EnterManualReads', 'UploadReads', 'StartBillingRun', 'PutTariff', 'PlanSegments', 'BillSegment', 'FinalizeRun', 'CreatePremise', 'RegisterMeter', 'ApplyForService', 'MoveIn', 'ActivateService', 'MoveOut', 'TransferService', 'StopService', 'ReopenAccount', 'AddAccountNote', 'CreateServiceOrder', 'TransitionServiceOrder', 'RequestServiceOrder', 'UpdateCustomer', 'UpdateMyPreferences', 'MakePayment', 'PostCounterPayment', 'ReturnPayment', 'RefundCredit', 'PaymentWebhook', 'AdjustBalance', 'ReverseEntry', 'CreateArrangement', 'CancelArrangement', 'OpenDispute', 'CloseDispute', 'AssessLateFees', 'EnrollMyAutopay', 'CancelMyAutopay', 'EnrollAutopay', 'CancelAutopay', 'RunAutopay', 'ImportPaymentFile', 'ApplyPaymentSuspense'];
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
    context: { deletionProtection: 'false', billingSegments: '7', utilityTimezone: 'America/Chicago', alarmEmail: 'ops@example.com', returnedPaymentFee: '30', paymentProvider: 'sandbox', paymentWebhookSecret: 'configured-webhook-secret', arrangementGraceDays: '7', lateFeeMethod: 'flat', lateFeeFlat: '7.5', lateFeeCap: 'none', veeOverrides: '{"water/IRR": {"spikeFactor": 40, "actions": {"zero-consumption": "off"}}, "gas": {"maxAgeDays": 180}}', achOriginator: '{"immediateDestination":"121042882","immediateDestinationName":"ODFI","immediateOrigin":"1234567890","immediateOriginName":"UTILITY","companyId":"1234567890","companyName":"UTILITY","originatingDfi":"12104288"}' },
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
const roleOfFunction = (functionId: string): string => props(resource(functionId)).Role['Fn::GetAtt'][0];
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

  it('sets VEE_OVERRIDES from the veeOverrides setting on every meter-data function, and only there', () => {
    const readsFunctions = ['ValidateReads', 'ListReadExceptions', 'ResolveReadException', 'EnterManualReads', 'UploadReads'];
    const expected = { 'water/IRR': { spikeFactor: 40, actions: { 'zero-consumption': 'off' } }, gas: { maxAgeDays: 180 } };
    const variablesOf = (id: string, source: CfnTemplateJson) => (props(resource(id, source)).Environment?.Variables ?? {}) as Record<string, unknown>;
    for (const id of readsFunctions) {
      expect(JSON.parse(String(variablesOf(id, configuredJson)['VEE_OVERRIDES']))).toEqual(expected);
      expect(variablesOf(id, json)).not.toHaveProperty('VEE_OVERRIDES');
    }
    const others = ofType('AWS::Lambda::Function', configuredJson).filter(([id]) => !readsFunctions.includes(id));
    expect(others.length).toBeGreaterThan(10);
    for (const [id] of others) expect(variablesOf(id, configuredJson)).not.toHaveProperty('VEE_OVERRIDES');
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
    expect(ofType('AWS::StepFunctions::StateMachine').map(([id]) => id)).toEqual(['BillingCycle']);
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

  it('lets only StartBillingRun start executions, with the state machine ARN in its environment', () => {
    const starters = ofType('AWS::IAM::Policy').filter(([, policy]) =>
      (props(policy).PolicyDocument.Statement as Json[]).some(
        (statement) => actionsOf(statement).includes('states:StartExecution') && JSON.stringify(statement.Resource) === JSON.stringify({ Ref: 'BillingCycle' }),
      ),
    );
    const starterRoles = starters.flatMap(([, policy]) => (props(policy).Roles as Json[]).map((role) => role['Ref'] as string)).sort();
    expect(starterRoles).toEqual([roleOfFunction('StartBillingRun'), machine().RoleArn['Fn::GetAtt'][0]].sort());
    expect(props(resource('StartBillingRun')).Environment.Variables.STATE_MACHINE_ARN).toEqual({ Ref: 'BillingCycle' });
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
      actual[routeKey] = integration.IntegrationUri['Fn::GetAtt'][0];
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

  it('are exactly the contract functions, each with cis:entry pointing at an existing handler module', () => {
    const entries = Object.fromEntries(projectFunctions().map(([id, fn]) => [id, fn.Metadata?.['cis:entry']]));
    expect(entries).toEqual(FUNCTIONS);
    for (const [id, fn] of projectFunctions()) {
      expect({ id, exists: existsSync(path.join(ROOT, fn.Metadata!['cis:entry'] as string)) }).toEqual({ id, exists: true });
      expect(fn.Metadata?.['cis:handler']).toBe('handler');
    }
    // No other (e.g. CDK-internal) functions in the stack.
    expect(ofType('AWS::Lambda::Function')).toHaveLength(Object.keys(FUNCTIONS).length);
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
      expect('STATE_MACHINE_ARN' in variables).toBe(id === 'StartBillingRun');
      expect('BILLING_SEGMENTS' in variables).toBe(id === 'PlanSegments');
      // No webhook secret unless the deployment sets one (the webhook then answers 503, never trusting a public secret).
      expect('PAYMENT_WEBHOOK_SECRET' in variables).toBe(false);
      expect('RETURNED_PAYMENT_FEE' in variables).toBe(['MakePayment', 'PostCounterPayment', 'ReturnPayment', 'PaymentWebhook', 'RunAutopay', 'ImportPaymentFile'].includes(id));
      // No ACH settings unless the deployment gives them (autopay runs answer 503).
      expect('ACH_ORIGINATOR' in variables).toBe(false);
      expect('ARRANGEMENT_GRACE_DAYS' in variables).toBe(['CreateArrangement', 'CancelArrangement'].includes(id));
    }
    expect(props(resource('CreateArrangement')).Environment.Variables.ARRANGEMENT_GRACE_DAYS).toBe('5');
    expect(props(resource('CreateArrangement', configuredJson)).Environment.Variables.ARRANGEMENT_GRACE_DAYS).toBe('7');
    for (const [id, fn] of projectFunctions()) expect({ id, lateFee: 'LATE_FEE_METHOD' in (props(fn).Environment.Variables as Json) }).toEqual({ id, lateFee: id === 'AssessLateFees' });
    expect(props(resource('AssessLateFees')).Environment.Variables).toMatchObject({ LATE_FEE_GRACE_DAYS: '5', LATE_FEE_METHOD: 'percent', LATE_FEE_FLAT: '5.00', LATE_FEE_PERCENT: '1.5', LATE_FEE_MINIMUM_PAST_DUE: '10.00', LATE_FEE_CAP: '25.00' });
    expect(props(resource('AssessLateFees', configuredJson)).Environment.Variables).toMatchObject({ LATE_FEE_METHOD: 'flat', LATE_FEE_FLAT: '7.5', LATE_FEE_CAP: 'none' });
    // No provider unless the deployment names one: portal payments answer 503 instead of taking sandbox tokens as money.
    expect(props(resource('ReturnPayment')).Environment.Variables).toMatchObject({ PAYMENT_PROVIDER: 'none', RETURNED_PAYMENT_FEE: '25.00' });
    expect(props(resource('MakePayment', configuredJson)).Environment.Variables).toMatchObject({ PAYMENT_PROVIDER: 'sandbox' });
    expect(props(resource('PaymentWebhook', configuredJson)).Environment.Variables).toMatchObject({ RETURNED_PAYMENT_FEE: '30', PAYMENT_WEBHOOK_SECRET: 'configured-webhook-secret' });
    for (const [id, fn] of projectFunctions(configuredJson)) expect({ id, secret: 'PAYMENT_WEBHOOK_SECRET' in (props(fn).Environment.Variables as Json) }).toEqual({ id, secret: id === 'PaymentWebhook' });
    // Autopay runs and file imports may take up to the HTTP API's 30 s; other API functions 10 s.
    expect([props(resource('RunAutopay')).Timeout, props(resource('ImportPaymentFile')).Timeout, props(resource('PostCounterPayment')).Timeout]).toEqual([29, 29, 10]);
    for (const [id, fn] of projectFunctions(configuredJson)) expect({ id, ach: 'ACH_ORIGINATOR' in (props(fn).Environment.Variables as Json) }).toEqual({ id, ach: id === 'RunAutopay' });
    expect(JSON.parse(props(resource('RunAutopay', configuredJson)).Environment.Variables.ACH_ORIGINATOR)).toMatchObject({ originatingDfi: '12104288', entryDescription: 'UTILITYPMT' });
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
    for (const [id] of projectFunctions()) {
      const role = props(resource(roleOfFunction(id)));
      expect({ id, managed: role.ManagedPolicyArns }).toEqual({ id, managed: undefined });
    }
  });

  it('resolve to local names with the local platform template reader', () => {
    const local = functionsOf(new LocalResolver(json as never, { sqsEndpoint: 'http://127.0.0.1:9324' }));
    expect([...local.keys()].sort()).toEqual(Object.keys(FUNCTIONS).sort());
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
    [{ utilityTimezone: 'Mountain Time' }, /utilityTimezone must be an IANA time zone/],
    [{ deletionProtection: 'yes' }, /context deletionProtection must be true or false/],
    [{ alarmEmail: 'ops' }, /context alarmEmail must be an e-mail address/],
    [{ returnedPaymentFee: '25.005' }, /returnedPaymentFee must be a decimal amount/],
    [{ paymentWebhookSecret: 'short' }, /paymentWebhookSecret must be at least 16 characters/],
    [{ paymentProvider: 'stripe' }, /paymentProvider must be "none" or "sandbox"/],
    [{ arrangementGraceDays: '400' }, /arrangementGraceDays must be a whole number of days from 0 to 365/],
    [{ lateFeeMethod: 'daily' }, /lateFeeMethod must be "flat" or "percent"/],
    [{ lateFeePercent: '150' }, /lateFeePercent must be a percent from 0 to 100/],
    [{ lateFeeCap: '-1' }, /lateFeeCap must be a decimal amount/],
    [{ lateFeeMinimumPastDue: '1.001' }, /lateFeeMinimumPastDue must be a decimal amount/],
    [{ veeOverrides: 'spike 40' }, /context veeOverrides must be a JSON object/],
    [{ veeOverrides: '["water"]' }, /context veeOverrides must be a JSON object/],
    [{ veeOverrides: '{"steam": {}}' }, /veeOverrides: steam: keys are "electric", "water", "gas" or "<type>\/<rate class>"/],
    [{ veeOverrides: '{"water": {"spikeFactor": -1}}' }, /veeOverrides: water.spikeFactor: /],
    [{ veeOverrides: { gas: { maxAgeDays: 0 } } }, /veeOverrides: gas.maxAgeDays: /],
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
