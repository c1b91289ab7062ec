/**
 * The portal's usage screen in a real browser against the local platform seeded with a year of
 * hourly usage for A0001 (a high-usage day three days ago, an estimated morning twenty days ago):
 * totals equal the API's, last year's comparison, the alert listed and marked, the hourly view,
 * the Green Button download parsed as ESPI XML, and no serious accessibility violations.
 */
import { readFile } from 'node:fs/promises';
import { Decimal } from 'decimal.js';
import { XMLParser } from 'fast-xml-parser';
import type { Page } from 'playwright-core';
import { parseUsageFeed } from '../../shared/domain/greenbutton/espi';
import { accessibilityProblems, DESKTOP, horizontalOverflow, launchBrowser, PHONE, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';

let platform: WebPlatform;
let web: WebBrowser;
let token: string;

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-usage-', 4, { demoUsageDays: 400 });
  token = await platform.token({ customerId: 'C0001' });
}, 180_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

interface Point {
  period: string;
  quantity: string;
  estimated: boolean;
}
interface UsageAnswer {
  timeZone: string;
  series: Array<{ unit: string; points: Point[] }>;
  alerts: Array<{ day: string; total: string; unit: string }>;
}

async function usage(from: string, to: string, interval: 'day' | 'hour'): Promise<UsageAnswer> {
  const { status, json } = await platform.api('GET', `/portal/accounts/A0001/usage?from=${from}&to=${to}&interval=${interval}`, token);
  expect(status).toBe(200);
  return json as UsageAnswer;
}

const sum = (points: Point[]) => points.reduce((total, point) => total.plus(point.quantity), new Decimal(0));
/** How the screen writes a quantity: the exact decimal with thousands separators. */
const grouped = (value: Decimal) => {
  const [whole, fraction] = value.toFixed().split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
};
const shiftDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const yearBefore = (date: string) => `${Number(date.slice(0, 4)) - 1}${date.slice(4)}`.replace(/-02-29$/, '-02-28');
/** Today in the utility's time zone (the seed's clock). */
const utilityToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

async function browserToday(page: Page): Promise<string> {
  return page.evaluate(() => {
    const now = new Date();
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  });
}

async function openUsage(page: Page): Promise<void> {
  await page.goto(`${platform.url}/`);
  await page.getByLabel('Customer number').fill('C0001');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Account A0001' }).click();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
}

