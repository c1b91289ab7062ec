/** POST /staff/payment-suspense/{fileId}/{ref}/apply {accountId} : 200 {suspense, payment} (billing, admin; audited; once per credit, 409 otherwise). */
import { applySuspense, type SuspenseDeps } from '../../shared/app/payments/suspense';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { BANK_FILE_HANDLERS, bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ApplySuspenseRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: SuspenseDeps & { log: Logger }) => staffRoute(deps.log, BANK_FILE_HANDLERS, ApplySuspenseRequest, 200, (principal, input) => applySuspense(deps, principal.username, { ...input.path, accountId: input.body.accountId }));

export const handler = lazyHandler(() => createHandler(bankDeps()));
