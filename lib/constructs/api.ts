/**
 * The HTTP API for the customer portal and the staff console: Cognito user pool (staff roles
 * as groups, customers carry `custom:customerId`), a JWT authorizer on every route, and the
 * portal and staff functions behind it. The authorizer only validates the token; role checks
 * (403) are made by the handlers.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CisFunction, type CisFunctionProps, type SharedFunctionSettings } from './cis-function';
import type { DataTable } from './data-table';

/** Staff roles (Cognito groups); the handlers decide what each may do. */
export const STAFF_GROUPS = {
  csr: 'Customer service representatives: read and service customer accounts',
  billing: 'Billing staff: start and follow billing runs',
  admin: 'Administrators: configuration and user management',
  auditor: 'Auditors: read-only access including the audit trail',
} as const;

export interface CisApiProps {
  readonly shared: SharedFunctionSettings;
  readonly table: DataTable;
  readonly billingStateMachine: sfn.IStateMachine;
  /** Cognito deletion protection (the user pool holds every customer and staff identity). */
  readonly deletionProtection: boolean;
  readonly payments: PaymentSettings;
  /** Environment of the meter-data functions besides the shared one (VEE_OVERRIDES). */
  readonly readsEnvironment?: Record<string, string>;
}

export interface PaymentSettings {
  /** 'none': portal payments answer 503 until a provider adapter is configured. */
  readonly provider: 'none' | 'sandbox';
  /** Decimal string. */
  readonly returnedPaymentFee: string;
  /** Absent: the webhook route answers 503 until a secret is configured (never a well-known one in AWS). */
  readonly webhookSecret?: string;
  /** Days an arrangement installment may stay unpaid after its due date before the arrangement is broken. */
  readonly arrangementGraceDays: number;
  readonly lateFee: LateFeeSettings;
  /** The ACH origination settings as JSON (absent: autopay runs answer 503). */
  readonly achOriginator?: string;
}

/** The late-fee policy: grace days after the due date, flat or percent, minimum past due, cap per charge (decimal strings). */
export interface LateFeeSettings {
  readonly graceDays: number;
  readonly method: 'flat' | 'percent';
  readonly flat: string;
  readonly percent: string;
  readonly minimumPastDue: string;
  /** 'none' = no cap. */
  readonly cap: string;
}

interface RouteSpec {
  readonly id: string;
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
  readonly entry: string;
  readonly description: string;
  readonly access: 'read' | 'read-write';
  readonly environment?: CisFunctionProps['environment'];
  /** No user token: the handler authenticates the caller itself (the provider's signed webhook). */
  readonly publicRoute?: boolean;
  /** Longer than the 10 s default, up to the HTTP API's 30 s (autopay runs, bank-file imports). */
  readonly timeout?: Duration;
}

