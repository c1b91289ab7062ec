/**
 * Accessibility of the portal and the staff console in a real browser: axe-core on every screen at
 * a phone size and a desktop size (no serious or critical violation), the skip link, focus on the
 * new page's heading after navigating, and a keyboard-only run (Tab and Enter) from sign-in to
 * paying a bill.
 */
import { Decimal } from 'decimal.js';
import type { Page } from 'playwright-core';
import { accessibilityProblems, DESKTOP, launchBrowser, PHONE, shown, startWebPlatform } from './browser';
import type { WebBrowser, WebPlatform } from './browser';
import { eventually } from '../local/platform-harness';

let platform: WebPlatform;
let web: WebBrowser;

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  platform = await startWebPlatform('cis-web-a11y-', 2);
  // A period without reads: both accounts' bills are held, so the bill review screen has rows to check.
  const billing = await platform.token({ staff: 'setup', role: 'billing' });
  const day = (daysAgo: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - daysAgo * 86_400_000));
  const started = await platform.api('POST', '/staff/billing-runs', billing, { cycle: 'C1', periodStart: day(70), periodEnd: day(41) });
  expect(started.status).toBe(202);
  await eventually('held bills', async () => {
    const queue = (await platform.api('GET', '/staff/bill-exceptions', billing)).json as { items: unknown[] };
    return queue.items.length >= 2 ? queue : undefined;
  }, 60_000);
}, 240_000);

afterAll(async () => {
  await web?.close();
  await platform?.local.stop();
});

/** What has the keyboard focus: tag, id and text. */
function focused(page: Page): Promise<{ tag: string; id: string; text: string } | undefined> {
  return page.evaluate(() => {
    const element = (globalThis as unknown as { document: { activeElement: { tagName: string; id: string; textContent: string | null } | null } }).document.activeElement;
    return element ? { tag: element.tagName, id: element.id, text: (element.textContent ?? '').trim() } : undefined;
  });
}

/** Presses Tab until `match` has the focus (at most `limit` times); fails naming what had it. */
async function tabTo(page: Page, match: (element: { tag: string; id: string; text: string }) => boolean, limit = 40): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const element = await focused(page);
    if (element && match(element)) return;
    seen.push(`${element?.tag}#${element?.id} ${element?.text.slice(0, 30)}`);
  }
  throw new Error(`Tab never reached the element; focus went through: ${seen.join(' | ')}`);
}

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('axe-core on a %s', (_size, viewport) => {
  let page: Page;

  beforeAll(async () => {
    page = await (await web.context(viewport)).newPage();
  });

  it('finds nothing serious on the portal screens', async () => {
    await page.goto(`${platform.url}/`);
    await page.getByLabel('Customer number').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Customer number').fill('C0001');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My accounts' }).waitFor();
    await page.getByRole('link', { name: 'Account A0001' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Account A0001' }).click();
    await page.getByRole('heading', { name: 'Bills' }).waitFor();
    await page.getByRole('img', { name: /usage/i }).waitFor();
    await page.getByRole('heading', { name: 'My requests' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    // An error state: a declined card.
    await page.getByLabel('Amount (USD)').fill('2.00');
    await page.getByLabel('Pay with').selectOption({ label: 'Card that is declined (test card)' });
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.getByRole('alert').filter({ hasText: /declined/i }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.goto(`${platform.url}/accounts/A0002`);
    await page.getByRole('alert').getByText('is not one of your accounts').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('finds nothing serious on the console screens', async () => {
    await page.goto(`${platform.url}/console/`);
    await page.getByLabel('User name').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('User name').fill('bill');
    await page.getByLabel('Role').selectOption('billing');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel(/Name, address/).fill('A0001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'A0001' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'A0001' }).click();
    await page.getByRole('heading', { name: 'Billing disputes' }).waitFor();
    await page.getByRole('heading', { name: 'Audit timeline' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Bill review' }).click();
    await page.getByRole('heading', { name: 'Bill review' }).waitFor();
    await page.getByRole('columnheader', { name: 'Why it was held' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bill review' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).getAttribute('aria-current')).toBeNull();
    await page.getByRole('button', { name: /^Release the bill of account/ }).first().waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});

it('reports a planted unlabelled field and low contrast text (the check is live)', async () => {
  const page = await (await web.context(DESKTOP)).newPage();
  await page.goto(`${platform.url}/`);
  await page.getByLabel('Customer number').waitFor();
  await page.evaluate(() => {
    const document = (globalThis as unknown as { document: { getElementById(id: string): { insertAdjacentHTML(where: string, html: string): void } } }).document;
    document.getElementById('main').insertAdjacentHTML('beforeend', '<input id="planted"><p style="color:#bbb;background:#fff">faint</p>');
  });
  const found = (await accessibilityProblems(page)).map((problem) => problem.split(':')[0]!.split(' ')[1]);
  expect(found).toEqual(expect.arrayContaining(['label', 'color-contrast']));
  await page.close();
});

describe('the keyboard alone', () => {
  let page: Page;

  beforeAll(async () => {
    page = await (await web.context(DESKTOP)).newPage();
  });

  it('skips to the content with the skip link', async () => {
    await page.goto(`${platform.url}/`);
    await page.locator('#customer-id').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'A', text: 'Skip to content' });
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'MAIN', id: 'main' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'INPUT', id: 'customer-id' });
  });

  it('signs in and pays a bill with Tab and Enter, focus moving to each new page heading', async () => {
    const token = await platform.token({ customerId: 'C0001' });
    const before = new Decimal((await platform.api('GET', '/portal/accounts/A0001/balance', token)).json.balance);
    await page.keyboard.type('C0001');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'My accounts' }).waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement?.tagName === 'H1');
    expect(await focused(page)).toMatchObject({ tag: 'H1', text: 'My accounts' });
    expect(await page.title()).toBe('My accounts – My utility account');
    await tabTo(page, (element) => element.tag === 'A' && element.text === 'Account A0001');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent === 'Account A0001');
    expect(await focused(page)).toMatchObject({ tag: 'H1', text: 'Account A0001' });
    await tabTo(page, (element) => element.id === 'pay-amount');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('3.10');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'SELECT', id: 'pay-method' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'BUTTON', text: 'Pay now' });
    await page.keyboard.press('Enter');
    await page.getByText('Your payment of $3.10 was received').waitFor();
    const after = before.minus('3.10').toFixed(2);
    await page.getByTestId('balance').getByText(shown(after), { exact: true }).waitFor();
    expect((await platform.api('GET', '/portal/accounts/A0001/balance', token)).json.balance).toBe(after);
  });

  it('shows where the focus is', async () => {
    await page.keyboard.press('Shift+Tab');
    const outline = await page.evaluate(() => {
      const element = (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement;
      const style = (globalThis as unknown as { getComputedStyle(element: unknown): { outlineStyle: string; outlineWidth: string } }).getComputedStyle(element);
      return { style: style.outlineStyle, width: style.outlineWidth };
    });
    expect(outline.style).not.toBe('none');
    expect(Number.parseFloat(outline.width)).toBeGreaterThanOrEqual(2);
  });
});
