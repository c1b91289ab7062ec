/** What the collections use cases need from storage. */
import type { AuditEvent } from '../../domain/audit';
import type { ServiceOrder } from '../../domain/customers/service-orders';
import type { CollectionsProfile, MedicalCertificate, Notice, StoredEvaluation, StoredWeather } from '../../domain/collections/records';
import type { Page } from '../ports';

/** An account that collections ordered disconnected and has not reconnected (or whose order was not cancelled) yet. */
export interface CollectionState {
  accountId: string;
  disconnectOrderIds: string[];
  runDate: string;
  orderedAt: string;
}

export interface CollectionsRun {
  runDate: string;
  status: 'STARTED' | 'COMPLETED' | 'FAILED';
  packId: string;
  startedAt: string;
  startedBy: string;
  /** The Step Functions execution of the latest start. */
  executionName?: string;
  finishedAt?: string;
  /** Accounts by decision, plus "skipped" (nothing past due) and "failed". */
  counts?: Record<string, number>;
  failures?: Array<{ accountId: string; error: string }>;
  error?: string;
}

/**
 * One account's outcome of a run day, written in one transaction: the evaluation (refused when
 * the account was evaluated that day already), the notice sent, the service orders created or
 * changed, the disconnection marker set or cleared, and the audit events.
 */
export interface EvaluationWrite {
  evaluation: StoredEvaluation;
  notice?: Notice;
  newOrders: ServiceOrder[];
  /** Changed orders; each must still have `previous.recordVersion`. */
  changedOrders: Array<{ value: ServiceOrder; previous: ServiceOrder }>;
  /** Set (new), clear, or replace (the stored one must still be `previous`) the disconnection marker. */
  state?: { put: CollectionState } | { clear: CollectionState } | { replace: CollectionState; previous: CollectionState };
  audit: AuditEvent[];
}

export interface CollectionsStore {
  listCertificates(accountId: string): Promise<MedicalCertificate[]>;
  /** Writes a new certificate with its audit event. */
  putCertificate(certificate: MedicalCertificate, audit: AuditEvent): Promise<void>;
  getProfile(accountId: string): Promise<CollectionsProfile | undefined>;
  /** Writes the profile if its stored version is still `profile.version - 1` (0 = none yet); VersionConflict otherwise. */
  putProfile(profile: CollectionsProfile, audit: AuditEvent): Promise<void>;
  /** The forecasts of a region on those days (missing days are absent). */
  getWeather(region: string, days: readonly string[]): Promise<StoredWeather[]>;
  /** Writes (or replaces) the forecast of a region and day with its audit event. */
  putWeather(weather: StoredWeather, audit: AuditEvent): Promise<void>;
  listNotices(accountId: string): Promise<Notice[]>;
  getEvaluation(accountId: string, runDate: string): Promise<StoredEvaluation | undefined>;
  /** The account's evaluations, newest run day first. */
  listEvaluations(accountId: string, limit: number): Promise<StoredEvaluation[]>;
  /** The evaluations of one run day, by account id. */
  listRunEvaluations(runDate: string, limit: number, cursor?: string): Promise<Page<StoredEvaluation>>;
  getState(accountId: string): Promise<CollectionState | undefined>;
  /** 'exists' when the account was evaluated on that run day before (nothing is written). */
  commitEvaluation(write: EvaluationWrite): Promise<'written' | 'exists'>;
  /** Account ids in id order (the planning of a run). */
  listAccountIds(limit: number, cursor?: string): Promise<Page<string>>;
  /** Account ids from `first` to `last` inclusive (one segment of a run). */
  listAccountIdsBetween(first: string, last: string): Promise<string[]>;
  getRun(runDate: string): Promise<CollectionsRun | undefined>;
  /** A new run record; false when one exists for the day. */
  createRun(run: CollectionsRun, audit: AuditEvent): Promise<boolean>;
  /** Replaces the run record (with its audit event when given, in one transaction). */
  updateRun(run: CollectionsRun, audit?: AuditEvent): Promise<void>;
}
