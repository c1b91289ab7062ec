/**
 * Wiring of the meter-data functions: the table stores plus the read exception store, and the
 * VEE overrides per service type and rate class from VEE_OVERRIDES (JSON, optional; parsed with
 * ReadsEnv in shared/schemas/env.ts, set by the CDK stack from its veeOverrides setting).
 */
import { ReadsEnv } from '../schemas/env';
import { parseEnv } from './env';
import { lazy, tableDeps } from './runtime';
import { DynamoReadExceptionStore } from './read-exception-store';

export const readsDeps = lazy(() => {
  const env = parseEnv(ReadsEnv);
  const deps = tableDeps();
  return { ...deps, exceptions: new DynamoReadExceptionStore(deps.documentClient, deps.tableName), veeOverrides: env.VEE_OVERRIDES };
});
