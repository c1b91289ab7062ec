/** Audit events: who did what to which entity, written in the same transaction as the change. */
export type AuditEntityType = 'ACCOUNT' | 'RUN' | 'CUSTOMER' | 'METER' | 'PREMISE' | 'SERVICE_ORDER' | 'TARIFF' | 'CYCLE' | 'WEATHER' | 'COLLECTIONS_RUN' | 'PAYMENT_FILE' | 'ACH_FILE';

export interface AuditEvent {
  eventId: string;
  entityType: AuditEntityType;
  entityId: string;
  at: string;
  /** A user name, or a system actor such as "billing-run:<runId>". */
  actor: string;
  /** Dotted verb, e.g. "billing-run.started", "bill.issued". */
  action: string;
  details: Record<string, string | number | boolean | null>;
}
