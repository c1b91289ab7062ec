/** PUT /staff/billing-cycles/{cycle} {periodEndDay, readWindowDays, businessDaysOnly, enabled, expectedVersion?} : the cycle's schedule (billing, admin; audited). */
import { putCycleSchedule } from '../../shared/app/billing-cycles';
import { billingCycleDeps, type BillingCycleRuntimeDeps } from '../../shared/adapters/cycles-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { PutBillingCycleRequest } from '../../shared/schemas/staff';

export function createHandler(deps: BillingCycleRuntimeDeps) {
  return staffRoute(deps.log, ['billing', 'admin'], PutBillingCycleRequest, 200, (principal, input) => {
    const { expectedVersion, ...schedule } = input.body;
    return putCycleSchedule(deps, principal, { cycle: input.path.cycle, ...schedule }, expectedVersion);
  });
}

export const handler = lazyHandler(() => createHandler(billingCycleDeps()));
