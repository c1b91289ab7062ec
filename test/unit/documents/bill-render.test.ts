/** The HTML view and the PDF drawn from one bill document, the PDF checked by rendering it with poppler. */
import { composeBillDocument } from '../../../shared/domain/bill-document';
import { escapeHtml, renderBillHtml } from '../../../shared/documents/bill-html';
import { renderBillPdf } from '../../../shared/documents/bill-pdf';
import { billEntries, documentInput, monthlyBills, payment, service } from './bill-fixtures';
import { countColour, pdfText, renderPages } from './poppler';

const months = Array.from({ length: 13 }, (_, i) => `${2024 + Math.floor((i + 2) / 12)}-${String(((i + 2) % 12) + 1).padStart(2, '0')}`);
const bills = monthlyBills(months, months.map((_, i) => String(300 + ((i * 137) % 400))));
const entries = [...billEntries(bills), payment('P1', '40.00', `${bills[11]!.periodEnd}T20:00:00Z`)];
const doc = composeBillDocument(documentInput(bills[12]!, bills, entries));

describe('bill HTML view', () => {
  const html = renderBillHtml(doc);

  it('shows the summary, every line of every service, messages and the remittance stub', () => {
    expect(html).toContain(`<td class="num">$${doc.summary.totalDue}</td>`);
    expect(html).toContain(`<td class="num">-$${doc.summary.paymentsAndCredits}</td>`);
    for (const line of doc.services[0]!.lines) expect(html).toContain(`<td>${line.description}</td><td class="num">${line.quantity} ${line.unit}</td><td class="num">${line.rate}</td><td class="num">$${line.amount}</td>`);
    expect(html).toContain(escapeHtml(doc.messages[0]!));
    expect(html).toContain(`<div class="scan">${doc.remittance.scanLine}</div>`);
  });

  it('draws one bar per bill period with the data as a table for screen readers', () => {
    expect(html.match(/<rect /g)).toHaveLength(13);
    expect(html.match(/class="bar current"/g)).toHaveLength(1);
    expect(html).toContain('aria-label="Electric usage for the last 13 bills, in kWh"');
    expect(html.match(/<tr><td>\d{4}-\d{2}( \(this bill\))?<\/td><td class="num">\d+<\/td><\/tr>/g)).toHaveLength(13);
  });

  it('escapes everything that comes from the record', () => {
    const hostile = composeBillDocument({ ...documentInput(bills[12]!, bills, entries), customer: { name: '<script>alert(1)</script> & "Co"' } });
    const page = renderBillHtml({ ...hostile, services: [{ ...hostile.services[0]!, tariffName: '<img src=x onerror=alert(2)>' }] });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(page).not.toMatch(/<script|https?:\/\//);
  });
});

describe('bill PDF', () => {
  let pdf: Buffer;
  beforeAll(async () => {
    pdf = await renderBillPdf(doc);
  });

  it('renders as one Letter page with the amounts, the lines and the stub', () => {
    const pages = renderPages(pdf, 50);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ width: 425, height: 550 });
    const text = pdfText(pdf);
    expect(text).toContain(doc.customerName);
    expect(text).toMatch(new RegExp(`Total amount due by ${doc.dueDate}\\s+\\$${doc.summary.totalDue.replace('.', '\\.')}`));
    expect(text).toMatch(/Payments and credits\s+-\$40\.00/);
    for (const line of doc.services[0]!.lines) expect(text).toContain(`$${line.amount}`);
    expect(text).toContain('Detach and return this part with your payment');
    expect(text).toContain(doc.remittance.scanLine);
  });

  it('draws the usage chart: twelve earlier periods in the light colour, the current one dark', async () => {
    // A bill without usage draws no bars: its pixels of the bar colours (anti-aliased text edges) are the baseline.
    const empty = composeBillDocument(documentInput({ ...bills[12]!, services: [service({ periodStart: bills[12]!.periodStart, periodEnd: bills[12]!.periodEnd, quantity: '0' })] }, [], []));
    const [blank] = renderPages(await renderBillPdf(empty), 50);
    const [page] = renderPages(pdf, 50);
    // At 50 dpi a bar is about 10 px wide and at least 15 px high (the lowest usage is over half the axis).
    expect(countColour(page!, '#9fb7d3') - countColour(blank!, '#9fb7d3')).toBeGreaterThan(12 * 10 * 15);
    expect(countColour(page!, '#0b5394') - countColour(blank!, '#0b5394')).toBeGreaterThan(10 * 15);
  });

  it('flows a bill with many services onto more pages and keeps the stub on the last', async () => {
    const base = bills[12]!;
    const services = ['AG1', 'AG2', 'AG3', 'AG4'].map((agreementId) => service({ agreementId, periodStart: base.periodStart, periodEnd: base.periodEnd, quantity: '450' }));
    const many = { ...base, services, total: '270.12' }; // 4 x (12.00 + 450 kWh x 0.1234 = 55.53)
    const big = composeBillDocument(documentInput(many, [many], billEntries([many])));
    const file = await renderBillPdf(big);
    const pages = renderPages(file, 30);
    expect(pages.length).toBeGreaterThan(1);
    const texts = pdfText(file).split('\f').filter((t) => t.trim() !== '');
    expect(texts).toHaveLength(pages.length);
    expect(texts[texts.length - 1]).toContain(big.remittance.scanLine);
    expect(texts.slice(0, -1).join('')).not.toContain('Detach and return');
  });

  it('renders the same bill to the same bytes', async () => {
    expect((await renderBillPdf(doc)).equals(pdf)).toBe(true);
  });
});
