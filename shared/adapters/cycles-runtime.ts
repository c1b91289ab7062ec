/** Lazily wired dependencies of the billing cycle routes and of the scheduler. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { BillingCyclesEnv, ScheduledRunsEnv } from '../schemas/env';
import { DynamoCycleStore } from './cycle-store';
import { parseEnv } from './env';
import { usHolidays } from './holidays';
import { lazy, tableDeps } from './runtime';
import { StepFunctionsBillingWorkflow } from './sfn-workflow';

export const billingCycleDeps = lazy(() => {
  const env = parseEnv(BillingCyclesEnv);
  const table = tableDeps();
  return { ...table, cycles: new DynamoCycleStore(table.documentClient, table.tableName), dueDays: env.BILL_DUE_DAYS, isHoliday: usHolidays() };
});
export type BillingCycleRuntimeDeps = ReturnType<typeof billingCycleDeps>;

export const scheduledRunsDeps = lazy(() => {
  const env = parseEnv(ScheduledRunsEnv);
  const table = tableDeps();
  return {
    ...table,
    cycles: new DynamoCycleStore(table.documentClient, table.tableName),
    dueDays: env.BILL_DUE_DAYS,
    isHoliday: usHolidays(),
    workflow: new StepFunctionsBillingWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN),
  };
});
