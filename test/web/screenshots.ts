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
    print(`screenshots saved in ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await web.close();
    await platform.local.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
