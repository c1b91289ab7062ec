/**
 * The HTTP API for the customer portal and the staff console: Cognito user pool (staff roles
 * as groups, customers carry `custom:customerId`), a JWT authorizer on every route, and the
 * portal and staff functions behind it. The authorizer only validates the token; role checks
 * (403) are made by the handlers.
 */
import { Aws, type CfnResource, Duration, Fn, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { writeRouter } from './api-router';
import { CisFunction, type CisFunctionProps, type SharedFunctionSettings } from './cis-function';
import type { DataTable } from './data-table';
import { collectionsEnvironment, type CollectionsSettings } from './collections-workflow';

/** Function metadata: the routes a function serves, routeKey -> handler module. */
export const ROUTES_METADATA = 'cis:routes';

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
  readonly collections: { readonly settings: CollectionsSettings; readonly stateMachine: sfn.IStateMachine };
  /** Cognito deletion protection (the user pool holds every customer and staff identity). */
  readonly deletionProtection: boolean;
  readonly payments: PaymentSettings;
  /** Environment of the meter-data functions besides the shared one (VEE_OVERRIDES). */
  readonly readsEnvironment?: Record<string, string>;
  /** Environment of the bill document functions besides the shared one (UTILITY_PROFILE). */
  readonly billDocumentEnvironment: Record<string, string>;
  /** Environment of the bill exception routes (BILL_DUE_DAYS: a released bill's due date). */
  readonly billExceptionsEnvironment?: Record<string, string>;
  /** BillSegment's bill settings, for the rebill route (it rates and checks bills as a run does). */
  readonly billSegmentEnvironment?: Record<string, string>;
  /** Where a released bill is announced for delivery (the rebill route has it in billSegmentEnvironment). */
  readonly billDeliveryQueueUrl?: string;
  /**
   * Prefix of the hosted UI domain (`https://{prefix}.auth.{region}.amazoncognito.com`), unique
   * in the region; already checked by authDomainPrefixError. @default '{stack name}-{account id}'
   */
  readonly authDomainPrefix?: string;
}

/** Why a Cognito domain prefix cannot be used (undefined when it can). */
export function authDomainPrefixError(prefix: string): string | undefined {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) return `authDomainPrefix must be 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (got ${JSON.stringify(prefix)})`;
  if (/aws|amazon|cognito/.test(prefix)) return `authDomainPrefix may not contain "aws", "amazon" or "cognito" (got ${JSON.stringify(prefix)})`;
  return undefined;
}

/** The web apps' paths the hosted UI sends users back to (and after sign-out). */
export const WEB_APP_PATHS = { portal: '/', console: '/console/' } as const;

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
  /** The deposit rules as a JSON patch over the built-in ones (DEPOSIT_POLICY), already checked; absent = the built-in rules. */
  readonly depositPolicy?: string;
  /** The ACH origination settings as JSON (absent: autopay runs answer 503). */
  readonly achOriginator?: string;
  /** Adjustments above this amount (decimal string) wait for an admin's approval. */
  readonly adjustmentApprovalLimit: string;
  /** A CSR's adjustments up to this amount (decimal string) post at once. */
  readonly csrAdjustmentLimit: string;
}

/** Customer-record routes that activate service, and so evaluate the deposit from the customer's credit history. */
const DEPOSIT_EVALUATING_ROUTES: ReadonlySet<string> = new Set(['MoveIn', 'ActivateService', 'TransferService', 'ReopenAccount']);

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
  /** Names the route in the route table (and its API Gateway resources' construct ids). */
  readonly id: string;
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
  readonly entry: string;
  readonly description: string;
  readonly access: 'read' | 'read-write';
  readonly environment?: CisFunctionProps['environment'];
  readonly nodeModules?: CisFunctionProps['nodeModules'];
  /** No user token: the handler authenticates the caller itself (the provider's signed webhook). */
  readonly publicRoute?: boolean;
  /** Longer than the 10 s default, up to the HTTP API's 30 s (autopay runs, bank-file imports). */
  readonly timeout?: Duration;
  /**
   * The function that serves the route. @default by the handler's folder and access:
   * StaffReadRoutes, StaffWriteRoutes, PortalReadRoutes, PortalWriteRoutes, WebhooksWriteRoutes.
   * A route that needs a permission the others must not have (starting a state machine) gets a
   * function of its own.
   */
  readonly function?: string;
}

