/**
 * CloudWatch embedded metric format: one log line per finished billing run, which CloudWatch
 * Logs turns into metrics in the CIS/Billing namespace (no PutMetricData call, no extra cost per
 * bill). The operator alarm on AccountsFailed watches runs that finish with failed accounts.
 */
import type { RunCounts } from '../domain/runs';

export const BILLING_METRICS_NAMESPACE = 'CIS/Billing';
export const RUN_METRICS = ['RunsFinished', 'RunsFailed', 'BillsIssued', 'BillsHeld', 'AccountsFailed', 'AccountsSkipped'] as const;

export interface RunMetrics {
  runFinished(runId: string, status: 'SUCCEEDED' | 'FAILED', counts: RunCounts, at: Date): void;
}

/** The EMF document of a finished run. */
export function runMetricsDocument(runId: string, status: 'SUCCEEDED' | 'FAILED', counts: RunCounts, at: Date): Record<string, unknown> {
  return {
    _aws: { Timestamp: at.getTime(), CloudWatchMetrics: [{ Namespace: BILLING_METRICS_NAMESPACE, Dimensions: [[]], Metrics: RUN_METRICS.map((Name) => ({ Name, Unit: 'Count' })) }] },
    message: 'billing run metrics',
    runId,
    status,
    RunsFinished: 1,
    RunsFailed: status === 'FAILED' ? 1 : 0,
    BillsIssued: counts.billed,
    BillsHeld: counts.held,
    AccountsFailed: counts.failed,
    AccountsSkipped: counts.skipped,
  };
}

export function embeddedRunMetrics(write: (line: string) => void = (line) => console.log(line)): RunMetrics {
  return { runFinished: (runId, status, counts, at) => write(JSON.stringify(runMetricsDocument(runId, status, counts, at))) };
}
