/**
 * The Content-Security-Policy the web apps are served with, by CloudFront in a deployment and by
 * the local gateway (so every browser test runs the apps under it): scripts, styles, fonts and
 * API calls from the apps' own origin only; blob: URLs for the bill documents (a PDF or page
 * fetched with the token opens as a blob URL, whose document inherits this policy and shows
 * the PDF in the browser's viewer); no other plugins, no framing, forms post only to the origin. Inline
 * style attributes are allowed (React's `style` props); inline scripts are not.
 * `connectSources` adds the origins the apps call besides their own (the Cognito hosted UI's
 * token endpoint).
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${["'self'", 'blob:', ...connectSources].join(' ')}`,
    'object-src blob:',
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
