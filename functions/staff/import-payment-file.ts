/**
 * POST /staff/payment-files {format: bai2|lockbox|nacha-returns, content} with an Idempotency-Key header
 * : 201 {report}, or 400 naming each rejected line and field (nothing posted) (billing, admin; audited).
 */
import { uploadPaymentFile, type ImportDeps } from '../../shared/app/payments/import-payment-file';
import type { IdempotencyDeps } from '../../shared/app/payments/idempotent';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { BANK_FILE_HANDLERS, bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ImportPaymentFileRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: ImportDeps & IdempotencyDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, BANK_FILE_HANDLERS, ImportPaymentFileRequest, (principal, input) => uploadPaymentFile(deps, principal.username, { idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(bankDeps()));