/** The function a route is served by (see RouteSpec.function). */
export function functionOfRoute(route: Pick<RouteSpec, 'entry' | 'access' | 'function'>): string {
  if (route.function) return route.function;
  const folder = route.entry.split('/')[1] ?? '';
  const context = folder.charAt(0).toUpperCase() + folder.slice(1);
  return `${context}${route.access === 'read' ? 'Read' : 'Write'}Routes`;
}

/** The routes of each function, with the union of their settings (a variable set twice must agree). */
function groupRoutes(routes: readonly RouteSpec[]): Map<string, { routes: RouteSpec[]; access: RouteSpec['access']; environment: Record<string, string>; nodeModules: string[]; timeout?: Duration }> {
  const groups = new Map<string, { routes: RouteSpec[]; access: RouteSpec['access']; environment: Record<string, string>; nodeModules: string[]; timeout?: Duration }>();
  for (const route of routes) {
    const name = functionOfRoute(route);
    const group = groups.get(name) ?? { routes: [], access: 'read' as const, environment: {}, nodeModules: [] };
    group.routes.push(route);
    if (route.access === 'read-write') group.access = 'read-write';
    for (const [key, value] of Object.entries(route.environment ?? {})) {
      if (key in group.environment && group.environment[key] !== value) throw new Error(`function ${name}: routes ${group.routes.map((r) => r.id).join(', ')} set ${key} differently`);
      group.environment[key] = value;
    }
    for (const module of route.nodeModules ?? []) if (!group.nodeModules.includes(module)) group.nodeModules.push(module);
    if (route.timeout && (!group.timeout || route.timeout.toSeconds() > group.timeout.toSeconds())) group.timeout = route.timeout;
    groups.set(name, group);
  }
  return groups;
}

