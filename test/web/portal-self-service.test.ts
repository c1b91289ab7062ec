/**
 * The portal's self-service screens in a real browser (Debian's Chromium) against the local
 * platform, at a phone size and a desktop size: autopay enrollment (with the API's field error
 * for a bad routing number) and its cancellation after a confirmation, paperless bill delivery
 * and notification preferences that survive a reload, and a payment arrangement request that a
 * CSR approves in the console's queue, after which the portal shows the schedule. Each screen is
 * checked with axe-core (no serious or critical violations).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import { DynamoLedgerStore } from '../../shared/adapters/ledger-store';
import { ledgerEntryForBill } from '../../shared/domain/ledger';
import { LOCAL_REGION } from '../../shared/local/template';
import { accessibilityProblems, DESKTOP, horizontalOverflow, launchBrowser, PHONE, shown, signInToPortal, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';

let platform: WebPlatform;
let web: WebBrowser;
let csr: string;

function localDate(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-self-service-', 2);
  csr = await platform.token({ staff: 'casey', role: 'csr' });
  // A bill of an earlier system that fell due 40 days ago on each account: something past due to arrange.
  const running = platform.local.platform;
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: running.endpoints.dynamodb, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), { marshallOptions: { removeUndefinedValues: true } });
  const issued = new Date(Date.now() - 60 * 86_400_000);
  for (const accountId of ['A0001', 'A0002']) {
    const old = ledgerEntryForBill({ billId: `BOLD${accountId}`, accountId, total: '150.00', periodStart: localDate(new Date(issued.getTime() - 30 * 86_400_000)), periodEnd: localDate(issued), dueDate: localDate(new Date(Date.now() - 40 * 86_400_000)), serviceType: 'electric' }, issued.toISOString());
    await new DynamoLedgerStore(client, running.tableName).commit({ entries: [old], audit: [] });
  }
  // Both customers start on paper bills (staff change, through the staff API).
  for (const customerId of ['C0001', 'C0002']) {
    const changed = await platform.api('PATCH', `/staff/customers/${customerId}`, csr, { billDelivery: 'PAPER' });
    if (changed.status !== 200) throw new Error(`customer ${customerId} not changed: ${changed.status} ${JSON.stringify(changed.json)}`);
  }
}, 180_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

/** Runs axe-core on the page; no serious or critical violation is allowed. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  expect({ screen, problems: await accessibilityProblems(page) }).toEqual({ screen, problems: [] });
}

const signIn = (page: Page, customerId: string) => signInToPortal(page, platform.url, customerId);

describe.each([
  ['phone', PHONE, 'C0001', 'A0001'],
  ['desktop', DESKTOP, 'C0002', 'A0002'],
])('self-service in the portal on a %s', (_size, viewport, customerId, accountId) => {
  let page: Page;
  let token: string;
  const base = `/portal/accounts/${accountId}`;

  beforeAll(async () => {
    page = await (await web.context(viewport)).newPage();
    token = await platform.token({ customerId });
    await signIn(page, customerId);
    await page.getByRole('link', { name: `Account ${accountId}` }).click();
    await page.getByRole('heading', { name: 'Autopay' }).waitFor();
  }, 60_000);

  it('shows the API field error for a bad routing number next to the field, and enrolls nothing', async () => {
    const autopay = page.getByTestId('autopay');
    await autopay.getByLabel('Name on the bank account').fill('Dana Cruz');
    await autopay.getByLabel('Routing number').fill('111111111');
    await autopay.getByLabel('Account number').fill('000123456789');
    await autopay.getByRole('button', { name: 'Enroll in autopay' }).click();
    const fieldError = page.locator('#autopay-routingNumber-error');
    await fieldError.getByText('routingNumber must be a valid ABA routing number').waitFor();
    // The error is tied to the field and the field has the focus.
    expect(await page.getByLabel('Routing number').getAttribute('aria-describedby')).toContain('autopay-routingNumber-error');
    expect(await page.getByLabel('Routing number').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('autopay-routingNumber');
    expect((await platform.api('GET', `${base}/autopay`, token)).json.autopay).toBeNull();
    await expectAccessible(page, 'autopay form with a field error');
  });

  it('enrolls in autopay and shows only the last four digits', async () => {
    const autopay = page.getByTestId('autopay');
    await autopay.getByLabel('Routing number').fill('011000015');
    await autopay.getByLabel('Account type').selectOption('savings');
    await autopay.getByRole('button', { name: 'Enroll in autopay' }).click();
    await page.getByTestId('autopay-status').getByText('Enrolled').waitFor();
    await page.getByText('You are enrolled in autopay from the savings account ending 6789.').waitFor();
    expect(await page.getByTestId('autopay-bank').textContent()).toBe('Savings account ending 6789');
    expect(await autopay.textContent()).not.toContain('000123456789');
    const stored = (await platform.api('GET', `${base}/autopay`, token)).json.autopay;
    expect(stored).toMatchObject({ status: 'ACTIVE', routingNumber: '011000015', accountLast4: '6789', accountType: 'savings', authorizedBy: `customer:${customerId}` });
    expect(JSON.stringify(stored)).not.toContain('000123456789');
  });

  it('cancels autopay only after the confirmation', async () => {
    const autopay = page.getByTestId('autopay');
    await autopay.getByRole('button', { name: 'Cancel autopay' }).click();
    await autopay.getByText('Stop paying bills automatically from the savings account ending 6789?').waitFor();
    await expectAccessible(page, 'autopay cancel confirmation');
    await autopay.getByRole('button', { name: 'Keep autopay' }).click();
    expect((await platform.api('GET', `${base}/autopay`, token)).json.autopay.status).toBe('ACTIVE');
    await autopay.getByRole('button', { name: 'Cancel autopay' }).click();
    await autopay.getByRole('button', { name: 'Yes, cancel autopay' }).click();
    await page.getByText('Autopay is cancelled.').waitFor();
    await autopay.getByRole('button', { name: 'Enroll in autopay' }).waitFor();
    expect((await platform.api('GET', `${base}/autopay`, token)).json.autopay).toMatchObject({ status: 'CANCELLED', cancelledBy: `customer:${customerId}` });
  });

  it('asks for a payment arrangement of the past-due balance and shows it pending', async () => {
    const balance = (await platform.api('GET', `${base}/balance`, token)).json;
    expect(new Decimal(balance.pastDue).gte('150.00')).toBe(true);
    const panel = page.getByTestId('arrangement');
    await panel.getByTestId('arrangement-past-due').getByText(shown(balance.pastDue), { exact: true }).waitFor();
    await panel.getByLabel('Number of monthly installments').selectOption('6');
    await panel.getByLabel(/Why do you need an arrangement/).fill('Reduced hours at work this winter');
    await panel.getByRole('button', { name: 'Ask for an arrangement' }).click();
    await page.getByText(/Your request RQ\S+ was sent/).waitFor();
    await panel.getByTestId('arrangement-request-status').getByText('Waiting for review').waitFor();
    expect(await panel.getByRole('button', { name: 'Ask for an arrangement' }).count()).toBe(0);
    const requests = (await platform.api('GET', `${base}/arrangement-requests`, token)).json.items;
    expect(requests).toMatchObject([{ status: 'PENDING', installments: 6, reason: 'Reduced hours at work this winter', pastDue: balance.pastDue }]);
    // A second request while this one waits is refused by the API with a reason.
    const again = await platform.api('POST', `${base}/arrangement-requests`, token, { installments: 3 }, { 'idempotency-key': `again-${accountId}` });
    expect(again).toMatchObject({ status: 409, json: { reason: 'arrangement-request-pending' } });
    expect(await horizontalOverflow(page)).toBe(0);
    await expectAccessible(page, 'account page with autopay and the arrangement request');
  });

  it('a CSR approves the request in the console queue, and the portal shows the schedule', async () => {
    const [request] = (await platform.api('GET', `${base}/arrangement-requests`, token)).json.items;
    const consolePage = await (await web.context(viewport)).newPage();
    await consolePage.goto(`${platform.url}/console/`);
    await consolePage.getByLabel('User name').fill('casey');
    await consolePage.getByLabel('Role').selectOption('csr');
    await consolePage.getByRole('button', { name: 'Sign in' }).click();
    await consolePage.getByRole('link', { name: 'Arrangement requests' }).click();
    const card = consolePage.locator(`[data-request-id="${request.requestId}"]`);
    await card.waitFor();
    await expectAccessible(consolePage, 'console arrangement requests');
    // Without a reason nothing is decided.
    await card.getByRole('button', { name: `Approve the request of account ${accountId}` }).click();
    await consolePage.getByRole('alert').getByText('Give a reason').waitFor();
    expect((await platform.api('GET', `${base}/arrangement-requests`, token)).json.items[0].status).toBe('PENDING');
    await card.getByLabel('Reason for the decision').fill('Hardship confirmed by phone');
    await card.getByRole('button', { name: `Approve the request of account ${accountId}` }).click();
    await consolePage.getByText(`Request of account ${accountId} approved`).waitFor();
    await card.waitFor({ state: 'detached' });
    await consolePage.close();

    const { arrangement } = (await platform.api('GET', `${base}/arrangement`, token)).json;
    expect(arrangement).toMatchObject({ arrangementId: `AR${request.requestId}`, status: 'ACTIVE', createdBy: 'casey' });
    expect(arrangement.installments).toHaveLength(6);
    const audit = (await platform.api('GET', `/staff/accounts/${accountId}/overview`, csr)).json.auditTimeline.map((event: { action: string }) => event.action);
    expect(audit).toEqual(expect.arrayContaining(['arrangement-request.created', 'arrangement.created']));

    await page.reload();
    const panel = page.getByTestId('arrangement');
    await panel.getByTestId('arrangement-request-status').getByText(/Approved on/).waitFor();
    const schedule = panel.getByTestId('arrangement-schedule');
    await schedule.waitFor();
    expect(await schedule.locator('tbody tr').count()).toBe(6);
    for (const installment of arrangement.installments) await schedule.getByRole('cell', { name: shown(installment.amount) }).first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await expectAccessible(page, 'account page with the arrangement schedule');
  });

  it('refuses text messages without a phone, then saves paperless and notification choices that a reload shows', async () => {
    await page.getByRole('link', { name: 'Preferences' }).click();
    await page.getByRole('heading', { name: 'Preferences' }).waitFor();
    await page.getByTestId('paperless-status').getByText('You get a paper bill by mail.').waitFor();
    await expectAccessible(page, 'preferences');
    await page.getByLabel('A new bill is ready: text message').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByRole('alert').getByText('text messages need a phone number').waitFor();
    expect((await platform.api('GET', '/portal/preferences', token)).json.notifications.billReady).toEqual(['EMAIL']);

    await page.getByLabel('Paperless: the bill in the portal').check();
    await page.getByLabel('Mobile phone for text messages').fill('(555) 555-0101');
    await page.getByLabel('Usage is higher than usual: e-mail').uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Your preferences are saved.').waitFor();

    const saved = (await platform.api('GET', '/portal/preferences', token)).json;
    expect(saved).toMatchObject({ billDelivery: 'PORTAL', paperless: true, phones: ['5555550101'] });
    expect(saved.notifications).toEqual({ billReady: ['EMAIL', 'SMS'], paymentDue: ['EMAIL'], highUsage: [], serviceOrders: ['EMAIL'], collections: ['EMAIL'] });

    await page.reload();
    await page.getByTestId('paperless-status').getByText('You are paperless').waitFor();
    expect(await page.getByLabel('Paperless: the bill in the portal').isChecked()).toBe(true);
    expect(await page.getByLabel('A new bill is ready: text message').isChecked()).toBe(true);
    expect(await page.getByLabel('Usage is higher than usual: e-mail').isChecked()).toBe(false);
    expect(await page.getByLabel('Mobile phone for text messages').inputValue()).toBe('(555) 555-0101');
    expect(await horizontalOverflow(page)).toBe(0);
    await expectAccessible(page, 'preferences after a reload');
  });
});
