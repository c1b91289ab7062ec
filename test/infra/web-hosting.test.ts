/** The web apps' hosting: private bucket behind CloudFront with OAC, SPA routing and the API on the same origin. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesizeTemplate } from '../../lib/app';
import { API_PATH_PATTERNS, SPA_ROUTING_CODE } from '../../lib/constructs/web-hosting';

let template: Template;

beforeAll(() => {
  template = Template.fromJSON(synthesizeTemplate({ skipBundling: true }) as unknown as Record<string, unknown>);
});

describe('the web hosting', () => {
  it('keeps the bucket private, encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' })]) },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  it('serves index.html at the root, runs the SPA routing function and passes API paths through uncached', () => {
    const distributions = template.findResources('AWS::CloudFront::Distribution');
    expect(Object.keys(distributions)).toHaveLength(1);
    const config = Object.values(distributions)[0]!['Properties']['DistributionConfig'];
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    const behaviors = config.CacheBehaviors as Array<{ PathPattern: string; CachePolicyId: string; AllowedMethods: string[] }>;
    expect(behaviors.map((behavior) => behavior.PathPattern).sort()).toEqual([...API_PATH_PATTERNS].sort());
    for (const behavior of behaviors) {
      expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
      expect(behavior.AllowedMethods).toContain('POST');
    }
  });

  it('revalidates files without Cache-Control (index.html, config.json) and sends a CSP that allows only the origin and the hosted UI', () => {
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!['Properties']['DistributionConfig'];
    const policies = template.findResources('AWS::CloudFront::CachePolicy');
    const policyId = Object.keys(policies).find((id) => JSON.stringify(config.DefaultCacheBehavior.CachePolicyId).includes(id));
    expect(policyId).toBeDefined();
    expect(policies[policyId!]!['Properties']['CachePolicyConfig']).toMatchObject({ DefaultTTL: 0, MinTTL: 0, MaxTTL: 31_536_000 });
    const headers = template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const headersId = Object.keys(headers).find((id) => JSON.stringify(config.DefaultCacheBehavior.ResponseHeadersPolicyId).includes(id));
    const security = headers[headersId!]!['Properties']['ResponseHeadersPolicyConfig']['SecurityHeadersConfig'];
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' blob: https:\/\/.*amazoncognito\.com/);
    expect(csp).not.toContain('unsafe-eval');
    expect(security.FrameOptions.FrameOption).toBe('DENY');
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBe(63_072_000);
  });

  it.each([
    ['/', '/index.html'],
    ['/accounts/A0001', '/index.html'],
    ['/assets/index-1a2b.js', '/assets/index-1a2b.js'],
    ['/console', '/console/index.html'],
    ['/console/', '/console/index.html'],
    ['/console/accounts/A0001', '/console/index.html'],
    ['/console/assets/index-3c4d.css', '/console/assets/index-3c4d.css'],
    ['/accounts/v1.2/x', '/index.html'],
  ])('routes %s to %s', (uri, expected) => {
    const handler = new Function(`${SPA_ROUTING_CODE}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
    expect(handler({ request: { uri } }).uri).toBe(expected);
  });
});

describe('the hosted UI sign-in of the web apps', () => {
  const clients = () =>
    Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map((resource) => resource['Properties'] as Record<string, unknown>);
  const distributionId = () => Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0]!;

  it('lets the portal and console clients use only the authorization code flow, back to their own app on the CloudFront domain', () => {
    const all = clients();
    expect(all).toHaveLength(2);
    const callbacks = all.map((client) => JSON.stringify(client['CallbackURLs']));
    for (const client of all) {
      expect(client['AllowedOAuthFlows']).toEqual(['code']);
      expect(client['AllowedOAuthFlowsUserPoolClient']).toBe(true);
      expect(client['GenerateSecret']).toBe(false);
      expect([...(client['AllowedOAuthScopes'] as string[])].sort()).toEqual(['email', 'openid', 'profile']);
      expect(client['SupportedIdentityProviders']).toEqual(['COGNITO']);
      expect(client['LogoutURLs']).toEqual(client['CallbackURLs']);
      const [url] = client['CallbackURLs'] as unknown[];
      expect(url).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, expect.stringMatching(/^\/(console\/)?$/)]] });
    }
    expect(callbacks.some((text) => text.includes('"/console/"'))).toBe(true);
    expect(callbacks.some((text) => text.endsWith('"/"]]}]'))).toBe(true);
  });

  it('has a hosted UI domain, named after the stack and account unless configured, and an output the web build reads', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { 'Fn::Join': ['-', [Match.stringLikeRegexp('^[a-z0-9-]+$'), { Ref: 'AWS::AccountId' }]] } });
    template.hasOutput('AuthDomainUrl', {});
    const named = Template.fromJSON(synthesizeTemplate({ skipBundling: true, context: { authDomainPrefix: 'springfield-water' } }) as unknown as Record<string, unknown>);
    named.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'springfield-water' });
  });

  it.each([['Springfield'], ['-cis'], ['my-aws-portal'], ['cognito-town'], ['a'.repeat(64)]])('refuses the domain prefix %s at synth', (prefix) => {
    expect(() => synthesizeTemplate({ skipBundling: true, context: { authDomainPrefix: prefix } })).toThrow(/authDomainPrefix/);
  });
});
