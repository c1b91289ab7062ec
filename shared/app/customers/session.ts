/**
 * A unit of work over the customer record: loads records (once), collects what a workflow
 * changes plus its audit events, and commits all of it in one transaction. `withRetry` runs a
 * workflow again from fresh reads when the transaction lost a race, so the loser of two
 * concurrent move-ins on one service point gets the rule's 409, never a half-done write.
 */
import type { AuditEntityType, AuditEvent } from '../../domain/audit';
import { ConcurrentChange } from '../../domain/customers/errors';
import type { AccountRecord, Agreement, CustomerRecord, MeterRecord, Premise, ServicePoint } from '../../domain/customers/model';
import type { ServiceOrder } from '../../domain/customers/service-orders';
import type { Clock } from '../ports';
import { ConcurrentWrite, RecordNotFound } from './errors';
import type { Change, CustomerRecordStore } from './ports';

type Kind = Change['kind'];
type ValueOf<K extends Kind> = Extract<Change, { kind: K }>['value'];

export interface SessionDeps {
  records: CustomerRecordStore;
  clock: Clock;
  newId: () => string;
}

const idOf: { [K in Kind]: (value: ValueOf<K>) => string } = {
  customer: (v) => v.customerId,
  premise: (v) => v.premiseId,
  servicePoint: (v) => v.servicePointId,
  meter: (v) => v.meterId,
  account: (v) => v.accountId,
  agreement: (v) => v.agreementId,
  order: (v) => v.orderId,
  note: (v) => v.noteId,
  fieldRead: (v) => `${v.meterId}#${v.readAt}#${v.readId}`,
};

export class Session {
  private readonly original = new Map<string, unknown>();
  private readonly current = new Map<string, unknown>();
  private readonly dirty = new Map<string, Kind>();
  private readonly events: AuditEvent[] = [];
  readonly at: string;

  constructor(
    readonly deps: SessionDeps,
    readonly actor: string,
  ) {
    this.at = deps.clock.now().toISOString();
  }

  get records(): CustomerRecordStore {
    return this.deps.records;
  }

  newId(prefix: string): string {
    return `${prefix}${this.deps.newId().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
  }

  private async load<K extends Kind>(kind: K, id: string, fetch: () => Promise<ValueOf<K> | undefined>): Promise<ValueOf<K> | undefined> {
    const key = `${kind}:${id}`;
    if (this.current.has(key)) return this.current.get(key) as ValueOf<K> | undefined;
    const value = await fetch();
    if (value) {
      this.original.set(key, value);
      this.current.set(key, value);
    }
    return value;
  }

  private remember<K extends Kind>(kind: K, value: ValueOf<K>): ValueOf<K> {
    const key = `${kind}:${idOf[kind](value)}`;
    if (this.current.has(key)) return this.current.get(key) as ValueOf<K>;
    this.original.set(key, value);
    this.current.set(key, value);
    return value;
  }

  /** Records a new or changed entity for the commit. */
  put<K extends Kind>(kind: K, value: ValueOf<K>): ValueOf<K> {
    const key = `${kind}:${idOf[kind](value)}`;
    this.current.set(key, value);
    this.dirty.set(key, kind);
    return value;
  }

  audit(entityType: AuditEntityType, entityId: string, action: string, details: AuditEvent['details'] = {}): void {
    this.events.push({ eventId: this.newId('EV'), entityType, entityId, at: this.at, actor: this.actor, action, details });
  }

  customer = (id: string) => this.load('customer', id, () => this.records.getCustomer(id));
  premise = (id: string) => this.load('premise', id, () => this.records.getPremise(id));
  servicePoint = (id: string) => this.load('servicePoint', id, () => this.records.getServicePoint(id));
  meter = (id: string) => this.load('meter', id, () => this.records.getMeter(id));
  account = (id: string) => this.load('account', id, () => this.records.getAccount(id));
  order = (id: string) => this.load('order', id, () => this.records.getOrder(id));

  async mustCustomer(id: string): Promise<CustomerRecord> {
    return required(await this.customer(id), `customer ${id}`);
  }
  async mustPremise(id: string): Promise<Premise> {
    return required(await this.premise(id), `premise ${id}`);
  }
  async mustServicePoint(id: string): Promise<ServicePoint> {
    return required(await this.servicePoint(id), `service point ${id}`);
  }
  async mustMeter(id: string): Promise<MeterRecord> {
    return required(await this.meter(id), `meter ${id}`);
  }
  async mustAccount(id: string): Promise<AccountRecord> {
    return required(await this.account(id), `account ${id}`);
  }
  async mustOrder(id: string): Promise<ServiceOrder> {
    return required(await this.order(id), `service order ${id}`);
  }

  async servicePointsOf(premiseId: string): Promise<ServicePoint[]> {
    return (await this.records.listServicePoints(premiseId)).map((sp) => this.remember('servicePoint', sp));
  }

  /** The agreements of an account, including ones created in this session. */
  async agreementsOf(accountId: string): Promise<Agreement[]> {
    const key = `agreements-loaded:${accountId}`;
    if (!this.current.has(key)) {
      for (const agreement of await this.records.listAgreements(accountId)) this.remember('agreement', agreement);
      this.current.set(key, true);
    }
    return [...this.current.entries()].filter(([k, v]) => k.startsWith('agreement:') && (v as Agreement).accountId === accountId).map(([, v]) => v as Agreement);
  }

  /** The agreement holding a service point (loaded through its account). */
  async occupantOf(servicePoint: ServicePoint): Promise<Agreement | undefined> {
    if (!servicePoint.activeAgreementId || !servicePoint.activeAccountId) return undefined;
    return (await this.agreementsOf(servicePoint.activeAccountId)).find((a) => a.agreementId === servicePoint.activeAgreementId);
  }

  async commit(): Promise<void> {
    const changes: Change[] = [...this.dirty.entries()].map(([key, kind]) => {
      const previous = this.original.get(key);
      return { kind, value: this.current.get(key), ...(previous ? { previous } : {}) } as Change;
    });
    await this.records.commit(changes, this.events);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (!value) throw new RecordNotFound(`${what} does not exist`);
  return value;
}

export const RETRY_ATTEMPTS = 4;

/** Runs `work` (which builds a session and commits it) again from fresh reads after a lost race. */
export async function withRetry<T>(work: () => Promise<T>, attempts = RETRY_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrentWrite)) throw error;
      if (attempt >= attempts) throw new ConcurrentChange(`the records kept changing while this request was applied (${attempt} attempts); try again`);
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.floor((attempt * 37) % 23)));
    }
  }
}
