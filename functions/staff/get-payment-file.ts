/** GET /staff/payment-files/{fileId} : 200 {report} of the file's first import (any staff role). */
import { getPaymentFile, type ImportDeps } from '../../shared/app/payments/import-payment-file';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ANY_STAFF } from '../../shared/domain/identity';
import { PaymentFileRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: Pick<ImportDeps, 'files'> & { log: Logger }) => staffRoute(deps.log, ANY_STAFF, PaymentFileRequest, 200, (_principal, input) => getPaymentFile(deps, input.path.fileId));

export const handler = lazyHandler(() => createHandler(bankDeps()));
