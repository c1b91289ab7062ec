/** Audit events as items (always written inside the transaction of the change they record). */
import type { AuditEvent } from '../domain/audit';
import type { Item } from './dynamo';
import { keys } from './keys';

export function auditToItem(event: AuditEvent): Item {
  return {
    ...keys.auditEvent(event.entityType, event.entityId, event.at, event.eventId),
    type: 'AUDIT',
    eventId: event.eventId,
    entityType: event.entityType,
    entityId: event.entityId,
    at: event.at,
    actor: event.actor,
    action: event.action,
    details: event.details,
  };
}