describe('the usage screen on a desktop', () => {
  let page: Page;
  let today: string;

  beforeAll(async () => {
    page = await (await web.context(DESKTOP)).newPage();
    await openUsage(page);
    today = await browserToday(page);
  });

  it("shows this month's daily usage with the API's totals and last year's beside it", async () => {
    // This month up to yesterday, its last complete day (today on the 1st).
    const from = `${today.slice(0, 8)}01`;
    const to = today === from ? today : shiftDays(today, -1);
    const [current, lastYear] = await Promise.all([usage(from, to, 'day'), usage(yearBefore(from), yearBefore(to), 'day')]);
    const thisTotal = sum(current.series[0]!.points);
    const lastTotal = sum(lastYear.series[0]!.points);
    expect(thisTotal.gt(0)).toBe(true);
    expect(lastTotal.gt(0)).toBe(true);
    await page.getByTestId('usage-total').getByText(grouped(thisTotal), { exact: true }).waitFor();
    expect(await page.getByTestId('usage-total-last-year').textContent()).toBe(grouped(lastTotal));
    // Nothing after today: "Next month" says so and keeps its place in the tab order.
    expect(await page.getByRole('button', { name: 'Next month' }).getAttribute('aria-disabled')).toBe('true');
    const change = thisTotal.minus(lastTotal).div(lastTotal).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);
    expect(await page.getByTestId('usage-change').textContent()).toBe(`${change.startsWith('-') ? '' : '+'}${change}%`);
    const chart = page.getByRole('img', { name: /Daily usage in kWh/ });
    await chart.waitFor();
    // A bar per day of this month so far, and last year's bar beside each day that had usage.
    expect(await chart.locator('rect.bar').count()).toBe(current.series[0]!.points.length);
    expect(await chart.locator('rect.bar-last-year').count()).toBeGreaterThan(0);
    expect(await chart.getAttribute('aria-labelledby')).toBeTruthy();
    await page.getByRole('img', { name: new RegExp(`Total ${grouped(thisTotal).replace('.', '\\.')} kWh`) }).waitFor();
  });

  it('shows the table of the numbers on request', async () => {
    const toggle = page.getByRole('button', { name: 'Show the numbers as a table' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const table = page.getByRole('table', { name: /Daily usage in kWh/ });
    await table.waitFor();
    expect(await page.getByRole('button', { name: 'Hide the table' }).getAttribute('aria-expanded')).toBe('true');
    const from = `${today.slice(0, 8)}01`;
    const points = (await usage(from, today === from ? today : shiftDays(today, -1), 'day')).series[0]!.points;
    const first = table.getByRole('row').nth(1);
    expect(await first.getByRole('cell').first().textContent()).toBe(grouped(new Decimal(points[0]!.quantity)));
    await page.getByRole('button', { name: 'Hide the table' }).click();
  });

  it('lists the seeded high-usage day as an alert and marks it on the chart', async () => {
    const alertDay = shiftDays(utilityToday(), -3);
    // The alert day may lie in the month before this one.
    if (alertDay.slice(0, 7) !== today.slice(0, 7)) await page.getByRole('button', { name: 'Previous month' }).click();
    const month = alertDay.slice(0, 7);
    const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
    const answer = await usage(`${month}-01`, last < today ? last : shiftDays(today, -1), 'day');
    expect(answer.alerts.map((alert) => alert.day)).toEqual([alertDay]);
    const list = page.getByRole('group', { name: 'High-usage alert' });
    await list.waitFor();
    await list.getByText(`you used ${grouped(new Decimal(answer.alerts[0]!.total))} kWh`).waitFor();
    await page.locator(`svg path.marker-alert[data-alert-day="${alertDay}"]`).waitFor();
    expect(await page.locator('svg path.marker-alert').count()).toBe(1);
  });

  it("switches to the alert day's hours with the API's totals and last year's same day", async () => {
    const alertDay = shiftDays(utilityToday(), -3);
    await page.getByRole('button', { name: /^See the hours of / }).click();
    expect(await page.getByRole('button', { name: 'Hour by hour (a day)' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByLabel('Day', { exact: true }).inputValue()).toBe(alertDay);
    // The link went away with the month's content: the focus is on the day field.
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === 'usage-day');
    const [current, lastYear] = await Promise.all([usage(alertDay, alertDay, 'hour'), usage(yearBefore(alertDay), yearBefore(alertDay), 'hour')]);
    expect(current.series[0]!.points.length).toBeGreaterThanOrEqual(23);
    const chart = page.getByRole('img', { name: /Hourly usage in kWh/ });
    await chart.waitFor();
    expect(await page.getByTestId('usage-total').textContent()).toBe(grouped(sum(current.series[0]!.points)));
    expect(await page.getByTestId('usage-total-last-year').textContent()).toBe(grouped(sum(lastYear.series[0]!.points)));
    expect(await chart.locator('rect.bar').count()).toBe(current.series[0]!.points.length);
    expect(await chart.locator('rect.bar-last-year').count()).toBe(lastYear.series[0]!.points.length);
    // Screen readers hear the new range and its total.
    const shownDay = new Date(`${alertDay}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
    expect(await page.locator('p[aria-live="polite"]').textContent()).toBe(`Usage for ${shownDay} shown: ${grouped(sum(current.series[0]!.points))} kWh, 1 high-usage alert.`);
    // The day is still flagged in the hour view.
    await page.getByRole('group', { name: 'High-usage alert' }).waitFor();
  });

  it('marks the estimated hours of a day', async () => {
    const estimatedDay = shiftDays(utilityToday(), -20);
    await page.getByLabel('Day', { exact: true }).fill(estimatedDay);
    const answer = await usage(estimatedDay, estimatedDay, 'hour');
    const estimated = answer.series[0]!.points.filter((point) => point.estimated);
    expect(estimated).toHaveLength(4);
    await page.getByText('4 hours are partly estimated').waitFor();
    await page.getByRole('button', { name: 'Show the numbers as a table' }).click();
    const rows = page.getByRole('table', { name: /Hourly usage/ }).getByRole('row').filter({ hasText: 'Estimated' });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(4);
    expect(await page.locator('svg rect.bar-estimated').count()).toBe(4);
    await page.getByRole('button', { name: 'Hide the table' }).click();
  });

  it('goes to the previous and next day', async () => {
    const estimatedDay = shiftDays(utilityToday(), -20);
    await page.getByRole('button', { name: 'Previous day' }).click();
    expect(await page.getByLabel('Day', { exact: true }).inputValue()).toBe(shiftDays(estimatedDay, -1));
    await page.getByRole('button', { name: 'Next day' }).click();
    await page.getByRole('button', { name: 'Next day' }).click();
    expect(await page.getByLabel('Day', { exact: true }).inputValue()).toBe(shiftDays(estimatedDay, 1));
    await page.getByText('4 hours are partly estimated').waitFor({ state: 'detached' });
  });

  it('downloads the range as a Green Button file that parses as ESPI XML', async () => {
    const day = await page.getByLabel('Day', { exact: true }).inputValue();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Green Button data' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`greenbutton-A0001-${day}-${day}.xml`);
    const xml = await readFile((await file.path())!, 'utf8');
    const document = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(xml) as { feed?: { entry?: unknown[] } };
    expect(Array.isArray(document.feed?.entry)).toBe(true);
    expect(xml).toContain('http://naesb.org/espi');
    const [reading] = parseUsageFeed(xml);
    const hourly = (await usage(day, day, 'hour')).series[0]!.points;
    expect(reading!.readings).toHaveLength(hourly.length);
    // Readings are in Wh: their sum is the day's kWh times 1000.
    expect(reading!.readings.reduce((total, r) => total.plus(r.value), new Decimal(0)).toFixed()).toBe(sum(hourly).times(1000).toFixed());
    await page.getByText(`Saved greenbutton-A0001-${day}-${day}.xml`).waitFor();
  });

  it('says clearly when the Green Button download fails', async () => {
    await page.route('**/usage/greenbutton?**', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ message: 'Service unavailable', code: 'Unavailable' }) }));
    await page.getByRole('button', { name: 'Download Green Button data' }).click();
    await page.getByRole('alert').filter({ hasText: 'The Green Button file could not be downloaded: Service unavailable' }).waitFor();
    await page.unroute('**/usage/greenbutton?**');
  });

  it("shows the API's error for a range, then the next range's usage", async () => {
    await page.route('**/portal/accounts/A0001/usage?**', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ message: 'Usage is unavailable right now' }) }));
    await page.getByRole('button', { name: 'Previous day' }).click();
    await page.getByRole('alert').filter({ hasText: 'Usage is unavailable right now' }).waitFor();
    expect(await page.getByRole('img', { name: /Hourly usage/ }).count()).toBe(0);
    await page.unroute('**/portal/accounts/A0001/usage?**');
    await page.getByRole('button', { name: 'Previous day' }).click();
    await page.getByRole('img', { name: /Hourly usage/ }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Usage is unavailable right now' }).count()).toBe(0);
  });

  it('has no serious accessibility violations', async () => {
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});

describe('the usage screen on a phone', () => {
  it('fits the width and has no serious accessibility violations', async () => {
    const page = await (await web.context(PHONE)).newPage();
    await openUsage(page);
    await page.getByRole('img', { name: /Daily usage in kWh/ }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});
