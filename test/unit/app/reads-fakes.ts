/** In-memory read exception store for the meter-data use-case tests. */
import type { Page } from '../../../shared/app/ports';
import type { ExceptionResolution, ReadExceptionStore } from '../../../shared/app/read-ports';
import type { MemoryReads } from './fakes';
import { ConflictError } from '../../../shared/domain/errors';
import { VersionConflict } from '../../../shared/app/errors';
import type { ReadException, UsageAlert } from '../../../shared/domain/vee/exceptions';

export class MemoryReadExceptions implements ReadExceptionStore {
  readonly exceptions = new Map<string, ReadException>();
  readonly alerts: UsageAlert[] = [];
  async open(exceptions: readonly ReadException[]) {
    let opened = 0;
    for (const exception of exceptions) {
      if (this.exceptions.has(exception.exceptionId)) continue;
      this.exceptions.set(exception.exceptionId, structuredClone(exception));
      opened++;
    }
    return opened;
  }
  async raiseAlerts(alerts: readonly UsageAlert[]) {
    this.alerts.push(...alerts);
  }
  async get(_meterId: string, exceptionId: string) {
    return this.exceptions.get(exceptionId);
  }
  async listByStatus(status: ReadException['status'], limit: number): Promise<Page<ReadException>> {
    return { items: [...this.exceptions.values()].filter((e) => e.status === status).slice(0, limit) };
  }
  readonly resolutions: ExceptionResolution[] = [];
  /** The read store the transaction writes days to. */
  reads?: MemoryReads;
  async resolve(change: ExceptionResolution) {
    const current = this.exceptions.get(change.exception.exceptionId);
    if (change.day && this.reads) {
      const stored = await this.reads.getDay(change.day.reads.meterId, change.day.reads.day);
      if (stored?.version !== change.day.expectedVersion) throw new VersionConflict('changed');
    }
    if (current?.status !== 'OPEN') throw new ConflictError('not open');
    if (change.day && this.reads) await this.reads.saveDay(change.day.reads, change.day.expectedVersion);
    this.exceptions.set(change.exception.exceptionId, structuredClone(change.exception));
    this.resolutions.push(structuredClone(change));
  }
  reasons(): string[] {
    return [...this.exceptions.values()].map((e) => e.reason).sort();
  }
}
