/**
 * Cancel and rebill: a bill corrected after a read or tariff correction replaces the original.
 * The original stays (CANCELLED) with its ledger entry reversed; the corrected bill is the next
 * revision of the account's bill for the period (billIdFor(..., revision)), names the bill it
 * replaces and explains what changed: usage per service, the lines that changed, and the total.
 */
import type { Bill, BillLine } from './billing';
import { formatMoney, Money } from './money';

export interface BillCorrection {
  /** The service section (agreement) the change is in; absent for the bill as a whole. */
  agreementId?: string;
  serviceType?: string;
  what: 'usage' | 'line' | 'line-added' | 'line-removed' | 'service-added' | 'service-removed' | 'total';
  description: string;
  before?: string;
  after?: string;
}

function lineKey(line: BillLine): string {
  return `${line.description}|${line.periodStart}|${line.periodEnd}`;
}

/** What changed between the original bill and its correction, in reading order. */
export function billCorrections(original: Pick<Bill, 'services' | 'total'>, corrected: Pick<Bill, 'services' | 'total'>): BillCorrection[] {
  const changes: BillCorrection[] = [];
  const before = new Map(original.services.map((s) => [s.agreementId, s]));
  const after = new Map(corrected.services.map((s) => [s.agreementId, s]));
  for (const service of corrected.services) {
    const old = before.get(service.agreementId);
    const where = { agreementId: service.agreementId, serviceType: service.serviceType };
    if (!old) {
      changes.push({ ...where, what: 'service-added', description: `${service.serviceType} service added`, after: service.subtotal });
      continue;
    }
    if (old.usage.quantity !== service.usage.quantity || old.usage.unit !== service.usage.unit) {
      changes.push({ ...where, what: 'usage', description: `${service.serviceType} usage`, before: `${old.usage.quantity} ${old.usage.unit}`, after: `${service.usage.quantity} ${service.usage.unit}` });
    }
    const oldLines = new Map(old.lines.map((line) => [lineKey(line), line]));
    const newKeys = new Set(service.lines.map(lineKey));
    for (const line of service.lines) {
      const previous = oldLines.get(lineKey(line));
      if (!previous) changes.push({ ...where, what: 'line-added', description: line.description, after: line.amount });
      else if (previous.amount !== line.amount || previous.quantity !== line.quantity || previous.rate !== line.rate) {
        changes.push({ ...where, what: 'line', description: line.description, before: `${previous.quantity} x ${previous.rate} = ${previous.amount}`, after: `${line.quantity} x ${line.rate} = ${line.amount}` });
      }
    }
    for (const line of old.lines) if (!newKeys.has(lineKey(line))) changes.push({ ...where, what: 'line-removed', description: line.description, before: line.amount });
  }
  for (const service of original.services) {
    if (!after.has(service.agreementId)) changes.push({ agreementId: service.agreementId, serviceType: service.serviceType, what: 'service-removed', description: `${service.serviceType} service removed`, before: service.subtotal });
  }
  if (original.total !== corrected.total) changes.push({ what: 'total', description: 'bill total', before: original.total, after: corrected.total });
  return changes;
}

/** The message a corrected bill prints: which bill it replaces and what changed. */
export function correctionMessage(original: Pick<Bill, 'billId' | 'issuedAt' | 'total'>, corrected: Pick<Bill, 'total'>, changes: readonly BillCorrection[], reason: string): string {
  const difference = new Money(corrected.total).minus(original.total);
  const usage = changes.filter((c) => c.what === 'usage').map((c) => `${c.description} ${c.before} -> ${c.after}`);
  const parts = [
    `This bill replaces bill ${original.billId} issued ${original.issuedAt.slice(0, 10)} (${reason}).`,
    ...(usage.length ? [`Corrected: ${usage.join('; ')}.`] : []),
    difference.isZero()
      ? 'The total is unchanged.'
      : `The total changes from $${original.total} to $${corrected.total} (${difference.isNegative() ? 'a credit of' : 'an additional'} $${formatMoney(difference.abs())}).`,
  ];
  return parts.join(' ');
}
