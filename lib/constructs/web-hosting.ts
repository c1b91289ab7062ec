/**
 * Hosting of the web apps: a private S3 bucket read by CloudFront through origin access control,
 * the customer portal at `/` and the staff console at `/console/` (a CloudFront Function sends
 * client-side routes to the app's index.html), and the portal and staff API paths passed through
 * to the HTTP API on the same origin, so the apps need no CORS.
 *
 * The built apps are uploaded after deployment (`npm run build:web`, then `aws s3 sync` of
 * `.build/web/portal` to the bucket root and `.build/web/console` to `console/`): a CDK
 * BucketDeployment would add a Lambda function with a managed policy and wildcard S3 actions.
 */
import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { contentSecurityPolicy } from '../../shared/web/content-security-policy';

/** The API path prefixes CloudFront passes to the HTTP API (the rest is the apps' files). */
export const API_PATH_PATTERNS = ['/portal/*', '/staff/*', '/webhooks/*'] as const;

/**
 * CloudFront Function (viewer request, cloudfront-js-2.0): a path without a file extension is a
 * client-side route of the console (under /console) or of the portal, answered by its index.html.
 */
export const SPA_ROUTING_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.lastIndexOf('.') > uri.lastIndexOf('/')) return request;
  request.uri = uri === '/console' || uri.indexOf('/console/') === 0 ? '/console/index.html' : '/index.html';
  return request;
}`;

export interface WebHostingProps {
  httpApi: apigwv2.HttpApi;
  /** The Cognito hosted UI the apps exchange sign-in codes with (allowed by the apps' CSP). */
  authDomainUrl: string;
  /** Keep the bucket when the stack is deleted. */
  deletionProtection: boolean;
}

export class WebHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const spaRouting = new cloudfront.Function(this, 'SpaRouting', {
      code: cloudfront.FunctionCode.fromInline(SPA_ROUTING_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Client-side routes of the portal and the staff console go to their index.html',
    });
    // https://{apiId}.execute-api.{region}.amazonaws.com -> the host name.
    const apiOrigin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      readTimeout: Duration.seconds(30),
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    // index.html and config.json carry no Cache-Control: with a default TTL of 0 CloudFront checks
    // them with S3 on every request, so a new build shows at once; the hashed files under assets/
    // are cached as long as their Cache-Control says (README: the upload sets a year, immutable).
    const appFiles = new cloudfront.CachePolicy(this, 'AppFiles', {
      comment: 'Web apps: revalidate files without Cache-Control, keep hashed assets as long as they say',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Web apps: CSP (own origin and the Cognito hosted UI), HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy([props.authDomainUrl]), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'CIS customer portal and staff console',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: appFiles,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds only the public, versioned build of the two web apps; viewer requests are logged by CloudFront when the deploying utility turns its logging on.',
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'A utility serves customers who travel or live abroad; geo restrictions are left to the deploying utility, which knows its service territory.' },
      { id: 'AwsSolutions-CFR2', reason: 'WAF web ACLs are billed per ACL and rule; the API behind the distribution validates tokens and input itself, and a utility can attach its own ACL.' },
      { id: 'AwsSolutions-CFR3', reason: 'Standard logs need a log bucket with ACLs enabled; access logging is an opt-in of the deploying utility, the API keeps its own request logs.' },
      { id: 'AwsSolutions-CFR4', reason: 'The default CloudFront domain and certificate cannot pin TLS 1.2; a utility with its own domain and certificate gets TLSv1.2_2021 from minimumProtocolVersion.' },
    );
  }
}
