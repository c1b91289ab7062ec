/**
 * The HTML view of a bill: one self-contained page (inline CSS and SVG, no scripts, no external
 * requests) with the account summary, line items per service, a usage history chart with its
 * data as a table for screen readers, messages, and the remittance stub. Every value from the
 * record is escaped.
 */
import type { BillDocument, DocumentService } from '../domain/bill-document';
import { usageChart } from './usage-chart';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Tagged template that escapes every interpolated value unless it is already rendered markup. */
class Markup {
  constructor(readonly html: string) {}
}
function html(strings: TemplateStringsArray, ...values: Array<string | number | Markup | Markup[]>): Markup {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const rendered = Array.isArray(value) ? value.map((m) => m.html).join('') : value instanceof Markup ? value.html : escapeHtml(String(value));
    out += rendered + strings[i + 1]!;
  });
  return new Markup(out);
}

export const money = (amount: string): string => (amount.startsWith('-') ? `-$${amount.slice(1)}` : `$${amount}`);
/** A credit shown as a deduction: "-$12.00", or "$0.00" when there is none. */
export const credit = (amount: string): string => (/^0\.00$/.test(amount) ? '$0.00' : `-$${amount}`);

function chartSvg(service: DocumentService): Markup {
  const chart = usageChart(service.history, 480, 150);
  const unit = service.usage.unit;
  return html`<svg class="chart" viewBox="0 0 ${chart.width} ${chart.height}" role="img" aria-label="${`${service.title} usage for the last ${chart.bars.length} bills, in ${unit}`}">
  <line x1="0" y1="${chart.plotBottom}" x2="${chart.width}" y2="${chart.plotBottom}" class="axis"/>
  <text x="0" y="10" class="tick">${`${chart.axisMax} ${unit}`}</text>
  ${chart.bars.map(
    (bar) => html`<g><rect x="${bar.x}" y="${bar.y}" width="${bar.width}" height="${bar.height}" class="${bar.current ? 'bar current' : 'bar'}"><title>${`${bar.label}: ${bar.value} ${unit}`}</title></rect><text x="${bar.x + bar.width / 2}" y="${chart.height - 4}" class="label">${bar.label.slice(2)}</text></g>`,
  )}
</svg>`;
}

