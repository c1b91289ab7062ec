/**
 * The HTTP API for the customer portal and the staff console: Cognito user pool (staff roles
 * as groups, customers carry `custom:customerId`), a JWT authorizer on every route, and the
 * portal and staff functions behind it. The authorizer only validates the token; role checks
 * (403) are made by the handlers.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
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
}

interface RouteSpec {
  readonly id: string;
  readonly method: apigwv2.HttpMethod;
  readonly path: string;
  readonly entry: string;
  readonly description: string;
  readonly access: 'read' | 'read-write';
  readonly environment?: CisFunctionProps['environment'];
}

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
      { id: 'GetBillingRun', method: apigwv2.HttpMethod.GET, path: '/staff/billing-runs/{runId}', entry: 'functions/staff/get-billing-run.ts', description: 'Staff: status of a billing run', access: 'read' },
      { id: 'ListMyAccounts', method: apigwv2.HttpMethod.GET, path: '/portal/accounts', entry: 'functions/portal/list-my-accounts.ts', description: 'Portal: the signed-in customer\'s accounts', access: 'read' },
      { id: 'ListBills', method: apigwv2.HttpMethod.GET, path: '/portal/accounts/{accountId}/bills', entry: 'functions/portal/list-bills.ts', description: 'Portal: bills of one of the customer\'s accounts', access: 'read' },
    ];
    for (const route of routes) {
      const fn = new CisFunction(this, route.id, {
        shared: props.shared,
        entry: route.entry,
        description: route.description,
        environment: route.environment,
      });
      if (route.access === 'read') props.table.grantReadData(fn.function);
      else props.table.grantReadWriteData(fn.function);
      this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn.function),
      });
      this.functions[route.id] = fn;
    }
    props.billingStateMachine.grantStartExecution(this.functions['StartBillingRun']!.function);
  }

  get url(): string {
    return this.stage.url;
  }
}
