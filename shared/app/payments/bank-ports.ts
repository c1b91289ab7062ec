/** What autopay and the bank-file imports need from storage besides the ledger. */
import type { AuditEvent } from '../../domain/audit';
import type { AutopayEnrollment, DebitInstruction } from '../../domain/autopay';
import type { ControlTotals, FileProblem, PaymentFileFormat, SkippedRecord } from '../../domain/payment-files';
import type { Page } from '../ports';

export interface AutopayStore {
  /** The enrollment as shown (no full account number). */
  getEnrollment(accountId: string): Promise<AutopayEnrollment | undefined>;
  /** The enrollment with the full account number: only the NACHA file writer reads it. */
  getInstruction(accountId: string): Promise<DebitInstruction | undefined>;
  /** Enrolls or replaces the bank account, with its audit event, in one transaction. */
  saveEnrollment(instruction: DebitInstruction, audit: AuditEvent): Promise<void>;
  /** Marks the enrollment CANCELLED and erases the full account number (it must still be ACTIVE), with its audit event. */
  cancelEnrollment(cancelled: AutopayEnrollment, audit: AuditEvent): Promise<void>;
  /** Accounts with an ACTIVE enrollment, by account id. */
  listActive(cursor?: string): Promise<Page<string>>;
  /** Reserves `count` NACHA trace sequence numbers; returns the first (they run on from there). */
  reserveTraceSequences(count: number): Promise<number>;
  /** Stores the NACHA file of a debit day (a rerun replaces it with the same entries), with its audit event. */
  saveAchFile(file: AchFileRecord, audit: AuditEvent): Promise<void>;
  getAchFile(debitDate: string): Promise<AchFileRecord | undefined>;
}

export interface AchFileRecord {
  debitDate: string;
  createdAt: string;
  createdBy: string;
  text: string;
  entryCount: number;
  totalDebit: string;
  entryHash: string;
  /** How many times the file was made for this day (a rerun makes it again with the same entries). */
  generation: number;
}

export interface PostedLine {
  line: number;
  accountId: string;
  amount: string;
  paymentId: string;
}

export interface SuspenseLine {
  line: number;
  /** The account the file names (absent: it names none). */
  accountId?: string;
  amount: string;
  reference?: string;
  reason: string;
}

export interface ReturnedLine {
  line: number;
  traceNumber: string;
  returnCode: string;
  reason: string;
  amount: string;
  paymentId?: string;
  accountId?: string;
}

/** The reconciliation report of one import of a file. */
export interface ImportReport {
  fileId: string;
  format: PaymentFileFormat;
  status: 'IMPORTED' | 'REJECTED';
  importedAt: string;
  importedBy: string;
  /** Credits posted as payments now. */
  posted: PostedLine[];
  /** Credits posted before (by an earlier or a concurrent import of the same file): not posted again. */
  duplicates: PostedLine[];
  /** Credits naming no known account, kept in suspense for staff. */
  suspense: SuspenseLine[];
  /** NACHA returns: payments returned now. */
  returned: ReturnedLine[];
  /** NACHA returns already applied, or whose payment was returned or is unknown. */
  returnsNotApplied: Array<ReturnedLine & { why: string }>;
  /** Records read but not payments (debits, other type codes, notifications of change, ...). */
  skipped: SkippedRecord[];
  /** Why the file was rejected (nothing of it was posted). */
  rejected: FileProblem[];
  controlTotals: ControlTotals | null;
  totals: { posted: string; duplicates: string; suspense: string; returned: string };
  /** Set when the stored or answered report lists only the first lines of each kind (the totals are whole). */
  truncated?: { listedPerKind: number; lines: number };
}

export interface SuspenseItem {
  fileId: string;
  ref: string;
  line: number;
  amount: string;
  accountId?: string;
  reference?: string;
  date?: string;
  reason: string;
  /** BAI2 type code or lockbox: what the credit was. */
  source: string;
  status: 'OPEN' | 'APPLIED';
  receivedAt: string;
  /** Set when staff applied it to an account. */
  appliedTo?: string;
  paymentId?: string;
  appliedAt?: string;
  appliedBy?: string;
}

export interface PaymentFileStore {
  getReport(fileId: string): Promise<ImportReport | undefined>;
  /** Stores the report of an import with its audit event; the first import's report is kept (later ones are audited only). */
  saveReport(report: ImportReport, audit: AuditEvent): Promise<void>;
  /** Keeps a credit in suspense once; false when it was kept before. */
  addSuspense(item: SuspenseItem): Promise<boolean>;
  getSuspense(fileId: string, ref: string): Promise<SuspenseItem | undefined>;
  /** Suspense credits by status, oldest file first. */
  listSuspense(status: SuspenseItem['status'], limit: number, cursor?: string): Promise<Page<SuspenseItem>>;
  /** Marks a credit applied (it must still be OPEN), with its audit event. */
  markSuspenseApplied(applied: SuspenseItem, audit: AuditEvent): Promise<void>;
}