/** The ledger and payments (issue 6): payments, returns, refunds, balances, the ledger, the provider's webhook. */
function ledgerRoutes(payments: PaymentSettings): RouteSpec[] {
  const paymentEnv = { PAYMENT_PROVIDER: payments.provider, RETURNED_PAYMENT_FEE: payments.returnedPaymentFee };
  const arrangementEnv = { ARRANGEMENT_GRACE_DAYS: String(payments.arrangementGraceDays) };
  const { lateFee } = payments;
  const lateFeeEnv = { LATE_FEE_GRACE_DAYS: String(lateFee.graceDays), LATE_FEE_METHOD: lateFee.method, LATE_FEE_FLAT: lateFee.flat, LATE_FEE_PERCENT: lateFee.percent, LATE_FEE_MINIMUM_PAST_DUE: lateFee.minimumPastDue, LATE_FEE_CAP: lateFee.cap };
  return [
    { id: 'MakePayment', method: apigwv2.HttpMethod.POST, path: '/portal/accounts/{accountId}/payments', entry: 'functions/portal/make-payment.ts', description: 'Portal: the customer pays by card or bank through the payment provider', access: 'read-write', environment: paymentEnv },
    { id: 'ListMyPayments', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/payments', entry: 'functions/portal/list-payments.ts', description: 'Portal: payment history of one of the customer\'s accounts', access: 'read' },
    { id: 'GetMyBalance', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/balance', entry: 'functions/portal/get-balance.ts', description: 'Portal: balance, per service and aging of one of the customer\'s accounts', access: 'read' },
    { id: 'PostCounterPayment', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/payments', entry: 'functions/staff/post-payment.ts', description: 'Staff: posts a payment taken at the counter', access: 'read-write', environment: paymentEnv },
    { id: 'ReturnPayment', method: apigwv2.HttpMethod.POST, path: '/staff/payments/{paymentId}/return', entry: 'functions/staff/return-payment.ts', description: 'Staff: returns a payment (reversing entry and returned-payment fee)', access: 'read-write', environment: paymentEnv },
    { id: 'RefundCredit', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/refunds', entry: 'functions/staff/refund-credit.ts', description: 'Staff: refunds a credit balance', access: 'read-write' },
    { id: 'AdjustBalance', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/adjustments', entry: 'functions/staff/adjust-balance.ts', description: 'Staff: a debit or credit adjustment of an account', access: 'read-write' },
    { id: 'ReverseEntry', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/ledger/{entryId}/reversal', entry: 'functions/staff/reverse-entry.ts', description: 'Staff: reverses a fee, adjustment, refund, transfer or opening balance', access: 'read-write' },
    { id: 'CreateArrangement', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/arrangements', entry: 'functions/staff/create-arrangement.ts', description: 'Staff: a payment arrangement over the account\'s open charges', access: 'read-write', environment: arrangementEnv },
    { id: 'CancelArrangement', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/arrangements/{arrangementId}/cancel', entry: 'functions/staff/cancel-arrangement.ts', description: 'Staff: cancels an active payment arrangement', access: 'read-write', environment: arrangementEnv },
    { id: 'GetMyArrangement', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/arrangement', entry: 'functions/portal/get-arrangement.ts', description: 'Portal: the payment arrangement of one of the customer\'s accounts', access: 'read' },
    { id: 'OpenDispute', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/disputes', entry: 'functions/staff/open-dispute.ts', description: 'Staff: opens a dispute of charges (no late fee on the disputed amount)', access: 'read-write' },
    { id: 'CloseDispute', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/disputes/{disputeId}/close', entry: 'functions/staff/close-dispute.ts', description: 'Staff: closes a dispute with its resolution', access: 'read-write' },
    { id: 'AssessLateFees', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/late-fees', entry: 'functions/staff/assess-late-fees.ts', description: 'Staff: assesses the late fees of an account (one per bill, never on disputed or arranged amounts)', access: 'read-write', environment: lateFeeEnv },
    { id: 'GetLedger', method: apigwv2.HttpMethod.GET, path: '/staff/accounts/{accountId}/ledger', entry: 'functions/staff/get-ledger.ts', description: 'Staff: the ledger entries, balance and aging of an account', access: 'read' },
    { id: 'EnrollMyAutopay', method: apigwv2.HttpMethod.PUT, path: '/portal/accounts/{accountId}/autopay', entry: 'functions/portal/enroll-autopay.ts', description: 'Portal: the customer enrolls one of their accounts in autopay by ACH', access: 'read-write' },
    { id: 'CancelMyAutopay', method: apigwv2.HttpMethod.DELETE, path: '/portal/accounts/{accountId}/autopay', entry: 'functions/portal/cancel-autopay.ts', description: 'Portal: the customer cancels autopay of one of their accounts', access: 'read-write' },
    { id: 'GetMyAutopay', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/autopay', entry: 'functions/portal/get-autopay.ts', description: 'Portal: the autopay enrollment of one of the customer\'s accounts (last four digits)', access: 'read' },
    { id: 'EnrollAutopay', method: apigwv2.HttpMethod.PUT, path: '/staff/accounts/{accountId}/autopay', entry: 'functions/staff/enroll-autopay.ts', description: 'Staff: enrolls an account in autopay from a signed authorization', access: 'read-write' },
    { id: 'CancelAutopay', method: apigwv2.HttpMethod.DELETE, path: '/staff/accounts/{accountId}/autopay', entry: 'functions/staff/cancel-autopay.ts', description: 'Staff: cancels the autopay of an account', access: 'read-write' },
    { id: 'RunAutopay', method: apigwv2.HttpMethod.POST, path: '/staff/autopay-runs', entry: 'functions/staff/run-autopay.ts', description: 'Staff: debits enrolled accounts with a bill due on a day and makes the NACHA file', access: 'read-write', environment: { ...paymentEnv, ...(payments.achOriginator ? { ACH_ORIGINATOR: payments.achOriginator } : {}) }, timeout: Duration.seconds(29) },
    { id: 'ImportPaymentFile', method: apigwv2.HttpMethod.POST, path: '/staff/payment-files', entry: 'functions/staff/import-payment-file.ts', description: 'Staff: imports a BAI2, lockbox or NACHA returns file with its reconciliation report', access: 'read-write', environment: paymentEnv, timeout: Duration.seconds(29) },
    { id: 'ListPaymentSuspense', method: apigwv2.HttpMethod.GET, path: '/staff/payment-suspense', entry: 'functions/staff/list-payment-suspense.ts', description: 'Staff: credits of imported files that named no known account', access: 'read' },
    { id: 'ApplyPaymentSuspense', method: apigwv2.HttpMethod.POST, path: '/staff/payment-suspense/{fileId}/{ref}/apply', entry: 'functions/staff/apply-payment-suspense.ts', description: 'Staff: applies a suspense credit to an account as a payment', access: 'read-write' },
    { id: 'GetPaymentFile', method: apigwv2.HttpMethod.GET, path: '/staff/payment-files/{fileId}', entry: 'functions/staff/get-payment-file.ts', description: 'Staff: the reconciliation report of an imported payment file', access: 'read' },
    {
      id: 'PaymentWebhook',
      method: apigwv2.HttpMethod.POST,
      path: '/webhooks/payments',
      entry: 'functions/webhooks/payment-events.ts',
      description: 'Payment provider: signed events (returned payments)',
      access: 'read-write',
      environment: { ...paymentEnv, ...(payments.webhookSecret ? { PAYMENT_WEBHOOK_SECRET: payments.webhookSecret } : {}) },
      publicRoute: true,
    },
  ];
}

/** The customer record (issue 5): lifecycle workflows, service orders, overview, search, notes, portal orders. */
const CUSTOMER_RECORD_ROUTES: RouteSpec[] = (
  [
    ['CreatePremise', 'POST', '/staff/premises', 'functions/staff/create-premise.ts', 'Staff: creates a premise with its service points'],
    ['GetPremise', 'GET', '/staff/premises/{premiseId}', 'functions/staff/get-premise.ts', 'Staff: a premise with its service points, meters and holders', 'read'],
    ['RegisterMeter', 'POST', '/staff/meters', 'functions/staff/register-meter.ts', 'Staff: registers a meter in stock'],
    ['ApplyForService', 'POST', '/staff/service-applications', 'functions/staff/apply-for-service.ts', 'Staff: service application (address and duplicate checks)'],
    ['MoveIn', 'POST', '/staff/move-ins', 'functions/staff/move-in.ts', 'Staff: move-in (application and activation at once)'],
    ['ActivateService', 'POST', '/staff/accounts/{accountId}/activation', 'functions/staff/activate-service.ts', 'Staff: activates the pending services of an account'],
    ['MoveOut', 'POST', '/staff/accounts/{accountId}/move-out', 'functions/staff/move-out.ts', 'Staff: move-out with final reads and landlord fallback'],
    ['TransferService', 'POST', '/staff/accounts/{accountId}/transfer', 'functions/staff/transfer-service.ts', 'Staff: transfers service to another premise'],
    ['StopService', 'POST', '/staff/accounts/{accountId}/stop', 'functions/staff/stop-service.ts', 'Staff: stops service with turn-off orders'],
    ['ReopenAccount', 'POST', '/staff/accounts/{accountId}/reopen', 'functions/staff/reopen-account.ts', 'Staff: reopens a final account'],
    ['GetAccountOverview', 'GET', '/staff/accounts/{accountId}/overview', 'functions/staff/get-account-overview.ts', 'Staff: the whole account on one screen', 'read'],
    ['AddAccountNote', 'POST', '/staff/accounts/{accountId}/notes', 'functions/staff/add-account-note.ts', 'Staff: notes and interaction log'],
    ['SearchAccounts', 'GET', '/staff/search', 'functions/staff/search-accounts.ts', 'Staff: search by name, address, ids, phone, email', 'read'],
    ['CreateServiceOrder', 'POST', '/staff/service-orders', 'functions/staff/create-service-order.ts', 'Staff: creates a service order'],
    ['GetServiceOrder', 'GET', '/staff/service-orders/{orderId}', 'functions/staff/get-service-order.ts', 'Staff: one service order', 'read'],
    ['TransitionServiceOrder', 'POST', '/staff/service-orders/{orderId}/transitions', 'functions/staff/transition-service-order.ts', 'Staff: schedules, dispatches, completes or cancels an order'],
    ['ListMyServiceOrders', 'GET', '/portal/accounts/{accountId}/service-orders', 'functions/portal/list-service-orders.ts', 'Portal: service orders of the customer\'s account', 'read'],
    ['RequestServiceOrder', 'POST', '/portal/accounts/{accountId}/service-orders', 'functions/portal/request-service-order.ts', 'Portal: the customer requests a service order'],
    ['UpdateCustomer', 'PATCH', '/staff/customers/{customerId}', 'functions/staff/update-customer.ts', 'Staff: changes a customer\'s contacts and preferences'],
    ['UpdateMyPreferences', 'PATCH', '/portal/preferences', 'functions/portal/update-my-preferences.ts', 'Portal: the customer changes contacts and bill delivery'],
  ] as const
).map(([id, method, path, entry, description, access]) => ({ id, method: apigwv2.HttpMethod[method], path, entry, description, access: access ?? 'read-write' }));

export class CisApi extends Construct {
  readonly userPool: cognito.UserPool;
  readonly portalClient: cognito.UserPoolClient;
  readonly staffClient: cognito.UserPoolClient;
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly functions: Record<string, CisFunction> = {};

  constructor(scope: Construct, id: string, props: CisApiProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: false },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { customerId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: props.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason: 'One pool serves utility customers and staff; TOTP MFA is offered to everyone but cannot be forced on all customers of a utility portal. Operators can require it per deployment.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason: 'The Plus feature plan is billed per monthly active user (up to 100,000 customers per utility); threat protection is left as an opt-in for the deploying utility.',
      },
    );
    for (const [groupName, description] of Object.entries(STAFF_GROUPS)) {
      new cognito.CfnUserPoolGroup(this, `Group-${groupName}`, { userPoolId: this.userPool.userPoolId, groupName, description });
    }

    // Clients may read customerId but never write it: a customer who could change
    // custom:customerId could read another customer's account.
    const readAttributes = new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true, fullname: true, phoneNumber: true })
      .withCustomAttributes('customerId');
    const writeAttributes = new cognito.ClientAttributes().withStandardAttributes({ fullname: true, phoneNumber: true });
    const clientOptions: cognito.UserPoolClientOptions = {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes,
      writeAttributes,
    };
    this.portalClient = this.userPool.addClient('PortalClient', clientOptions);
    this.staffClient = this.userPool.addClient('StaffConsoleClient', { ...clientOptions, refreshTokenValidity: Duration.hours(12) });

    const accessLogGroup = new logs.LogGroup(this, 'AccessLogGroup', { retention: logs.RetentionDays.THREE_MONTHS });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'CIS portal and staff API',
      createDefaultStage: false,
      defaultAuthorizer: new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
        userPoolClients: [this.portalClient, this.staffClient],
      }),
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const routes: RouteSpec[] = [
      { id: 'ListAccounts', method: apigwv2.HttpMethod.GET, path: '/staff/accounts', entry: 'functions/staff/list-accounts.ts', description: 'Staff: lists customer accounts', access: 'read' },
      { id: 'GetAccount', method: apigwv2.HttpMethod.GET, path: '/staff/accounts/{accountId}', entry: 'functions/staff/get-account.ts', description: 'Staff: one account with its services, meters and balance', access: 'read' },
      {
        id: 'StartBillingRun',
        method: apigwv2.HttpMethod.POST,
        path: '/staff/billing-runs',
        entry: 'functions/staff/start-billing-run.ts',
        description: 'Staff: records and starts a billing run for a cycle',
        access: 'read-write',
        environment: { STATE_MACHINE_ARN: props.billingStateMachine.stateMachineArn },
      },
      { id: 'PutTariff', method: apigwv2.HttpMethod.PUT, path: '/staff/tariffs/{tariffId}', entry: 'functions/staff/put-tariff.ts', description: 'Staff (admin): stores a tariff; new versions append, history is never edited', access: 'read-write' },
      { id: 'GetBillingRun', method: apigwv2.HttpMethod.GET, path: '/staff/billing-runs/{runId}', entry: 'functions/staff/get-billing-run.ts', description: 'Staff: status of a billing run', access: 'read' },
      { id: 'ListMyAccounts', method: apigwv2.HttpMethod.GET, path: '/portal/accounts', entry: 'functions/portal/list-my-accounts.ts', description: 'Portal: the signed-in customer\'s accounts', access: 'read' },
      { id: 'ListBills', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/bills', entry: 'functions/portal/list-bills.ts', description: 'Portal: bills of one of the customer\'s accounts', access: 'read' },
      ...CUSTOMER_RECORD_ROUTES,
      ...ledgerRoutes(props.payments),
      { id: 'GetUsage', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/usage', entry: 'functions/portal/get-usage.ts', description: 'Portal: usage of one of the customer\'s accounts per hour, day or month', access: 'read' },
      { id: 'GetGreenButton', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/usage/greenbutton', entry: 'functions/portal/get-green-button.ts', description: 'Portal: Green Button (ESPI) download of an account\'s interval data', access: 'read' },
      { id: 'ListReadExceptions', method: apigwv2.HttpMethod.GET, path: '/staff/read-exceptions', entry: 'functions/staff/list-read-exceptions.ts', description: 'Staff: the queue of read exceptions (VEE)', access: 'read', environment: props.readsEnvironment },
      { id: 'ResolveReadException', method: apigwv2.HttpMethod.POST, path: '/staff/read-exceptions/{meterId}/{exceptionId}', entry: 'functions/staff/resolve-read-exception.ts', description: 'Staff: accept, edit, estimate or reject a read exception', access: 'read-write', environment: props.readsEnvironment },
      { id: 'EnterManualReads', method: apigwv2.HttpMethod.POST, path: '/staff/meters/{meterId}/reads', entry: 'functions/staff/enter-manual-reads.ts', description: 'Staff: manual meter reads through VEE', access: 'read-write', environment: props.readsEnvironment },
      { id: 'UploadReads', method: apigwv2.HttpMethod.POST, path: '/staff/meter-reads/uploads', entry: 'functions/staff/upload-reads.ts', description: 'Staff: upload a bulk interval file (CSV or Green Button) through VEE', access: 'read-write', environment: props.readsEnvironment },
    ];
    for (const route of routes) {
      const fn = new CisFunction(this, route.id, {
        shared: props.shared,
        entry: route.entry,
        description: route.description,
        environment: route.environment,
        ...(route.timeout ? { timeout: route.timeout } : {}),
      });
      if (route.access === 'read') props.table.grantReadData(fn.function);
      else props.table.grantReadWriteData(fn.function);
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn.function),
        ...(route.publicRoute ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.publicRoute) {
        for (const httpRoute of added) {
          Validations.of(httpRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: 'The payment provider cannot hold a Cognito token; the handler accepts only bodies signed with the shared secret (HMAC-SHA256 with a timestamp tolerance) and processes each event id once.',
          });
        }
      }
      this.functions[route.id] = fn;
    }
    props.billingStateMachine.grantStartExecution(this.functions['StartBillingRun']!.function);
  }

  get url(): string {
    return this.stage.url;
  }
}
