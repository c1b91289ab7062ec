/**
 * `npm run screenshots`: starts the local platform with the web apps, bills the demo accounts and
 * saves PNGs of the main screens (phone and desktop) into shared/web/screenshots/ for the README.
 */
import '../bench/require-esm';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type * as Browser from './browser';

// Required after the hook above, so the handlers the platform loads can reach middy.
const { DESKTOP, launchBrowser, PHONE, startWebPlatform } = require('./browser') as typeof Browser;

const OUT = path.resolve(__dirname, '../../shared/web/screenshots');

async function main(): Promise<void> {
  // The handlers log every request as JSON; keep the output to the result.
  const print = console.log.bind(console);
  console.log = console.info = () => undefined;
  await mkdir(OUT, { recursive: true });
  const web = await launchBrowser();
  // A0001 gets a year of hourly usage (with a high-usage day) for the usage screens.
  const platform = await startWebPlatform('cis-screenshots-', 2, { demoUsageDays: 400 });
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  await pastDueBill(platform, 'A0001');
  try {
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const page = await (await web.context(viewport)).newPage();
      await page.goto(`${platform.url}/`);
      await shot(page, `portal-sign-in-${size}`);
      await page.getByLabel('Customer number').fill('C0001');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Account A0001' }).click();
      await page.getByRole('heading', { name: 'Bills' }).waitFor();
      await page.getByLabel('Details').fill('The meter reading looks high');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.getByText(/Request \S+ received/).waitFor();
      await page.getByRole('img', { name: /usage/i }).waitFor();
      await shot(page, `portal-account-${size}`);
      await page.getByRole('img', { name: /Daily usage in/ }).waitFor();
      await page.locator('section.usage').screenshot({ path: path.join(OUT, `portal-usage-${size}.png`) });
      // The high-usage day's hours (in the month before early in a month: then yesterday's).
      const alertDayHours = page.getByRole('button', { name: /^See the hours of / });
      await ((await alertDayHours.count()) ? alertDayHours.first() : page.getByRole('button', { name: 'Hour by hour (a day)' })).click();
      await page.getByRole('img', { name: /Hourly usage in/ }).waitFor();
      await page.locator('section.usage').screenshot({ path: path.join(OUT, `portal-usage-hourly-${size}.png`) });
      await page.goto(`${platform.url}/accounts/A0002`);
      await page.getByRole('alert').waitFor();
      await shot(page, `portal-not-your-account-${size}`);
      await page.goto(`${platform.url}/accounts/A0001`);
      await page.getByRole('button', { name: 'Ask for an arrangement' }).waitFor();
      await page.getByRole('button', { name: 'Enroll in autopay' }).waitFor();
      await shot(page, `portal-self-service-${size}`);
      await page.getByRole('link', { name: 'Preferences' }).click();
      await page.getByRole('button', { name: 'Save preferences' }).waitFor();
      await shot(page, `portal-preferences-${size}`);
    }
    const page = await (await web.context(DESKTOP)).newPage();
    await page.goto(`${platform.url}/console/`);
    await page.getByLabel('User name').fill('bill');
    await page.getByLabel('Role').selectOption('billing');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel(/Name, address/).fill('Oak');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'A0001' }).waitFor();
    await shot(page, 'console-search-desktop');
    await page.getByRole('link', { name: 'A0001' }).click();
    await page.getByLabel('What the customer disputes').fill('The customer says the reading was estimated too high');
    await page.getByRole('button', { name: 'Open dispute' }).click();
    await page.getByLabel('Resolution').waitFor();
    await shot(page, 'console-account-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'console-account-phone');
    // The CSR screens: an adjustment above the approval limit waiting in the queue, the service orders, the worklist.
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('Amount (USD)').fill('150.00');
    await page.getByLabel('Reason', { exact: true }).fill('Leak allowance for the January bill');
    await page.getByRole('button', { name: 'Adjust', exact: true }).click();
    await page.getByRole('link', { name: 'Open the approvals queue' }).click();
    await page.getByText('You asked for this adjustment').waitFor();
    await shot(page, 'console-approvals-desktop');
    await page.getByRole('link', { name: 'Service orders' }).click();
    await page.getByRole('heading', { name: /orders, latest change first/ }).waitFor();
    await page.locator('td a').first().click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await shot(page, 'console-service-order-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'console-service-order-phone');
    await page.setViewportSize(DESKTOP);
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByRole('heading', { name: /^Run of / }).waitFor();
    await shot(page, 'console-collections-desktop');
    // Operations: the billing runs, a run's progress and the read exceptions queue (a held negative reading).
    const setup = await platform.token({ staff: 'setup', role: 'billing' });
    const readDay = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    await platform.api('POST', '/staff/meters/M0001/reads', setup, { readings: [{ start: `${readDay}T15:00:00Z`, durationSec: 3600, value: '-5', unit: 'kWh' }] });
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      await page.setViewportSize(viewport);
      await page.getByRole('link', { name: 'Billing runs' }).click();
      await page.locator('tbody tr[data-run-id]').first().waitFor();
      await shot(page, `console-billing-runs-${size}`);
      await page.locator('tbody tr[data-run-id] a').first().click();
      await page.getByTestId('run-status').getByText(/^Run /).waitFor();
      await shot(page, `console-billing-run-${size}`);
      await page.getByRole('link', { name: 'Read exceptions' }).click();
      await page.locator('article[data-exception-id]').first().waitFor();
      await shot(page, `console-read-exceptions-${size}`);
    }
    const customer = await platform.token({ customerId: 'C0001' });
    await platform.api('POST', '/portal/accounts/A0001/arrangement-requests', customer, { installments: 6, reason: 'Reduced hours at work this winter' }, { 'idempotency-key': 'screenshots' });
    await page.setViewportSize(DESKTOP);
    await page.getByRole('link', { name: 'Arrangement requests' }).click();
    await page.getByRole('button', { name: /^Approve/ }).waitFor();
    await shot(page, 'console-arrangement-requests-desktop');
    print(`screenshots saved in ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await web.close();
    await platform.local.stop();
  }
}

/** A bill of an earlier system that fell due 40 days ago: something past due for the arrangement screens. */
async function pastDueBill(platform: Browser.WebPlatform, accountId: string): Promise<void> {
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
  const { DynamoLedgerStore } = require('../../shared/adapters/ledger-store') as typeof import('../../shared/adapters/ledger-store');
  const { ledgerEntryForBill } = require('../../shared/domain/ledger') as typeof import('../../shared/domain/ledger');
  const { LOCAL_REGION } = require('../../shared/local/template') as typeof import('../../shared/local/template');
  const running = platform.local.platform;
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: running.endpoints.dynamodb, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), { marshallOptions: { removeUndefinedValues: true } });
  const day = (msAgo: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - msAgo));
  const old = ledgerEntryForBill({ billId: `BOLD${accountId}`, accountId, total: '150.00', periodStart: day(90 * 86_400_000), periodEnd: day(60 * 86_400_000), dueDate: day(40 * 86_400_000), serviceType: 'electric' }, new Date(Date.now() - 60 * 86_400_000).toISOString());
  await new DynamoLedgerStore(client, running.tableName).commit({ entries: [old], audit: [] });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
