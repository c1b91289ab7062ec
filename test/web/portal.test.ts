/**
 * The customer portal in a real browser (Debian's Chromium) against the local platform, at a
 * phone size and a desktop size: sign-in, the account summary, paying a bill, a service request
 * with its timeline, another customer's account in the URL, and an expired session.
 */
import Decimal from 'decimal.js';
import type { Page } from 'playwright-core';
import { DESKTOP, horizontalOverflow, launchBrowser, PHONE, shown, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';

let platform: WebPlatform;
let web: WebBrowser;
let customerToken: string;

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-portal-', 2);
  customerToken = await platform.token({ customerId: 'C0001' });
}, 180_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

/** Signs in with the keyboard alone: the skip link comes first, then the customer number field. */
async function signIn(page: Page, customerId: string): Promise<void> {
  await page.goto(`${platform.url}/`);
  // The app renders after its script runs: tab only once the sign-in form is there.
  await page.locator('#customer-id').waitFor();
  const focused = () => page.evaluate(() => {
    const element = (globalThis as unknown as { document: { activeElement: { id: string; textContent: string | null } | null } }).document.activeElement;
    return element ? { id: element.id, text: element.textContent } : undefined;
  });
  await page.keyboard.press('Tab');
  expect(await focused()).toMatchObject({ text: 'Skip to content' });
  await page.keyboard.press('Tab');
  expect(await focused()).toMatchObject({ id: 'customer-id' });
  await page.keyboard.type(customerId);
  await page.keyboard.press('Enter');
}

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('the portal on a %s', (_size, viewport) => {
  let page: Page;

  beforeAll(async () => {
    page = await (await web.context(viewport)).newPage();
  });

  it('signs in and shows the account summary with the amounts of the API', async () => {
    await signIn(page, 'C0001');
    await page.getByRole('link', { name: 'Account A0001' }).click();
    const balance = (await platform.api('GET', '/portal/accounts/A0001/balance', customerToken)).json;
    const bills = (await platform.api('GET', '/portal/accounts/A0001/bills', customerToken)).json;
    expect(bills.items.length).toBeGreaterThan(0);
    await expect(page.getByTestId('balance').textContent()).resolves.toBe(shown(balance.balance));
    await page.getByRole('heading', { name: 'Bills' }).waitFor();
    await page.getByRole('cell', { name: shown(bills.items[0].total) }).first().waitFor();
    expect(await page.getByTestId('due-date').textContent()).not.toBe('—');
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it('opens the bill PDF fetched with the session token', async () => {
    const popup = page.waitForEvent('popup');
    await page.getByRole('button', { name: /^PDF of the bill/ }).first().click();
    const opened = await popup;
    await opened.waitForURL(/^blob:/);
    const bytes = await opened.evaluate(async (href) => {
      const blob = await (await fetch(href)).blob();
      return { type: blob.type, head: await blob.slice(0, 5).text() };
    }, opened.url());
    expect(bytes).toEqual({ type: 'application/pdf', head: '%PDF-' });
    await opened.close();
  });

  it('pays part of the bill and shows the new balance and the last payment', async () => {
    const before = new Decimal((await platform.api('GET', '/portal/accounts/A0001/balance', customerToken)).json.balance);
    await page.getByLabel('Amount (USD)').fill('1.25');
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.getByText('Your payment of $1.25 was received').waitFor();
    const after = before.minus('1.25').toFixed(2);
    await page.getByTestId('balance').getByText(shown(after), { exact: true }).waitFor();
    expect((await platform.api('GET', '/portal/accounts/A0001/balance', customerToken)).json.balance).toBe(after);
    await page.getByTestId('last-payment').getByText('$1.25', { exact: false }).waitFor();
  });

  it('shows a declined card as an error and changes nothing', async () => {
    const before = (await platform.api('GET', '/portal/accounts/A0001/balance', customerToken)).json.balance;
    await page.getByLabel('Amount (USD)').fill('2.00');
    await page.getByLabel('Pay with').selectOption({ label: 'Card that is declined (test card)' });
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.getByRole('alert').filter({ hasText: /declined/i }).waitFor();
    expect((await platform.api('GET', '/portal/accounts/A0001/balance', customerToken)).json.balance).toBe(before);
    await page.getByLabel('Pay with').selectOption({ index: 0 });
  });

  it('sends a service request and shows it with its status timeline', async () => {
    const description = `Meter reading looks high (${viewport.width}px)`;
    await page.getByLabel('What do you need?').selectOption('RE_READ');
    await page.getByLabel('Details').fill(description);
    await page.getByRole('button', { name: 'Send request' }).click();
    const created = page.getByText(/Request O\S+ received/);
    await created.waitFor();
    const orderId = /Request (\S+) received/.exec((await created.textContent()) ?? '')![1]!;
    const orders = (await platform.api('GET', '/portal/accounts/A0001/service-orders', customerToken)).json.items;
    const order = orders.find((item: { orderId: string }) => item.orderId === orderId);
    expect(order).toBeDefined();
    const timeline = page.getByRole('list', { name: `Status timeline of request ${orderId}` });
    await timeline.waitFor();
    expect(await timeline.getByRole('listitem').count()).toBe(order.milestones.length);
    await timeline.getByText(order.milestones[0].text).waitFor();
  });

  it("shows a not-your-account message for another customer's account in the URL", async () => {
    expect((await platform.api('GET', '/portal/accounts/A0002/balance', customerToken)).status).toBe(403);
    await page.goto(`${platform.url}/accounts/A0002`);
    const alert = page.getByRole('alert');
    await alert.getByText('Account A0002 is not one of your accounts').waitFor();
    expect(await page.getByTestId('balance').count()).toBe(0);
  });

  it('asks to sign in again when the session has expired', async () => {
    const expired = await platform.token({ customerId: 'C0001' }, new Date(Date.now() - 13 * 3600_000));
    expect((await platform.api('GET', '/portal/accounts', expired)).status).toBe(401);
    await page.evaluate((token) => {
      const session = JSON.parse(sessionStorage.getItem('cis.portal.session')!);
      sessionStorage.setItem('cis.portal.session', JSON.stringify({ ...session, token }));
    }, expired);
    await page.goto(`${platform.url}/accounts/A0001`);
    await page.getByText('Your session expired. Please sign in again.').waitFor();
    await page.getByLabel('Customer number').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cis.portal.session'))).toBeNull();
  });
});
