/**
 * Display formats. Amounts stay decimal strings from the API: they are formatted as text, never
 * turned into floating point numbers.
 */
const AMOUNT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** "1234.5" -> "$1,234.50", "-3.00" -> "-$3.00"; anything else is shown as it came. */
export function money(amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  const match = AMOUNT.exec(amount.trim());
  if (!match) return amount;
  const [, sign, whole, fraction = ''] = match;
  const cents = `${fraction}00`.slice(0, 2);
  const grouped = whole!.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${grouped}.${cents}`;
}

/** "2026-12-16" -> "Dec 16, 2026" (a calendar day, not shifted by the browser's time zone). */
export function day(value: string | null | undefined): string {
  if (!value) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** An instant in the browser's time zone. */
export function instant(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "HIGH_BILL_INVESTIGATION" -> "High bill investigation". */
export function label(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
