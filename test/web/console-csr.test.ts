/**
 * The console's CSR screens in a real browser (Debian's Chromium) against the local platform, at
 * a phone size and a desktop size: a CSR requests a credit adjustment that waits for approval, a
 * billing user approves it in the approvals queue and the balance changes once; a service order
 * created from the overview is moved through its states with its timeline; the collections
 * worklist of a run day shows a seeded account with its blocking rules; axe finds no serious or
 * critical violations on these screens.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import { DynamoLedgerStore } from '../../shared/adapters/ledger-store';
import { openingBalanceEntry } from '../../shared/domain/ledger';
import { LOCAL_REGION } from '../../shared/local/template';
import { eventually } from '../local/platform-harness';
import { accessibilityProblems, DESKTOP, horizontalOverflow, launchBrowser, PHONE, shown, signInToConsole, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';

/** A past day in the Pennsylvania winter: the default pack's collections run of that day. */
const RUN_DATE = '2026-01-05';
const COLLECTIONS_ACCOUNT = 'A0003';

let platform: WebPlatform;
let web: WebBrowser;
let auditor: string;

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-csr-', 3);
  auditor = await platform.token({ staff: 'audra', role: 'auditor' });

  // One account owes an old balance; the collections run of RUN_DATE puts it on the worklist.
  const { platform: running } = platform.local;
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: running.endpoints.dynamodb, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  await new DynamoLedgerStore(documentClient, running.tableName).commit({ entries: [openingBalanceEntry({ accountId: COLLECTIONS_ACCOUNT, amount: new Decimal('120.00'), asOf: '2025-10-01' })], audit: [] });
  documentClient.destroy();
  const billing = await platform.token({ staff: 'setup', role: 'billing' });
  const started = await platform.api('POST', '/staff/collections-runs', billing, { runDate: RUN_DATE });
  expect(started.status).toBe(202);
  await eventually(`collections run ${RUN_DATE}`, async () => {
    const { json } = await platform.api('GET', `/staff/collections/worklist?runDate=${RUN_DATE}`, auditor);
    return json.run?.status === 'COMPLETED' ? json : undefined;
  }, 60_000);
}, 240_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

const overview = async (accountId: string) => (await platform.api('GET', `/staff/accounts/${accountId}/overview`, auditor)).json;

const signIn = (page: Page, staff: string, role: 'csr' | 'billing' | 'admin' | 'auditor') => signInToConsole(page, platform.url, staff, role);

