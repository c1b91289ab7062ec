/** State machine tasks FinalizeRun ({runId, segmentResults}) and MarkRunFailed ({runId, error}). */
import middy from '@middy/core';
import { finalizeRun, type FinalizeRunDeps } from '../../shared/app/finalize-run';
import { embeddedRunMetrics } from '../../shared/adapters/metrics';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { parseTaskInput } from '../../shared/adapters/task';
import { FinalizeRunInput } from '../../shared/schemas/billing';

export function createHandler(deps: FinalizeRunDeps) {
  return middy<FinalizeRunInput>()
    .use(parseTaskInput(FinalizeRunInput, 'FinalizeRun'))
    .handler((input) => finalizeRun(deps, input));
}

export const handler = lazyHandler(() => createHandler({ ...tableDeps(), metrics: embeddedRunMetrics() }));
