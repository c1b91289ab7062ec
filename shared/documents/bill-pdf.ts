/**
 * The printed bill: a US Letter PDF drawn with pdfkit from the same BillDocument as the HTML
 * view: header with the customer's address placed for a window envelope, the account summary,
 * line items and a usage history chart per service, messages, and a detachable remittance stub
 * with the scan line at the foot of the last page. The document's dates are the bill's, so the
 * same bill always renders to the same file.
 */
import PDFDocument from 'pdfkit';
import type { BillDocument, DocumentService } from '../domain/bill-document';
import { credit, money } from './bill-html';
import { usageChart } from './usage-chart';

const MARGIN = 50;
const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const STUB_HEIGHT = 140;
const BLUE = '#0b5394';

type Doc = InstanceType<typeof PDFDocument>;

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > PAGE_HEIGHT - MARGIN) {
    doc.addPage();
    doc.y = MARGIN;
  }
}

function row(doc: Doc, cells: Array<{ text: string; width: number; align?: 'left' | 'right' }>, options: { bold?: boolean; size?: number } = {}): void {
  const y = doc.y;
  let x = MARGIN;
  doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(options.size ?? 9);
  let height = 0;
  for (const cell of cells) {
    height = Math.max(height, doc.heightOfString(cell.text, { width: cell.width - 4 }));
  }
  ensureSpace(doc, height + 4);
  const top = doc.y === MARGIN && y !== MARGIN ? MARGIN : y;
  for (const cell of cells) {
    doc.text(cell.text, x, top, { width: cell.width - 4, align: cell.align ?? 'left' });
    x += cell.width;
  }
  doc.y = top + height + 3;
  doc.x = MARGIN;
}

function rule(doc: Doc, weight = 0.5): void {
  doc.moveTo(MARGIN, doc.y).lineTo(PAGE_WIDTH - MARGIN, doc.y).lineWidth(weight).strokeColor('#888888').stroke();
  doc.y += 3;
}

function header(doc: Doc, bill: BillDocument): void {
  doc.fillColor(BLUE).font('Helvetica-Bold').fontSize(16).text(bill.utility.name, MARGIN, MARGIN, { width: 300 });
  doc.fillColor('black').font('Helvetica').fontSize(9);
  for (const line of bill.utility.addressLines) doc.text(line, { width: 300 });
  doc.text(`${bill.utility.phone}${bill.utility.website ? `  ·  ${bill.utility.website}` : ''}`, { width: 300 });

  const boxX = 360;
  const facts: Array<[string, string]> = [
    ['Account', bill.accountId],
    ['Bill date', bill.issueDate],
    ['Billing period', `${bill.periodStart} to ${bill.periodEnd}`],
    ['Due date', bill.dueDate],
    ['Amount due', money(bill.remittance.amountDue)],
  ];
  let y = MARGIN;
  for (const [label, value] of facts) {
    doc.font('Helvetica').fontSize(9).text(label, boxX, y, { width: 80 });
    doc.font('Helvetica-Bold').text(value, boxX + 80, y, { width: CONTENT_WIDTH - (boxX - MARGIN) - 80, align: 'right' });
    y += 13;
  }
  // Customer's address where a #10 window envelope shows it.
  doc.font('Helvetica-Bold').fontSize(10).text(bill.customerName, 72, 150, { width: 260 });
  doc.font('Helvetica').fontSize(10);
  for (const line of bill.mailingAddress) doc.text(line, { width: 260 });
  doc.y = Math.max(doc.y, 215);
  doc.x = MARGIN;
}

function summary(doc: Doc, bill: BillDocument): void {
  doc.fillColor(BLUE).font('Helvetica-Bold').fontSize(12).text(`Account summary${bill.finalBill ? ' (final bill)' : ''}`, MARGIN, doc.y);
  doc.fillColor('black');
  doc.y += 2;
  const s = bill.summary;
  const lines: Array<[string, string, boolean]> = [
    ['Previous balance', money(s.previousBalance), false],
    ['Payments and credits', credit(s.paymentsAndCredits), false],
    ['Other charges', money(s.otherCharges), false],
    ['Balance forward', money(s.balanceForward), false],
    ['Current charges', money(s.currentCharges), false],
    [`Total amount due by ${bill.dueDate}`, money(s.totalDue), true],
  ];
  for (const [label, value, bold] of lines) {
    if (bold) rule(doc, 1);
    row(doc, [{ text: label, width: 300 }, { text: value, width: 100, align: 'right' }], { bold, size: bold ? 11 : 9 });
    if (label === 'Other charges') {
      for (const line of s.otherChargeLines) row(doc, [{ text: `    ${line.postedOn} ${line.description}`, width: 300 }, { text: money(line.amount), width: 100, align: 'right' }], { size: 8 });
    }
  }
  doc.y += 6;
}

function chart(doc: Doc, service: DocumentService): void {
  const width = 300;
  const height = 80;
  ensureSpace(doc, height + 24);
  doc.font('Helvetica-Bold').fontSize(9).text(`${service.title} usage history (${service.usage.unit})`, MARGIN, doc.y);
  const top = doc.y + 2;
  const layout = usageChart(service.history, width, height);
  doc.font('Helvetica').fontSize(7).fillColor('#444444').text(`${layout.axisMax} ${service.usage.unit}`, MARGIN, top, { width: 120 });
  for (const bar of layout.bars) {
    if (bar.height > 0) doc.rect(MARGIN + bar.x, top + bar.y, bar.width, bar.height).fill(bar.current ? BLUE : '#9fb7d3');
    doc.fillColor('#444444').fontSize(6).text(bar.label.slice(2), MARGIN + bar.x - 6, top + layout.plotBottom + 3, { width: bar.width + 12, align: 'center' });
  }
  doc.moveTo(MARGIN, top + layout.plotBottom).lineTo(MARGIN + width, top + layout.plotBottom).lineWidth(0.5).strokeColor('#444444').stroke();
  doc.fillColor('black');
  doc.y = top + height + 6;
  doc.x = MARGIN;
}