function serviceSection(service: DocumentService): Markup {
  return html`<section class="service" aria-labelledby="svc-${service.serviceType}">
  <h2 id="svc-${service.serviceType}">${service.title}${service.finalBill ? ' (final bill)' : ''}</h2>
  <p class="meta">${service.tariffName}${service.meterId ? ` · meter ${service.meterId}` : ''}${service.serviceAddress ? ` · ${service.serviceAddress}` : ''}</p>
  <p class="meta">Service from ${service.periodStart} to ${service.periodEnd} (${service.days} days): ${service.usage.quantity} ${service.usage.unit}${service.lastYear ? ` · same period last year: ${service.lastYear.quantity} ${service.usage.unit}` : ''}</p>
  <table class="lines">
    <thead><tr><th scope="col">Charge</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Rate</th><th scope="col" class="num">Amount</th></tr></thead>
    <tbody>${service.lines.map((line) => html`<tr><td>${line.description}</td><td class="num">${`${line.quantity} ${line.unit}`}</td><td class="num">${line.rate}</td><td class="num">${money(line.amount)}</td></tr>`)}</tbody>
    <tfoot><tr><th scope="row" colspan="3">${service.title} charges</th><td class="num">${money(service.subtotal)}</td></tr></tfoot>
  </table>
  <figure>
    ${chartSvg(service)}
    <figcaption>
      <details><summary>Usage history (${service.usage.unit})</summary>
        <table class="history"><thead><tr><th scope="col">Period</th><th scope="col" class="num">Usage</th></tr></thead>
        <tbody>${service.history.map((point) => html`<tr><td>${point.label}${point.current ? ' (this bill)' : ''}</td><td class="num">${point.quantity}</td></tr>`)}</tbody></table>
      </details>
    </figcaption>
  </figure>
</section>`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1f23;margin:0;background:#f4f5f7}
main{max-width:820px;margin:0 auto;background:#fff;padding:24px}
header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:16px;border-bottom:3px solid #0b5394;padding-bottom:12px}
h1{font-size:1.4rem;margin:0;color:#0b5394} h2{font-size:1.1rem;margin:24px 0 4px;color:#0b5394}
.meta{margin:2px 0;color:#444;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{padding:4px 6px;border-bottom:1px solid #e1e4e8;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums} tfoot th,tfoot td{font-weight:700;border-top:2px solid #1b1f23}
.summary{margin-top:16px} .summary .detail td{color:#444;font-size:.85rem;padding-left:18px} .summary .due td,.summary .due th{font-size:1.1rem;font-weight:700;background:#eef4fb}
.chart{width:100%;max-width:480px;height:auto} .bar{fill:#9fb7d3} .bar.current{fill:#0b5394} .axis{stroke:#444} .tick,.label{font-size:9px;fill:#444} .label{text-anchor:middle}
.messages{background:#fff8e1;border-left:4px solid #f0a500;padding:8px 12px;margin-top:16px} .messages li{margin:4px 0}
.stub{margin-top:32px;border-top:2px dashed #444;padding-top:12px;display:grid;grid-template-columns:1fr 1fr;gap:8px}
.stub .scan{grid-column:1/3;font-family:"OCR-B","Courier New",monospace;letter-spacing:2px}
.box{border:1px solid #1b1f23;min-height:1.6em;padding:2px 6px}
@media (max-width:600px){main{padding:12px}.stub{grid-template-columns:1fr}.stub .scan{grid-column:1}}
@media print{body{background:#fff}main{max-width:none;padding:0}details{display:none}}
`;

export function renderBillHtml(doc: BillDocument): string {
  const s = doc.summary;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${`${doc.utility.name} bill ${doc.issueDate} - account ${doc.accountId}`}</title>
<style>${new Markup(STYLE)}</style></head>
<body><main>
<header>
  <div><h1>${doc.utility.name}</h1>${doc.utility.addressLines.map((line) => html`<div class="meta">${line}</div>`)}<div class="meta">${doc.utility.phone}${doc.utility.website ? ` · ${doc.utility.website}` : ''}</div></div>
  <div><div><strong>${doc.customerName}</strong></div>${doc.mailingAddress.map((line) => html`<div class="meta">${line}</div>`)}</div>
  <dl class="meta"><dt>Account</dt><dd>${doc.accountId}</dd><dt>Bill date</dt><dd>${doc.issueDate}</dd><dt>Billing period</dt><dd>${`${doc.periodStart} to ${doc.periodEnd}`}</dd><dt>Due date</dt><dd>${doc.dueDate}</dd></dl>
</header>
<section class="summary" aria-labelledby="summary-title"><h2 id="summary-title">Account summary${doc.finalBill ? ' (final bill)' : ''}</h2>
<table>
  <tr><th scope="row">Previous balance</th><td class="num">${money(s.previousBalance)}</td></tr>
  <tr><th scope="row">Payments and credits</th><td class="num">${credit(s.paymentsAndCredits)}</td></tr>
  <tr><th scope="row">Other charges</th><td class="num">${money(s.otherCharges)}</td></tr>
  ${s.otherChargeLines.map((line) => html`<tr class="detail"><td>${`${line.postedOn} ${line.description}`}</td><td class="num">${money(line.amount)}</td></tr>`)}
  <tr><th scope="row">Balance forward</th><td class="num">${money(s.balanceForward)}</td></tr>
  <tr><th scope="row">Current charges</th><td class="num">${money(s.currentCharges)}</td></tr>
  <tr class="due"><th scope="row">Total amount due by ${doc.dueDate}</th><td class="num">${money(s.totalDue)}</td></tr>
</table></section>
${doc.services.map(serviceSection)}
${doc.messages.length ? html`<section class="messages" aria-labelledby="messages-title"><h2 id="messages-title">Messages</h2><ul>${doc.messages.map((m) => html`<li>${m}</li>`)}</ul></section>` : html``}
<section class="stub" aria-label="Remittance stub">
  <div><strong>Return this part with your payment</strong><div class="meta">Make checks payable to ${doc.utility.name}</div>${doc.remittance.remitTo.map((line) => html`<div class="meta">${line}</div>`)}</div>
  <div><div>Account <strong>${doc.remittance.accountId}</strong></div><div>${doc.remittance.customerName}</div><div>Due date <strong>${doc.remittance.dueDate}</strong></div><div>Amount due <strong>${money(doc.remittance.amountDue)}</strong></div><div>Amount enclosed <span class="box">$</span></div></div>
  <div class="scan">${doc.remittance.scanLine}</div>
</section>
</main></body></html>
`;
  return page.html;
}
