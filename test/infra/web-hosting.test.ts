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
