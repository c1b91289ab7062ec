/**
 * The staff console in a real browser (Debian's Chromium) against the local platform, at a phone
 * size and a desktop size: staff sign-in with a role, search, the account overview, and
 * resolving a billing dispute with a credit adjustment.
 */
import Decimal from 'decimal.js';
import type { Page } from 'playwright-core';
import { DESKTOP, horizontalOverflow, launchBrowser, PHONE, shown, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';

let platform: WebPlatform;
let web: WebBrowser;
let auditor: string;

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-console-', 2);
  auditor = await platform.token({ staff: 'audra', role: 'auditor' });
}, 180_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

const overview = async (accountId: string) => (await platform.api('GET', `/staff/accounts/${accountId}/overview`, auditor)).json;

async function signIn(page: Page, staff: string, role: string): Promise<void> {
  await page.goto(`${platform.url}/console/`);
  await page.getByLabel('User name').fill(staff);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.each([
  ['phone', PHONE, 'A0001'],
  ['desktop', DESKTOP, 'A0002'],
])('the staff console on a %s', (_size, viewport, accountId) => {
  let page: Page;

  beforeAll(async () => {
    page = await (await web.context(viewport)).newPage();
  });

  it('signs in, finds the account and shows its overview with the balance of the API', async () => {
    await signIn(page, 'bill', 'billing');
    await page.getByLabel(/Name, address/).fill(accountId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: accountId }).click();
    const data = await overview(accountId);
    await page.getByRole('heading', { name: new RegExp(`Account ${accountId}`) }).waitFor();
    await expect(page.getByTestId('balance').textContent()).resolves.toBe(shown(data.receivable.balance));
    await page.getByRole('cell', { name: data.bills[0].billId, exact: true }).waitFor();
    await page.getByText(data.customers[0].name).first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it('resolves a dispute with a credit adjustment: the balance drops and the dispute closes', async () => {
    const before = new Decimal((await overview(accountId)).receivable.balance);
    expect(before.gt(0)).toBe(true);
    await page.getByLabel('What the customer disputes').fill('The customer says the reading was estimated too high');
    await page.getByRole('button', { name: 'Open dispute' }).click();
    await page.getByTestId('open-disputes').getByText('1', { exact: true }).waitFor();
    const opened = (await overview(accountId)).disputes.find((dispute: { status: string }) => dispute.status === 'OPEN');
    expect(opened).toBeDefined();

    const form = page.locator(`form[data-dispute-id="${opened.disputeId}"]`);
    await form.getByLabel('Credit to the customer (USD)').fill('3.50');
    await form.getByLabel('Resolution').fill('Re-read confirmed an estimate; credited the difference');
    await form.getByRole('button', { name: 'Credit and close dispute' }).click();

    const after = before.minus('3.50').toFixed(2);
    await page.getByTestId('balance').getByText(shown(after), { exact: true }).waitFor();
    await page.getByTestId('open-disputes').getByText('0', { exact: true }).waitFor();
    await page.getByTestId('closed-disputes').getByText('credited the difference', { exact: false }).waitFor();
    const data = await overview(accountId);
    expect(data.receivable.balance).toBe(after);
    expect(data.disputes.find((dispute: { disputeId: string }) => dispute.disputeId === opened.disputeId)).toMatchObject({ status: 'CLOSED' });
    expect(data.auditTimeline.map((event: { action: string }) => event.action)).toEqual(expect.arrayContaining(['dispute.opened', 'ledger.adjusted', 'dispute.closed']));
  });

  it('asks to sign in again when the session has expired', async () => {
    const expired = await platform.token({ staff: 'bill', role: 'billing' }, new Date(Date.now() - 13 * 3600_000));
    await page.evaluate((token) => {
      const session = JSON.parse(sessionStorage.getItem('cis.console.session')!);
      sessionStorage.setItem('cis.console.session', JSON.stringify({ ...session, token }));
    }, expired);
    await page.goto(`${platform.url}/console/accounts/${accountId}`);
    await page.getByText('Your session expired. Please sign in again.').waitFor();
    await page.getByLabel('User name').waitFor();
  });
});

it('lets a CSR open a dispute but not post the credit adjustment', async () => {
  const page = await (await web.context(DESKTOP)).newPage();
  await signIn(page, 'casey', 'csr');
  await page.goto(`${platform.url}/console/accounts/A0001`);
  await page.getByRole('heading', { name: 'Billing disputes' }).waitFor();
  await page.getByRole('button', { name: 'Open dispute' }).waitFor();
  await page.getByLabel('What the customer disputes').fill('Customer questions the customer charge');
  await page.getByRole('button', { name: 'Open dispute' }).click();
  await page.getByText('Credit adjustments need the billing or admin role').waitFor();
  expect(await page.getByRole('button', { name: 'Credit and close dispute' }).count()).toBe(0);
});
