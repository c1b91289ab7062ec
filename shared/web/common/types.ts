/** The API's response shapes the apps read (a subset of each; amounts are decimal strings). */
export interface AccountSummary {
  accountId: string;
  name: string;
  serviceAddress: string;
  status: string;
}

export interface Balance {
  accountId: string;
  balance: string;
  pastDue: string;
  credit: string;
  asOf: string;
  byService: Record<string, string>;
}

export interface Bill {
  billId: string;
  periodStart: string;
  periodEnd: string;
  total: string;
  dueDate?: string;
  issuedAt?: string;
  finalBill?: boolean;
}

export interface Payment {
  paymentId: string;
  amount: string;
  method: string;
  status: string;
  receivedAt: string;
  channel?: string;
}

export interface Milestone {
  state: string;
  at: string;
  text?: string;
}

export interface ServiceOrder {
  orderId: string;
  type: string;
  state: string;
  serviceType?: string;
  scheduledFor?: string | null;
  milestones: Milestone[];
  createdAt: string;
}

export interface UsagePoint {
  period: string;
  quantity: string;
  estimated: boolean;
}

export interface Usage {
  accountId: string;
  from: string;
  to: string;
  interval: string;
  /** The utility's time zone (days are its local dates; hours are UTC instants). */
  timeZone?: string;
  series: Array<{ unit: string; meterIds: string[]; points: UsagePoint[] }>;
  alerts: UsageAlert[];
}

/** A day whose use passed the high-usage threshold (decimal strings in `unit`). */
export interface UsageAlert {
  day: string;
  meterId: string;
  unit: string;
  total: string;
  threshold: string;
  raisedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
