/**
 * POST /staff/autopay-runs {debitDate} : 201 {debitDate, entries, skipped, file, text} (billing, admin; audited):
 * debits every enrolled account with a bill due that day and answers the NACHA file; a rerun posts nothing twice.
 */
import { runAutopay, type AutopayRunDeps } from '../../shared/app/payments/autopay';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { autopayRunDeps, BANK_FILE_HANDLERS } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { RunAutopayRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: AutopayRunDeps & { log: Logger }) => staffRoute(deps.log, BANK_FILE_HANDLERS, RunAutopayRequest, 201, (principal, input) => runAutopay(deps, { debitDate: input.body.debitDate, actor: principal.username }));

export const handler = lazyHandler(() => createHandler(autopayRunDeps()));
