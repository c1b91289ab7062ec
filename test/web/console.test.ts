/**
 * The staff console in a real browser (Debian's Chromium) against the local platform, at a phone
 * size and a desktop size: staff sign-in with a role, search, the account overview, and
 * resolving a billing dispute with a credit adjustment.
 */
import Decimal from 'decimal.js';
import type { Page } from 'playwright-core';
import { DESKTOP, horizontalOverflow, launchBrowser, PHONE, shown, signInToConsole, startWebPlatform } from './browser';
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

const signIn = (page: Page, staff: string, role: 'csr' | 'billing' | 'admin' | 'auditor') => signInToConsole(page, platform.url, staff, role);

describe.each([
  ['phone', PHONE, 'A0001'],
  ['desktop', DESKTOP, 'A0002'],
])('the staff console on a %s', (_size, viewport, accountId) => {
  let page: Page;

  beforeAll(async () => {
    page = await (await web.context(viewport)).newPage();
  });

  it('signs in, finds the account and shows its overview with the balance of the API', async () => {
    await signIn(page, 'casey', 'csr');
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

  it('lets a CSR resolve a dispute on the call with a credit adjustment: the balance drops and the dispute closes', async () => {
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

it('keeps a dispute open when a CSR\'s credit is above the CSR limit: the credit waits for approval and nothing is posted', async () => {
  const page = await (await web.context(DESKTOP)).newPage();
  await signIn(page, 'casey', 'csr');
  await page.goto(`${platform.url}/console/accounts/A0001`);
  await page.getByRole('heading', { name: 'Billing disputes' }).waitFor();
  await page.getByLabel('What the customer disputes').fill('Customer questions the customer charge');
  await page.getByRole('button', { name: 'Open dispute' }).click();
  const before = (await overview('A0001')).receivable.balance;
  const opened = (await overview('A0001')).disputes.find((dispute: { status: string }) => dispute.status === 'OPEN');
  const form = page.locator(`form[data-dispute-id="${opened.disputeId}"]`);
  await form.getByLabel('Credit to the customer (USD)').fill('40.00');
  await form.getByLabel('Resolution').fill('Larger credit agreed with the customer');
  await form.getByRole('button', { name: 'Credit and close dispute' }).click();
  await page.getByText('Credit awaits approval').waitFor();
  const data = await overview('A0001');
  expect(data.receivable.balance).toBe(before);
  expect(data.disputes.find((dispute: { disputeId: string }) => dispute.disputeId === opened.disputeId)).toMatchObject({ status: 'OPEN' });
});

it('shows an auditor the disputes without the forms', async () => {
  const page = await (await web.context(DESKTOP)).newPage();
  await signIn(page, 'audra', 'auditor');
  await page.goto(`${platform.url}/console/accounts/A0001`);
  await page.getByText('Your role can view disputes but not open or resolve them.').waitFor();
  expect(await page.getByRole('button', { name: 'Open dispute' }).count()).toBe(0);
});

it('shows the bill review queue with why each bill was held, and releases one that then posts', async () => {
  // A period without reads and without history: every account's bill is held (missing reads).
  const billing = await platform.token({ staff: 'setup', role: 'billing' });
  const day = (daysAgo: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - daysAgo * 86_400_000));
  const started = await platform.api('POST', '/staff/billing-runs', billing, { cycle: 'C1', periodStart: day(70), periodEnd: day(41) });
  expect(started.status).toBe(202);
  let queue: { items: Array<{ billId: string; accountId: string; total: string; holds: Array<{ reason: string }> }> } = { items: [] };
  for (let tries = 0; tries < 120 && queue.items.length < 2; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    queue = (await platform.api('GET', '/staff/bill-exceptions', billing)).json;
  }
  expect(queue.items.map((item) => item.holds[0]!.reason)).toEqual(['missing-reads', 'missing-reads']);

  const page = await (await web.context(DESKTOP)).newPage();
  await signIn(page, 'bill', 'billing');
  await page.getByRole('link', { name: 'Bill review' }).click();
  await page.getByRole('heading', { name: 'Bill review' }).waitFor();
  const held = queue.items[0]!;
  await page.getByRole('cell', { name: held.accountId, exact: true }).waitFor();
  expect(await page.getByText('Missing reads', { exact: false }).count()).toBeGreaterThan(0);
  const ledgerBefore = (await platform.api('GET', `/staff/accounts/${held.accountId}/ledger`, billing)).json.items.length;
  await page.getByRole('button', { name: `Release the bill of account ${held.accountId}` }).click();
  await page.getByText(`Bill ${held.billId} of account ${held.accountId} released: it is posted.`).waitFor();
  expect((await platform.api('GET', '/staff/bill-exceptions', billing)).json.items.map((item: { billId: string }) => item.billId)).not.toContain(held.billId);
  expect((await platform.api('GET', `/staff/accounts/${held.accountId}/ledger`, billing)).json.items.length).toBe(ledgerBefore + 1);

  // An auditor sees the queue but cannot decide.
  const audit = await (await web.context(PHONE)).newPage();
  await signIn(audit, 'audra', 'auditor');
  await audit.goto(`${platform.url}/console/bill-review`);
  await audit.getByRole('heading', { name: 'Bill review' }).waitFor();
  await audit.getByText('Releasing and cancelling needs the billing or admin role.').waitFor();
  expect(await audit.getByRole('button', { name: /^Release/ }).count()).toBe(0);
  expect(await horizontalOverflow(audit)).toBeLessThanOrEqual(0);
});