/** The ledger and payments (issue 6): payments, returns, refunds, balances, the ledger, the provider's webhook. */
function ledgerRoutes(payments: PaymentSettings): RouteSpec[] {
  const paymentEnv = { PAYMENT_PROVIDER: payments.provider, RETURNED_PAYMENT_FEE: payments.returnedPaymentFee };
  const arrangementEnv = { ARRANGEMENT_GRACE_DAYS: String(payments.arrangementGraceDays) };
  const { lateFee } = payments;
  const depositEnv = payments.depositPolicy ? { DEPOSIT_POLICY: payments.depositPolicy } : undefined;
  const adjustmentEnv = { ADJUSTMENT_APPROVAL_LIMIT: payments.adjustmentApprovalLimit, ADJUSTMENT_CSR_LIMIT: payments.csrAdjustmentLimit };
  const lateFeeEnv = { LATE_FEE_GRACE_DAYS: String(lateFee.graceDays), LATE_FEE_METHOD: lateFee.method, LATE_FEE_FLAT: lateFee.flat, LATE_FEE_PERCENT: lateFee.percent, LATE_FEE_MINIMUM_PAST_DUE: lateFee.minimumPastDue, LATE_FEE_CAP: lateFee.cap };
  return [
    { id: 'MakePayment', method: apigwv2.HttpMethod.POST, path: '/portal/accounts/{accountId}/payments', entry: 'functions/portal/make-payment.ts', description: 'Portal: the customer pays by card or bank through the payment provider', access: 'read-write', environment: paymentEnv },
    { id: 'ListMyPayments', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/payments', entry: 'functions/portal/list-payments.ts', description: 'Portal: payment history of one of the customer\'s accounts', access: 'read' },
    { id: 'GetMyBalance', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/balance', entry: 'functions/portal/get-balance.ts', description: 'Portal: balance, per service and aging of one of the customer\'s accounts', access: 'read' },
    { id: 'PostCounterPayment', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/payments', entry: 'functions/staff/post-payment.ts', description: 'Staff: posts a payment taken at the counter', access: 'read-write', environment: paymentEnv },
    { id: 'ReturnPayment', method: apigwv2.HttpMethod.POST, path: '/staff/payments/{paymentId}/return', entry: 'functions/staff/return-payment.ts', description: 'Staff: returns a payment (reversing entry and returned-payment fee)', access: 'read-write', environment: paymentEnv },
    { id: 'RefundCredit', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/refunds', entry: 'functions/staff/refund-credit.ts', description: 'Staff: refunds a credit balance', access: 'read-write' },
    { id: 'AdjustBalance', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/adjustments', entry: 'functions/staff/adjust-balance.ts', description: 'Staff: a debit or credit adjustment of an account, posted at once or kept for approval', access: 'read-write', environment: adjustmentEnv },
    { id: 'ListAdjustmentRequests', method: apigwv2.HttpMethod.GET, path: '/staff/adjustment-requests', entry: 'functions/staff/list-adjustment-requests.ts', description: 'Staff: adjustment requests by status (the approvals queue)', access: 'read', environment: adjustmentEnv },
    { id: 'DecideAdjustmentRequest', method: apigwv2.HttpMethod.POST, path: '/staff/adjustment-requests/{accountId}/{requestId}/decision', entry: 'functions/staff/decide-adjustment-request.ts', description: 'Staff: approves (posts) or rejects an adjustment request of another user', access: 'read-write', environment: adjustmentEnv },
    { id: 'ReverseEntry', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/ledger/{entryId}/reversal', entry: 'functions/staff/reverse-entry.ts', description: 'Staff: reverses a fee, adjustment, refund, transfer or opening balance', access: 'read-write' },
    { id: 'CreateArrangement', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/arrangements', entry: 'functions/staff/create-arrangement.ts', description: 'Staff: a payment arrangement over the account\'s open charges', access: 'read-write', environment: arrangementEnv },
    { id: 'CancelArrangement', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/arrangements/{arrangementId}/cancel', entry: 'functions/staff/cancel-arrangement.ts', description: 'Staff: cancels an active payment arrangement', access: 'read-write', environment: arrangementEnv },
    { id: 'GetMyArrangement', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/arrangement', entry: 'functions/portal/get-arrangement.ts', description: 'Portal: the payment arrangement of one of the customer\'s accounts', access: 'read' },
    { id: 'RequestMyArrangement', method: apigwv2.HttpMethod.POST, path: '/portal/accounts/{accountId}/arrangement-requests', entry: 'functions/portal/request-arrangement.ts', description: 'Portal: the customer asks for a payment arrangement of a past-due balance', access: 'read-write' },
    { id: 'ListMyArrangementRequests', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/arrangement-requests', entry: 'functions/portal/list-arrangement-requests.ts', description: 'Portal: the payment arrangement requests of one of the customer\'s accounts', access: 'read' },
    { id: 'ListArrangementRequests', method: apigwv2.HttpMethod.GET, path: '/staff/arrangement-requests', entry: 'functions/staff/list-arrangement-requests.ts', description: 'Staff: customers\' payment arrangement requests waiting for a decision', access: 'read' },
    { id: 'DecideArrangementRequest', method: apigwv2.HttpMethod.POST, path: '/staff/arrangement-requests/{accountId}/{requestId}/decision', entry: 'functions/staff/decide-arrangement-request.ts', description: 'Staff: approves a payment arrangement request (makes the arrangement) or declines it', access: 'read-write', environment: arrangementEnv },
    { id: 'OpenDispute', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/disputes', entry: 'functions/staff/open-dispute.ts', description: 'Staff: opens a dispute of charges (no late fee on the disputed amount)', access: 'read-write' },
    { id: 'CloseDispute', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/disputes/{disputeId}/close', entry: 'functions/staff/close-dispute.ts', description: 'Staff: closes a dispute with its resolution', access: 'read-write' },
    { id: 'AssessLateFees', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/late-fees', entry: 'functions/staff/assess-late-fees.ts', description: 'Staff: assesses the late fees of an account (one per bill, never on disputed or arranged amounts)', access: 'read-write', environment: lateFeeEnv },
    { id: 'ListDeposits', method: apigwv2.HttpMethod.GET, path: '/staff/accounts/{accountId}/deposits', entry: 'functions/staff/list-deposits.ts', description: 'Staff: deposits of an account (held, unpaid, interest, refund due)', access: 'read', environment: depositEnv },
    { id: 'RequireDeposit', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/deposits', entry: 'functions/staff/require-deposit.ts', description: 'Staff: bills or waives a deposit', access: 'read-write', environment: depositEnv },
    { id: 'RefundDeposit', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/deposits/{depositId}/refund', entry: 'functions/staff/refund-deposit.ts', description: 'Staff: refunds a deposit with its interest (applied to the balance first)', access: 'read-write', environment: depositEnv },
    { id: 'AccrueDepositInterest', method: apigwv2.HttpMethod.POST, path: '/staff/deposits/interest', entry: 'functions/staff/accrue-deposit-interest.ts', description: 'Staff: accrues monthly deposit interest (and refunds deposits in good standing)', access: 'read-write', environment: depositEnv },
    { id: 'GetMyDeposits', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/deposits', entry: 'functions/portal/get-deposits.ts', description: 'Portal: deposits of one of the customer\'s accounts', access: 'read', environment: depositEnv },
    { id: 'GetBudget', method: apigwv2.HttpMethod.GET, path: '/staff/accounts/{accountId}/budget', entry: 'functions/staff/get-budget.ts', description: 'Staff: budget billing plan and deferred balance of an account', access: 'read' },
    { id: 'ChangeBudget', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/budget', entry: 'functions/staff/change-budget.ts', description: 'Staff: enrolls an account in budget billing or ends it (true-up)', access: 'read-write' },
    { id: 'GetMyBudget', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/budget', entry: 'functions/portal/get-budget.ts', description: 'Portal: budget billing plan of one of the customer\'s accounts', access: 'read' },
    { id: 'ChangeMyBudget', method: apigwv2.HttpMethod.POST, path: '/portal/accounts/{accountId}/budget', entry: 'functions/portal/change-budget.ts', description: 'Portal: the customer enrolls in budget billing or ends it', access: 'read-write' },
    { id: 'TransferBalance', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/transfer-balance', entry: 'functions/staff/transfer-balance.ts', description: 'Staff: moves a closing account\'s balance to another account', access: 'read-write' },
    { id: 'GetLedger', method: apigwv2.HttpMethod.GET, path: '/staff/accounts/{accountId}/ledger', entry: 'functions/staff/get-ledger.ts', description: 'Staff: the ledger entries, balance and aging of an account', access: 'read' },
    { id: 'EnrollMyAutopay', method: apigwv2.HttpMethod.PUT, path: '/portal/accounts/{accountId}/autopay', entry: 'functions/portal/enroll-autopay.ts', description: 'Portal: the customer enrolls one of their accounts in autopay by ACH', access: 'read-write' },
    { id: 'CancelMyAutopay', method: apigwv2.HttpMethod.DELETE, path: '/portal/accounts/{accountId}/autopay', entry: 'functions/portal/cancel-autopay.ts', description: 'Portal: the customer cancels autopay of one of their accounts', access: 'read-write' },
    { id: 'GetMyAutopay', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/autopay', entry: 'functions/portal/get-autopay.ts', description: 'Portal: the autopay enrollment of one of the customer\'s accounts (last four digits)', access: 'read' },
    { id: 'EnrollAutopay', method: apigwv2.HttpMethod.PUT, path: '/staff/accounts/{accountId}/autopay', entry: 'functions/staff/enroll-autopay.ts', description: 'Staff: enrolls an account in autopay from a signed authorization', access: 'read-write' },
    { id: 'CancelAutopay', method: apigwv2.HttpMethod.DELETE, path: '/staff/accounts/{accountId}/autopay', entry: 'functions/staff/cancel-autopay.ts', description: 'Staff: cancels the autopay of an account', access: 'read-write' },
    { id: 'RunAutopay', method: apigwv2.HttpMethod.POST, path: '/staff/autopay-runs', entry: 'functions/staff/run-autopay.ts', description: 'Staff: debits enrolled accounts with a bill due on a day and makes the NACHA file', access: 'read-write', environment: { ...paymentEnv, ...(payments.achOriginator ? { ACH_ORIGINATOR: payments.achOriginator } : {}) }, timeout: Duration.seconds(29), function: 'PaymentFileRoutes' },
    { id: 'ImportPaymentFile', method: apigwv2.HttpMethod.POST, path: '/staff/payment-files', entry: 'functions/staff/import-payment-file.ts', description: 'Staff: imports a BAI2, lockbox or NACHA returns file with its reconciliation report', access: 'read-write', environment: paymentEnv, timeout: Duration.seconds(29), function: 'PaymentFileRoutes' },
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

/** Collections (issue 6): certificates, household facts, weather, runs, the worklist, evaluations, portal notices. */
function collectionsRoutes(settings: CollectionsSettings, stateMachineArn: string): RouteSpec[] {
  const environment = collectionsEnvironment(settings);
  return (
    [
      ['RecordMedicalCertificate', 'POST', '/staff/accounts/{accountId}/medical-certificates', 'functions/staff/record-medical-certificate.ts', 'Staff: records a medical certificate (renewals counted; blocks disconnection while in force)', 'read-write'],
      ['ListMedicalCertificates', 'GET', '/staff/accounts/{accountId}/medical-certificates', 'functions/staff/list-medical-certificates.ts', 'Staff: the medical certificates of an account', 'read'],
      ['PutCollectionsProfile', 'PUT', '/staff/accounts/{accountId}/collections-profile', 'functions/staff/put-collections-profile.ts', 'Staff: household income (% FPL), life support and weather region for collections', 'read-write'],
      ['PutWeather', 'PUT', '/staff/weather/{region}/{date}', 'functions/staff/put-weather.ts', 'Staff: the weather forecast of a region and day (weather protections)', 'read-write'],
      ['GetWeather', 'GET', '/staff/weather/{region}/{date}', 'functions/staff/get-weather.ts', 'Staff: the weather forecast on file for a region and day', 'read'],
      ['StartCollectionsRun', 'POST', '/staff/collections-runs', 'functions/staff/start-collections-run.ts', 'Staff: starts the collections run of a day', 'read-write'],
      ['GetCollectionsWorklist', 'GET', '/staff/collections/worklist', 'functions/staff/get-collections-worklist.ts', 'Staff: accounts with notices, orders or blocks on a run day, and why', 'read'],
      ['GetAccountCollections', 'GET', '/staff/accounts/{accountId}/collections', 'functions/staff/get-account-collections.ts', 'Staff and auditors: every collections evaluation of an account with all rule results', 'read'],
      ['ListMyNotices', 'GET', '/portal/accounts/{accountId}/notices', 'functions/portal/list-notices.ts', 'Portal: collection notices of one of the customer\'s accounts', 'read'],
    ] as const
  ).map(([id, method, path, entry, description, access]) => ({ id, method: apigwv2.HttpMethod[method], path, entry, description, access, ...(id === 'StartCollectionsRun' ? { environment: { ...environment, COLLECTIONS_STATE_MACHINE_ARN: stateMachineArn }, function: 'StartCollectionsRun' } : { environment }) }));
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
    ['ListServiceOrders', 'GET', '/staff/service-orders', 'functions/staff/list-service-orders.ts', 'Staff: service orders in one state, latest change first', 'read'],
    ['GetServiceOrder', 'GET', '/staff/service-orders/{orderId}', 'functions/staff/get-service-order.ts', 'Staff: one service order', 'read'],
    ['TransitionServiceOrder', 'POST', '/staff/service-orders/{orderId}/transitions', 'functions/staff/transition-service-order.ts', 'Staff: schedules, dispatches, completes or cancels an order'],
    ['ListMyServiceOrders', 'GET', '/portal/accounts/{accountId}/service-orders', 'functions/portal/list-service-orders.ts', 'Portal: service orders of the customer\'s account', 'read'],
    ['RequestServiceOrder', 'POST', '/portal/accounts/{accountId}/service-orders', 'functions/portal/request-service-order.ts', 'Portal: the customer requests a service order'],
    ['UpdateCustomer', 'PATCH', '/staff/customers/{customerId}', 'functions/staff/update-customer.ts', 'Staff: changes a customer\'s contacts and preferences'],
    ['UpdateMyPreferences', 'PATCH', '/portal/preferences', 'functions/portal/update-my-preferences.ts', 'Portal: the customer changes contacts, bill delivery and notification preferences'],
    ['GetMyPreferences', 'GET', '/portal/preferences', 'functions/portal/get-my-preferences.ts', 'Portal: the customer\'s contacts, bill delivery and notification preferences', 'read'],
  ] as const
).map(([id, method, path, entry, description, access]) => ({ id, method: apigwv2.HttpMethod[method], path, entry, description, access: access ?? 'read-write' }));

export class CisApi extends Construct {
  readonly userPool: cognito.UserPool;
  readonly portalClient: cognito.UserPoolClient;
  readonly staffClient: cognito.UserPoolClient;
  /** The hosted UI (authorization code with PKCE) the web apps send users to. */
  readonly authDomain: cognito.UserPoolDomain;
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** The API's functions by name (see functionOfRoute). */
  readonly functions: Record<string, CisFunction> = {};
  /** The function that serves each route, by route id. */
  readonly routeFunctions: Record<string, CisFunction> = {};

  private webOrigin: string | undefined;

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
    // The web apps sign in through the hosted UI: authorization code with PKCE (no implicit flow, no
    // client secret in a browser); the callback URLs are the CloudFront origin of the apps, known
    // once the web hosting exists (setWebOrigin).
    const oAuth = (app: keyof typeof WEB_APP_PATHS): cognito.OAuthSettings => {
      const url = Lazy.string({
        produce: () => {
          if (this.webOrigin === undefined) throw new Error('CisApi.setWebOrigin was not called: the hosted UI needs the web apps\' origin');
          return `${this.webOrigin}${WEB_APP_PATHS[app]}`;
        },
      });
      return {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [url],
        logoutUrls: [url],
      };
    };
    const clientOptions: cognito.UserPoolClientOptions = {
      generateSecret: false,
      authFlows: { userSrp: true },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes,
      writeAttributes,
    };
    this.portalClient = this.userPool.addClient('PortalClient', { ...clientOptions, oAuth: oAuth('portal') });
    this.staffClient = this.userPool.addClient('StaffConsoleClient', { ...clientOptions, oAuth: oAuth('console'), refreshTokenValidity: Duration.hours(12) });
    const stack = Stack.of(this);
    this.authDomain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: {
        domainPrefix: props.authDomainPrefix ?? Fn.join('-', [stack.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'cis', Aws.ACCOUNT_ID]),
      },
    });

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
        function: 'StartBillingRun',
      },
      { id: 'PutTariff', method: apigwv2.HttpMethod.PUT, path: '/staff/tariffs/{tariffId}', entry: 'functions/staff/put-tariff.ts', description: 'Staff (admin): stores a tariff; new versions append, history is never edited', access: 'read-write' },
      { id: 'ListBillingCycles', method: apigwv2.HttpMethod.GET, path: '/staff/billing-cycles', entry: 'functions/staff/list-billing-cycles.ts', description: 'Staff: cycle schedules with their next periods, bill and due dates', access: 'read', environment: props.billExceptionsEnvironment },
      { id: 'PutBillingCycle', method: apigwv2.HttpMethod.PUT, path: '/staff/billing-cycles/{cycle}', entry: 'functions/staff/put-billing-cycle.ts', description: 'Staff (billing, admin): a cycle\'s schedule', access: 'read-write', environment: props.billExceptionsEnvironment },
      { id: 'CorrectTariff', method: apigwv2.HttpMethod.POST, path: '/staff/tariffs/{tariffId}/corrections', entry: 'functions/staff/correct-tariff.ts', description: 'Staff (admin): corrects the charges of stored tariff versions; issued bills change when rebilled', access: 'read-write' },
      { id: 'ListBillingRuns', method: apigwv2.HttpMethod.GET, path: '/staff/billing-runs', entry: 'functions/staff/list-billing-runs.ts', description: 'Staff: billing runs, newest first', access: 'read' },
      { id: 'GetBillingRun', method: apigwv2.HttpMethod.GET, path: '/staff/billing-runs/{runId}', entry: 'functions/staff/get-billing-run.ts', description: 'Staff: status of a billing run', access: 'read' },
      { id: 'RebillBill', method: apigwv2.HttpMethod.POST, path: '/staff/accounts/{accountId}/bills/{billId}/rebill', entry: 'functions/staff/rebill-bill.ts', description: 'Staff (billing, admin): cancels a posted bill and bills its period again after a correction', access: 'read-write', environment: props.billSegmentEnvironment },
      { id: 'ListBillExceptions', method: apigwv2.HttpMethod.GET, path: '/staff/bill-exceptions', entry: 'functions/staff/list-bill-exceptions.ts', description: 'Staff: held bills waiting for review, newest first', access: 'read', environment: props.billExceptionsEnvironment },
      { id: 'ResolveBillException', method: apigwv2.HttpMethod.POST, path: '/staff/bill-exceptions/{billId}', entry: 'functions/staff/resolve-bill-exception.ts', description: 'Staff: releases (posts) or cancels a held bill', access: 'read-write', environment: { ...props.billExceptionsEnvironment, ...(props.billDeliveryQueueUrl ? { BILL_DELIVERY_QUEUE_URL: props.billDeliveryQueueUrl } : {}) } },
      { id: 'ListMyAccounts', method: apigwv2.HttpMethod.GET, path: '/portal/accounts', entry: 'functions/portal/list-my-accounts.ts', description: 'Portal: the signed-in customer\'s accounts', access: 'read' },
      { id: 'ListBills', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/bills', entry: 'functions/portal/list-bills.ts', description: 'Portal: bills of one of the customer\'s accounts', access: 'read' },
      { id: 'GetMyBillDocument', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/bills/{billId}/document', entry: 'functions/portal/get-bill-document.ts', description: 'Portal: a bill of one of the customer\'s accounts as PDF or HTML', access: 'read', environment: props.billDocumentEnvironment, nodeModules: ['pdfkit'] },
      { id: 'GetBillDocument', method: apigwv2.HttpMethod.GET, path: '/staff/accounts/{accountId}/bills/{billId}/document', entry: 'functions/staff/get-bill-document.ts', description: 'Staff: any bill as PDF or HTML', access: 'read', environment: props.billDocumentEnvironment, nodeModules: ['pdfkit'] },
      ...CUSTOMER_RECORD_ROUTES.map((route) => (DEPOSIT_EVALUATING_ROUTES.has(route.id) && props.payments.depositPolicy ? { ...route, environment: { DEPOSIT_POLICY: props.payments.depositPolicy } } : route)),
      ...ledgerRoutes(props.payments),
      ...collectionsRoutes(props.collections.settings, props.collections.stateMachine.stateMachineArn),
      { id: 'GetUsage', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/usage', entry: 'functions/portal/get-usage.ts', description: 'Portal: usage of one of the customer\'s accounts per hour, day or month', access: 'read' },
      { id: 'GetGreenButton', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/usage/greenbutton', entry: 'functions/portal/get-green-button.ts', description: 'Portal: Green Button (ESPI) download of an account\'s interval data', access: 'read' },
      { id: 'ListReadExceptions', method: apigwv2.HttpMethod.GET, path: '/staff/read-exceptions', entry: 'functions/staff/list-read-exceptions.ts', description: 'Staff: the queue of read exceptions (VEE)', access: 'read', environment: props.readsEnvironment },
      { id: 'ResolveReadException', method: apigwv2.HttpMethod.POST, path: '/staff/read-exceptions/{meterId}/{exceptionId}', entry: 'functions/staff/resolve-read-exception.ts', description: 'Staff: accept, edit, estimate or reject a read exception', access: 'read-write', environment: props.readsEnvironment },
      { id: 'EnterManualReads', method: apigwv2.HttpMethod.POST, path: '/staff/meters/{meterId}/reads', entry: 'functions/staff/enter-manual-reads.ts', description: 'Staff: manual meter reads through VEE', access: 'read-write', environment: props.readsEnvironment },
      { id: 'UploadReads', method: apigwv2.HttpMethod.POST, path: '/staff/meter-reads/uploads', entry: 'functions/staff/upload-reads.ts', description: 'Staff: upload a bulk interval file (CSV or Green Button) through VEE', access: 'read-write', environment: props.readsEnvironment },
    ];
    // One function per group of routes (not per route): a stack holds at most 500 resources, and
    // a function costs five (function, role, policy, log group, integration) where a route costs two.
    for (const [name, group] of groupRoutes(routes)) {
      const entry = writeRouter(
        props.shared.projectRoot,
        name,
        group.routes.map((route) => ({ routeKey: `${route.method} ${route.path}`, entry: route.entry })),
      );
      const fn = new CisFunction(this, name, {
        shared: props.shared,
        entry,
        description: `API routes: ${group.routes.map((route) => route.id).join(', ')}`.slice(0, 256),
        environment: group.environment,
        ...(group.nodeModules.length ? { nodeModules: group.nodeModules } : {}),
        ...(group.timeout ? { timeout: group.timeout } : {}),
      });
      (fn.function.node.defaultChild as CfnResource).addMetadata(ROUTES_METADATA, Object.fromEntries(group.routes.map((route) => [`${route.method} ${route.path}`, route.entry])));
      if (group.access === 'read') props.table.grantReadData(fn.function);
      else props.table.grantReadWriteData(fn.function);
      const integration = new HttpLambdaIntegration(`${name}Integration`, fn.function);
      for (const route of group.routes) {
        const added = this.httpApi.addRoutes({
          path: route.path,
          methods: [route.method],
          integration,
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
      }
      this.functions[name] = fn;
      for (const route of group.routes) this.routeFunctions[route.id] = fn;
    }
    props.billingStateMachine.grantStartExecution(this.functions['StartBillingRun']!.function);
    props.collections.stateMachine.grantStartExecution(this.functions['StartCollectionsRun']!.function);
  }

  /** The origin the web apps are served from (https://host): the hosted UI's callback and sign-out URLs. */
  setWebOrigin(origin: string): void {
    this.webOrigin = origin;
  }

  /** The hosted UI's base URL. */
  get authDomainUrl(): string {
    return this.authDomain.baseUrl();
  }

  get url(): string {
    return this.stage.url;
  }
}
