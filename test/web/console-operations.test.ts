/**
 * The console's operations screens in a real browser (Debian's Chromium) against the local
 * platform, at a phone size and a desktop size: billing runs (start one, watch its progress
 * until it succeeds, the list, the cycle calendar, who may start a run) and the read exceptions
 * queue (resolve an exception that VEE held; who may resolve), with axe checks on each screen.
 */
import type { Page, Request } from 'playwright-core';
import { accessibilityProblems, DESKTOP, horizontalOverflow, launchBrowser, PHONE, signInToConsole, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';

let platform: WebPlatform;
let web: WebBrowser;
let billing: string;


beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-operations-', 2);
  billing = await platform.token({ staff: 'setup', role: 'billing' });
}, 180_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

/** A day in the utility's zone, `daysAgo` days before today. */
const dayAgo = (daysAgo: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - daysAgo * 86_400_000));

const signIn = (page: Page, staff: string, role: 'csr' | 'billing' | 'admin' | 'auditor') => signInToConsole(page, platform.url, staff, role);

describe.each([
  ['desktop', DESKTOP, 70, 41, '15:00', true],
  ['phone', PHONE, 40, 11, '16:00', false],
])('the operations screens on a %s', (_size, viewport, fromDaysAgo, toDaysAgo, readHour, expectHeld) => {
  let page: Page;

  beforeAll(async () => {
    page = await (await web.context(viewport)).newPage();
  });

  it('lets a billing user start a run and watch it reach SUCCEEDED with the counts of the API, then stops polling', async () => {
    await signIn(page, 'bill', 'billing');
    await page.getByRole('link', { name: 'Billing runs' }).click();
    await page.getByRole('heading', { name: 'Billing runs', level: 1 }).waitFor();
    // The run of the platform's setup is listed with its counts.
    const listed = (await platform.api('GET', '/staff/billing-runs', billing)).json.items as Array<{ runId: string; counts: { billed: number } }>;
    expect(listed.length).toBeGreaterThan(0);
    await page.locator(`tr[data-run-id="${listed[0]!.runId}"]`).waitFor();
    await page.getByRole('heading', { name: 'Cycle calendar' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    // Every request for the run and its answer's status, to see the page poll while it runs and stop after.
    const statuses: string[] = [];
    let runRequests = 0;
    const runPath = /\/staff\/billing-runs\/run-[^/?]+$/;
    page.on('request', (request: Request) => {
      if (runPath.test(new URL(request.url()).pathname)) runRequests++;
    });
    page.on('response', async (response) => {
      if (!runPath.test(new URL(response.url()).pathname)) return;
      statuses.push(((await response.json()) as { status: string }).status);
    });

    await page.getByLabel('Cycle', { exact: true }).fill('C1');
    await page.getByLabel('Period start').fill(dayAgo(fromDaysAgo));
    await page.getByLabel('Period end').fill(dayAgo(toDaysAgo));
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: /Billing run run-/ }).waitFor();
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByText(`Run ${runId} started.`).waitFor();
    await page.getByTestId('run-status').getByText(/^Run succeeded/).waitFor({ timeout: 90_000 });

    const run = (await platform.api('GET', `/staff/billing-runs/${runId}`, billing)).json;
    expect(run).toMatchObject({ status: 'SUCCEEDED', cycle: 'C1', periodStart: dayAgo(fromDaysAgo), periodEnd: dayAgo(toDaysAgo), startedBy: 'bill' });
    for (const name of ['billed', 'held', 'skipped', 'failed'] as const) {
      await expect(page.getByTestId(`count-${name}`).textContent()).resolves.toBe(String(run.counts[name]));
    }
    await expect(page.getByTestId('count-segments').textContent()).resolves.toBe(String(run.counts.segments));
    expect(run.counts.billed + run.counts.held + run.counts.skipped + run.counts.failed).toBe(2);
    // The first period without reads: both demo accounts' bills are held, and listed with a way to the review queue.
    if (expectHeld) expect(run.counts.held).toBe(2);
    const held = (await platform.api('GET', '/staff/bill-exceptions', billing)).json.items.filter((bill: { runId: string }) => bill.runId === runId);
    expect(held).toHaveLength(run.counts.held);
    for (const bill of held) await page.getByTestId('run-held').getByText(`bill ${bill.billId}`, { exact: false }).waitFor();
    if (run.counts.held > 0) expect(await page.getByRole('link', { name: 'Open the bill review queue' }).getAttribute('href')).toBe('/console/bill-review');
    const planned = run.progress.segments.planned as number;
    expect(await page.locator('#run-progress-total').getAttribute('max')).toBe(String(planned));
    expect(await page.locator('#run-progress-total').getAttribute('value')).toBe(String(run.progress.segments.done));
    expect(await page.locator('ol.segments > li').count()).toBe(run.progress.bySegment.length);
    await expect(page.getByTestId('run-rate').textContent()).resolves.toMatch(/^\d+\.\d{2}$/);

    // Polled until the run finished (every answer but the last said RUNNING), then no more requests.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(statuses.slice(0, -1).every((status) => status === 'RUNNING')).toBe(true);
    expect(runRequests).toBe(statuses.length);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBe(0);

    // Back in the list, the new run is first, with the API's counts.
    await page.getByRole('link', { name: 'All billing runs' }).click();
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await page.locator('tbody tr[data-run-id]').first().getAttribute('data-run-id')).toBe(runId);
    await row.getByText('Succeeded').waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
  }, 150_000);

  it('resolves a held reading in the read exceptions queue: the result is announced and it leaves the queue', async () => {
    const start = `${dayAgo(10)}T${readHour}:00Z`;
    const entered = await platform.api('POST', '/staff/meters/M0001/reads', billing, { readings: [{ start, durationSec: 3600, value: '-5', unit: 'kWh' }] });
    expect(entered.status).toBe(200);
    expect(entered.json).toMatchObject({ held: 1 });
    const open = (await platform.api('GET', '/staff/read-exceptions', billing)).json.items as Array<{ exceptionId: string; meterId: string; reason: string; quantity: string; start: string }>;
    const exception = open.find((item) => item.meterId === 'M0001' && item.reason === 'negative-consumption' && item.start === start);
    expect(exception).toMatchObject({ quantity: '-5' });

    await signIn(page, 'casey', 'csr');
    await page.getByRole('link', { name: 'Read exceptions' }).click();
    await page.getByRole('heading', { name: 'Read exceptions', level: 1 }).waitFor();
    const card = page.locator(`article[data-exception-id="${exception!.exceptionId}"]`);
    await card.getByTestId('exception-value').getByText('-5 kWh').waitFor();
    await card.getByText('Negative consumption: held, not stored').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBe(0);

    // A value the API refuses is explained with the field it names, and nothing changes.
    await card.getByRole('radio', { name: /^Edit/ }).check();
    await card.getByLabel('Corrected value (kWh)').fill('1.1234567');
    await card.getByRole('button', { name: /^Edit the negative consumption exception of meter M0001/ }).click();
    await card.getByRole('alert').getByText(/1\.1234567 has more than \d+ decimal places/).waitFor();
    expect((await platform.api('GET', '/staff/read-exceptions', billing)).json.items.map((item: { exceptionId: string }) => item.exceptionId)).toContain(exception!.exceptionId);

    await card.getByLabel('Corrected value (kWh)').fill('1.25');
    await card.getByLabel('Note (optional)').fill('checked the register on site');
    await card.getByRole('button', { name: /^Edit the negative consumption exception of meter M0001/ }).click();
    await page.getByRole('status').getByText(/Negative consumption on meter M0001 edited\. The reads of \d{4}-\d{2}-\d{2} changed\./).waitFor();
    await card.waitFor({ state: 'detached' });
    const after = (await platform.api('GET', '/staff/read-exceptions', billing)).json.items.map((item: { exceptionId: string }) => item.exceptionId);
    expect(after).not.toContain(exception!.exceptionId);
    const edited = (await platform.api('GET', '/staff/read-exceptions?status=EDITED', billing)).json.items.find((item: { exceptionId: string }) => item.exceptionId === exception!.exceptionId);
    expect(edited).toMatchObject({ status: 'EDITED', resolvedBy: 'casey', note: 'checked the register on site' });
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 60_000);

  it('tells a CSR why they cannot start a run, and an auditor why they cannot resolve exceptions', async () => {
    await signIn(page, 'casey', 'csr');
    await page.goto(`${platform.url}/console/billing-runs`);
    await page.getByTestId('start-why-not').getByText('Starting a billing run needs the billing or admin role').waitFor();
    expect(await page.getByRole('button', { name: 'Start run' }).count()).toBe(0);
    expect(await page.getByLabel('Period start').count()).toBe(0);
    await page.locator('tbody tr[data-run-id]').first().waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'audra', 'auditor');
    await page.getByRole('link', { name: 'Read exceptions' }).click();
    await page.getByTestId('resolve-why-not').getByText('Resolving them needs the CSR, billing or admin role.').waitFor();
    expect(await page.getByRole('button', { name: /exception of meter/ }).count()).toBe(0);
  }, 60_000);
});