function serviceBlock(doc: Doc, service: DocumentService): void {
  ensureSpace(doc, 80);
  doc.fillColor(BLUE).font('Helvetica-Bold').fontSize(12).text(`${service.title}${service.finalBill ? ' (final bill)' : ''}`, MARGIN, doc.y);
  doc.fillColor('black').font('Helvetica').fontSize(8.5);
  doc.text(`${service.tariffName}${service.meterId ? `  ·  meter ${service.meterId}` : ''}${service.serviceAddress ? `  ·  ${service.serviceAddress}` : ''}`, { width: CONTENT_WIDTH });
  doc.text(
    `Service from ${service.periodStart} to ${service.periodEnd} (${service.days} days): ${service.usage.quantity} ${service.usage.unit}${service.lastYear ? `  ·  same period last year: ${service.lastYear.quantity} ${service.usage.unit}` : ''}`,
    { width: CONTENT_WIDTH },
  );
  doc.y += 3;
  const widths = [250, 110, 80, 72];
  row(doc, [{ text: 'Charge', width: widths[0]! }, { text: 'Quantity', width: widths[1]!, align: 'right' }, { text: 'Rate', width: widths[2]!, align: 'right' }, { text: 'Amount', width: widths[3]!, align: 'right' }], { bold: true });
  rule(doc);
  for (const line of service.lines) {
    row(doc, [
      { text: line.description, width: widths[0]! },
      { text: `${line.quantity} ${line.unit}`, width: widths[1]!, align: 'right' },
      { text: line.rate, width: widths[2]!, align: 'right' },
      { text: money(line.amount), width: widths[3]!, align: 'right' },
    ]);
  }
  rule(doc, 1);
  row(doc, [{ text: `${service.title} charges`, width: widths[0]! + widths[1]! + widths[2]! }, { text: money(service.subtotal), width: widths[3]!, align: 'right' }], { bold: true });
  doc.y += 4;
  chart(doc, service);
}

function messages(doc: Doc, bill: BillDocument): void {
  if (bill.messages.length === 0) return;
  ensureSpace(doc, 40);
  doc.fillColor(BLUE).font('Helvetica-Bold').fontSize(12).text('Messages', MARGIN, doc.y);
  doc.fillColor('black').font('Helvetica').fontSize(9);
  for (const message of bill.messages) {
    ensureSpace(doc, 24);
    doc.text(`•  ${message}`, MARGIN, doc.y, { width: CONTENT_WIDTH });
    doc.y += 2;
  }
}

function stub(doc: Doc, bill: BillDocument): void {
  if (doc.y > PAGE_HEIGHT - MARGIN - STUB_HEIGHT) doc.addPage();
  const top = PAGE_HEIGHT - MARGIN - STUB_HEIGHT;
  doc.moveTo(MARGIN, top).lineTo(PAGE_WIDTH - MARGIN, top).dash(4, { space: 3 }).lineWidth(0.8).strokeColor('#444444').stroke().undash();
  doc.font('Helvetica').fontSize(7).fillColor('#444444').text('Detach and return this part with your payment', MARGIN, top + 3, { width: CONTENT_WIDTH, align: 'center' });
  doc.fillColor('black');
  const r = bill.remittance;
  doc.font('Helvetica-Bold').fontSize(10).text(bill.utility.name, MARGIN, top + 20, { width: 250 });
  doc.font('Helvetica').fontSize(9).text(`Make checks payable to ${bill.utility.name}`, { width: 250 });
  for (const line of r.remitTo) doc.text(line, { width: 250 });
  const x = 330;
  const facts: Array<[string, string]> = [
    ['Account', r.accountId],
    ['Name', r.customerName],
    ['Due date', r.dueDate],
    ['Amount due', money(r.amountDue)],
  ];
  let y = top + 20;
  for (const [label, value] of facts) {
    doc.font('Helvetica').fontSize(9).text(label, x, y, { width: 80 });
    doc.font('Helvetica-Bold').text(value, x + 80, y, { width: PAGE_WIDTH - MARGIN - x - 80, align: 'right' });
    y += 14;
  }
  doc.font('Helvetica').fontSize(9).text('Amount enclosed', x, y + 4, { width: 80 });
  doc.rect(x + 90, y, PAGE_WIDTH - MARGIN - x - 90, 18).lineWidth(0.8).strokeColor('black').stroke();
  doc.text('$', x + 94, y + 5);
  doc.font('Courier').fontSize(11).text(r.scanLine, MARGIN, top + STUB_HEIGHT - 18, { width: CONTENT_WIDTH, align: 'right', characterSpacing: 1 });
}

/** Renders the bill as a PDF file. */
export function renderBillPdf(bill: BillDocument): Promise<Buffer> {
  const issued = new Date(`${bill.issueDate}T12:00:00Z`);
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: MARGIN,
    info: { Title: `${bill.utility.name} bill ${bill.issueDate}, account ${bill.accountId}`, Author: bill.utility.name, Subject: `Bill ${bill.billId}`, CreationDate: issued, ModDate: issued },
    autoFirstPage: true,
    bufferPages: false,
  });
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      header(doc, bill);
      summary(doc, bill);
      for (const service of bill.services) serviceBlock(doc, service);
      messages(doc, bill);
      stub(doc, bill);
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}