describe.each([
  ['phone', PHONE, 'A0001'],
  ['desktop', DESKTOP, 'A0002'],
])('the CSR screens on a %s', (size, viewport, accountId) => {
  it('a CSR requests a credit that waits for approval; a billing user approves it in the queue; the balance changes once', async () => {
    const before = new Decimal((await overview(accountId)).receivable.balance);
    const amount = size === 'phone' ? '32.34' : '27.89'; // above the CSR limit (25.00), within the approval limit
    const csr = await (await web.context(viewport)).newPage();
    await signIn(csr, `casey-${size}`, 'csr');
    await csr.goto(`${platform.url}/console/accounts/${accountId}`);
    const form = csr.getByRole('form', { name: 'Adjust the balance' });
    await form.getByLabel('Amount (USD)').fill(amount);
    await form.getByLabel('Credit (the customer owes less)').check();
    await form.getByLabel('Reason').fill('Leak allowance for the January bill');
    expect(await accessibilityProblems(csr)).toEqual([]);
    await form.getByRole('button', { name: 'Adjust', exact: true }).click();
    await csr.getByTestId('adjustment-outcome').getByText(`The credit of ${shown(amount)} awaits approval by another user`, { exact: false }).waitFor();
    expect((await overview(accountId)).receivable.balance).toBe(before.toFixed(2));
    expect(await horizontalOverflow(csr)).toBe(0);

    // The requester sees the request in the queue but cannot decide it.
    await csr.getByRole('link', { name: 'Open the approvals queue' }).click();
    await csr.getByRole('heading', { name: 'Approvals', exact: true }).waitFor();
    const own = csr.locator('li[data-request-id]', { hasText: `account ${accountId}` }).filter({ hasText: shown(amount) });
    await own.getByText('You asked for this adjustment: another user must approve or reject it.').waitFor();
    expect(await own.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    expect(await accessibilityProblems(csr)).toEqual([]);

    const billing = await (await web.context(viewport)).newPage();
    await signIn(billing, `bill-${size}`, 'billing');
    await billing.getByRole('link', { name: 'Approvals' }).click();
    const row = billing.locator('li[data-request-id]', { hasText: `account ${accountId}` }).filter({ hasText: shown(amount) });
    const requestId = await row.getAttribute('data-request-id');
    await row.getByRole('button', { name: `Approve the credit of ${shown(amount)} for account ${accountId}` }).click();
    await billing.getByText(`Approved: the credit of ${shown(amount)} is posted to account ${accountId}.`).waitFor();
    await billing.locator(`li[data-request-id="${requestId}"]`).waitFor({ state: 'detached' });
    expect(await horizontalOverflow(billing)).toBe(0);

    const after = before.minus(amount).toFixed(2);
    await billing.goto(`${platform.url}/console/accounts/${accountId}`);
    await billing.getByTestId('balance').getByText(shown(after), { exact: true }).waitFor();
    // Deciding again (another approver, or a replay) posts nothing more.
    const admin = await platform.token({ staff: 'ada', role: 'admin' });
    expect((await platform.api('POST', `/staff/adjustment-requests/${accountId}/${requestId}/decision`, admin, { decision: 'approve' })).status).toBe(409);
    const data = await overview(accountId);
    expect(data.receivable.balance).toBe(after);
    expect(data.auditTimeline.filter((event: { action: string }) => event.action === 'ledger.adjustment-approved')).toHaveLength(1);
    expect(data.auditTimeline.map((event: { action: string }) => event.action)).toEqual(expect.arrayContaining(['ledger.adjustment-requested', 'ledger.adjustment-approved']));
  });

  it('creates a service order from the overview and moves it through its states with the timeline shown', async () => {
    const page = await (await web.context(viewport)).newPage();
    await signIn(page, `casey-${size}`, 'csr');
    await page.goto(`${platform.url}/console/accounts/${accountId}`);
    const create = page.getByRole('form', { name: 'Create a service order' });
    await create.getByLabel('Order type').selectOption('RE_READ');
    await create.getByLabel('Description (optional)').fill('Customer reports a stuck dial');
    await create.getByRole('button', { name: 'Create order' }).click();
    const link = create.getByRole('link', { name: /^Service order / });
    await link.waitFor();
    const orderId = (await link.textContent())!.replace('Service order ', '').trim();
    await link.click();
    await page.getByRole('heading', { name: `Service order ${orderId}` }).waitFor();
    await page.getByTestId('order-state').getByText('Created', { exact: true }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('form', { name: 'Schedule the order' }).getByLabel('Date of the visit').fill('2026-12-15');
    await page.getByRole('form', { name: 'Schedule the order' }).getByRole('button', { name: 'Schedule' }).click();
    await page.getByTestId('order-state').getByText('Scheduled', { exact: true }).waitFor();
    await page.getByRole('form', { name: 'Dispatch the order' }).getByRole('button', { name: 'Dispatch' }).click();
    await page.getByTestId('order-state').getByText('Dispatched', { exact: true }).waitFor();
    expect(await page.getByRole('form', { name: 'Schedule the order' }).count()).toBe(0);
    const complete = page.getByRole('form', { name: 'Complete the order' });
    await complete.getByLabel(/^Meter read of /).fill('1234.5');
    await complete.getByLabel('Findings (optional)').fill('Dial freed; read taken');
    await complete.getByRole('button', { name: 'Complete' }).click();
    await page.getByTestId('order-state').getByText('Completed', { exact: true }).waitFor();
    await page.getByText('nothing more can be done with it').waitFor();
    const timeline = page.getByTestId('order-timeline').getByRole('listitem');
    await expect(timeline.allTextContents()).resolves.toEqual([expect.stringMatching(/^Created/), expect.stringMatching(/^Scheduled/), expect.stringMatching(/^Dispatched/), expect.stringMatching(/^Completed/)]);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);

    // The work list of completed orders shows it, newest change first.
    await page.getByRole('link', { name: 'Service orders' }).click();
    await page.getByLabel('State').selectOption('COMPLETED');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('link', { name: orderId }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    const order = (await platform.api('GET', `/staff/service-orders/${orderId}`, auditor)).json;
    expect(order).toMatchObject({ state: 'COMPLETED', completion: { read: '1234.5', findings: 'Dial freed; read taken' } });
  });

  it('shows the collections worklist of a run day with the seeded account and why disconnection is blocked', async () => {
    const expected = (await platform.api('GET', `/staff/collections/worklist?runDate=${RUN_DATE}`, auditor)).json.items.find((item: { accountId: string }) => item.accountId === COLLECTIONS_ACCOUNT);
    expect(expected).toBeDefined();
    const page = await (await web.context(viewport)).newPage();
    await signIn(page, `audra-${size}`, 'auditor');
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByLabel('Run date', { exact: true }).fill(RUN_DATE);
    await page.getByRole('button', { name: 'Show' }).click();
    const row = page.getByTestId('worklist').getByRole('listitem').filter({ has: page.getByRole('link', { name: `Account ${COLLECTIONS_ACCOUNT}` }) });
    await row.waitFor();
    for (const rule of expected.blocking as Array<{ reason: string }>) await row.getByText(rule.reason, { exact: false }).first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await row.getByRole('link', { name: `Account ${COLLECTIONS_ACCOUNT}` }).click();
    await page.getByRole('heading', { name: new RegExp(`Account ${COLLECTIONS_ACCOUNT}`) }).waitFor();
  });
});
