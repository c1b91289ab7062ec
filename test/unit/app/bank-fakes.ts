/** In-memory autopay and payment-file stores with the conditions of the DynamoDB one. */
import type { AchFileRecord, AutopayStore, ImportReport, PaymentFileStore, SuspenseItem } from '../../../shared/app/payments/bank-ports';
import type { Page } from '../../../shared/app/ports';
import type { AuditEvent } from '../../../shared/domain/audit';
import { enrollmentView, type AutopayEnrollment, type DebitInstruction } from '../../../shared/domain/autopay';
import { ConflictError } from '../../../shared/domain/errors';

export class MemoryBank implements AutopayStore, PaymentFileStore {
  readonly instructions = new Map<string, DebitInstruction>();
  readonly files = new Map<string, AchFileRecord>();
  readonly reports = new Map<string, ImportReport>();
  readonly suspense = new Map<string, SuspenseItem>();
  readonly audit: AuditEvent[] = [];
  private sequence = 0;

  async getEnrollment(accountId: string) {
    const instruction = this.instructions.get(accountId);
    return instruction && enrollmentView(instruction);
  }
  async getInstruction(accountId: string) {
    return this.instructions.get(accountId);
  }
  async saveEnrollment(instruction: DebitInstruction, audit: AuditEvent) {
    this.instructions.set(instruction.accountId, instruction);
    this.audit.push(audit);
  }
  async cancelEnrollment(cancelled: AutopayEnrollment, audit: AuditEvent) {
    if (this.instructions.get(cancelled.accountId)?.status !== 'ACTIVE') throw new ConflictError('not active');
    this.instructions.set(cancelled.accountId, { ...cancelled, accountNumber: '' });
    this.audit.push(audit);
  }
  async listActive(): Promise<Page<string>> {
    return { items: [...this.instructions.values()].filter((i) => i.status === 'ACTIVE').map((i) => i.accountId) };
  }
  async reserveTraceSequences(count: number) {
    const first = this.sequence + 1;
    this.sequence += count;
    return first;
  }
  async saveAchFile(file: AchFileRecord, audit: AuditEvent) {
    this.files.set(file.debitDate, file);
    this.audit.push(audit);
  }
  async getAchFile(debitDate: string) {
    return this.files.get(debitDate);
  }
  async getReport(fileId: string) {
    return this.reports.get(fileId);
  }
  async saveReport(report: ImportReport, audit: AuditEvent) {
    if (!this.reports.has(report.fileId)) this.reports.set(report.fileId, report);
    this.audit.push(audit);
  }
  async getSuspense(fileId: string, ref: string) {
    return this.suspense.get(`${fileId}|${ref}`);
  }
  async listSuspense(status: SuspenseItem['status'], limit: number): Promise<Page<SuspenseItem>> {
    return { items: [...this.suspense.values()].filter((s) => s.status === status).slice(0, limit) };
  }
  async markSuspenseApplied(applied: SuspenseItem, audit: AuditEvent) {
    const key = `${applied.fileId}|${applied.ref}`;
    if (this.suspense.get(key)?.status !== 'OPEN') throw new ConflictError('applied meanwhile');
    this.suspense.set(key, applied);
    this.audit.push(audit);
  }
  async addSuspense(item: SuspenseItem) {
    const key = `${item.fileId}|${item.ref}`;
    if (this.suspense.has(key)) return false;
    this.suspense.set(key, item);
    return true;
  }
}
