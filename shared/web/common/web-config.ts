/**
 * The runtime configuration of a built web app (`config.json` beside its index.html): which
 * sign-in it uses. The local platform's build says `local`; a build for a deployment
 * (`npm run build:web -- --outputs cdk-outputs.json`) names the Cognito user pool, the app
 * client and the hosted UI domain, so one build serves one deployment without rebuilding for
 * each setting. Shared by the apps (browser) and the build script (Node): no DOM or Node APIs.
 */
export type WebAppName = 'portal' | 'console';

export interface CognitoWebAuth {
  kind: 'cognito';
  /** The user pool's issuer: https://cognito-idp.{region}.amazonaws.com/{userPoolId}. */
  authority: string;
  clientId: string;
  /** The hosted UI (managed login) base URL: https://{prefix}.auth.{region}.amazoncognito.com. */
  domain: string;
}

export type WebAuthConfig = { kind: 'local' } | CognitoWebAuth;

export interface WebConfig {
  auth: WebAuthConfig;
}

export const LOCAL_WEB_CONFIG: WebConfig = { auth: { kind: 'local' } };

export class WebConfigError extends Error {
  override name = 'WebConfigError';
}

const HTTPS_URL = /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/;

/** An OpenID provider on this machine (a development or test stand-in for Cognito) may use plain http. */
const LOOPBACK_URL = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/;

/** Checks a config.json body; throws WebConfigError naming the field that is wrong. */
export function parseWebConfig(value: unknown): WebConfig {
  const url = (field: string, text: unknown): string => {
    if (typeof text !== 'string' || !(HTTPS_URL.test(text) || LOOPBACK_URL.test(text))) {
      throw new WebConfigError(`config.json: ${field} must be an https URL`);
    }
    return text.replace(/\/+$/, '');
  };
  if (typeof value !== 'object' || value === null) throw new WebConfigError('config.json must be a JSON object');
  const auth = (value as { auth?: unknown }).auth;
  if (typeof auth !== 'object' || auth === null) throw new WebConfigError('config.json: auth is required');
  const kind = (auth as { kind?: unknown }).kind;
  if (kind === 'local') return LOCAL_WEB_CONFIG;
  if (kind !== 'cognito') throw new WebConfigError('config.json: auth.kind must be local or cognito');
  const { authority, clientId, domain } = auth as Record<string, unknown>;
  if (typeof clientId !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(clientId)) throw new WebConfigError('config.json: auth.clientId must be an app client id');
  return { auth: { kind: 'cognito', authority: url('auth.authority', authority), clientId, domain: url('auth.domain', domain) } };
}

/** The CloudFormation outputs of the stack (from `cdk deploy --outputs-file`) that a deployed build needs. */
export interface StackWebOutputs {
  UserPoolId: string;
  UserPoolClientId: string;
  StaffUserPoolClientId: string;
  AuthDomainUrl: string;
}

/**
 * The outputs of the CIS stack in an outputs file of `cdk deploy --outputs-file` (an object of
 * stacks, each an object of outputs); `stackName` picks the stack when the file holds several.
 */
export function stackOutputs(file: unknown, stackName?: string): Record<string, unknown> {
  if (typeof file !== 'object' || file === null) throw new WebConfigError('the outputs file must be a JSON object of stacks');
  const stacks = Object.entries(file as Record<string, unknown>).filter(([name, outputs]) => (stackName ? name === stackName : true) && typeof outputs === 'object' && outputs !== null && 'UserPoolId' in outputs);
  if (stacks.length === 0) throw new WebConfigError(stackName ? `the outputs file has no stack ${stackName} with a UserPoolId output` : 'the outputs file has no stack with a UserPoolId output');
  if (stacks.length > 1) throw new WebConfigError(`the outputs file has several CIS stacks (${stacks.map(([name]) => name).join(', ')}): name one with --stack`);
  return stacks[0]![1] as Record<string, unknown>;
}

/** The config of each app for a deployment, from the stack's outputs (see stackOutputs). */
export function webConfigsFromOutputs(file: unknown, stackName?: string): Record<WebAppName, WebConfig> {
  return webConfigsOfStack(stackOutputs(file, stackName));
}

/** The config of each app from the outputs of the CIS stack itself. */
export function webConfigsOfStack(stack: Record<string, unknown>): Record<WebAppName, WebConfig> {
  const outputs = stack as Partial<Record<keyof StackWebOutputs, unknown>>;
  for (const key of ['UserPoolId', 'UserPoolClientId', 'StaffUserPoolClientId', 'AuthDomainUrl'] as const) {
    if (typeof outputs[key] !== 'string' || outputs[key] === '') throw new WebConfigError(`the stack's outputs lack ${key} (deploy this version of the stack first)`);
  }
  const userPoolId = outputs.UserPoolId as string;
  const region = /^([a-z]{2}(-[a-z]+)+-\d)_[A-Za-z0-9]+$/.exec(userPoolId)?.[1];
  if (!region) throw new WebConfigError(`UserPoolId ${userPoolId} is not a Cognito user pool id`);
  const authority = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const config = (clientId: string): WebConfig => parseWebConfig({ auth: { kind: 'cognito', authority, clientId, domain: outputs.AuthDomainUrl } });
  return { portal: config(outputs.UserPoolClientId as string), console: config(outputs.StaffUserPoolClientId as string) };
}
