/**
 * What the browser tests share: Debian's Chromium driven by playwright-core (no browser
 * downloads), a local platform serving the built web apps, and API calls to set up and check data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';
import { issueToken } from '../../shared/local/local-auth';
import { eventually, startTestPlatform } from '../local/platform-harness';
import type { TestPlatform } from '../local/platform-harness';

export const CHROMIUM = process.env['CIS_CHROMIUM'] ?? '/usr/bin/chromium';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export interface WebBrowser {
  browser: Browser;
  /** A fresh context (own sessionStorage) at a viewport size. */
  context(viewport: { width: number; height: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<WebBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CIS_CHROMIUM to its path`);
  }
  // launch() gives Chromium a fresh temporary profile (its own --user-data-dir), removed on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async context(viewport) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      // Fail with playwright's message (what it waited for) well before the test's own timeout.
      context.setDefaultTimeout(10_000);
      return context;
    },
    async close() {
      await browser.close();
    },
  };
}

export interface WebPlatform {
  local: TestPlatform;
  url: string;
  api(method: string, route: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
  token(request: { customerId: string } | { staff: string; role: 'csr' | 'billing' | 'admin' | 'auditor' }, now?: Date): Promise<string>;
}

function localDate(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** Starts the platform with the web apps and bills cycle C1 so the demo accounts have a bill. */
export async function startWebPlatform(prefix: string, accounts: number, options: { demoUsageDays?: number } = {}): Promise<WebPlatform> {
  const local = await startTestPlatform(prefix, { accounts, web: true, demoUsageDays: options.demoUsageDays });
  const url = local.platform.httpUrl;
  const api: WebPlatform['api'] = async (method, route, token, body, headers = {}) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  const platform: WebPlatform = { local, url, api, token: (request, now) => issueToken(local.authDir, request, now ? { now } : {}) };
  const billing = await platform.token({ staff: 'setup', role: 'billing' });
  const started = await api('POST', '/staff/billing-runs', billing, { cycle: 'C1', periodStart: localDate(new Date(Date.now() - 4 * 86_400_000)), periodEnd: localDate(new Date()) });
  if (started.status !== 202) throw new Error(`the billing run did not start: ${started.status} ${JSON.stringify(started.json)}`);
  const run = await eventually(`billing run ${started.json.runId}`, async () => {
    const { json } = await api('GET', `/staff/billing-runs/${started.json.runId}`, billing);
    return json.status === 'RUNNING' ? undefined : json;
  }, 60_000);
  if (run.status !== 'SUCCEEDED') throw new Error(`the billing run ended ${run.status}`);
  return platform;
}

/** "1234.5" -> "$1,234.50": how the apps show an API amount. */
export function shown(amount: string): string {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  return `${amount.startsWith('-') ? '-' : ''}$${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${`${fraction}00`.slice(0, 2)}`;
}

/** How far the page is wider than the window (0 = no sideways scrolling). */
export async function horizontalOverflow(page: import('playwright-core').Page): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical findings on the page as it is now, one line each. axe is
 * evaluated through the DevTools protocol: the apps' Content-Security-Policy refuses script tags
 * that are not the apps' own files, as it should.
 */
export async function accessibilityProblems(page: import('playwright-core').Page): Promise<string[]> {
  await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact ?? '', help: violation.help, targets: violation.nodes.map((node) => JSON.stringify(node.target)) }));
  });
  return results.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.targets.join(', ')}`);
}

/** Signs `staff` into the console with a role through the local sign-in form (signing out first if needed). */
export async function signInToConsole(page: import('playwright-core').Page, url: string, staff: string, role: 'csr' | 'billing' | 'admin' | 'auditor'): Promise<void> {
  await page.goto(`${url}/console/`);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.count()) await signOut.click();
  await page.getByLabel('User name').fill(staff);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signOut.waitFor();
}

/** Signs a customer into the portal through the local sign-in form. */
export async function signInToPortal(page: import('playwright-core').Page, url: string, customerId: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Customer number').fill(customerId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My accounts' }).waitFor();
}
