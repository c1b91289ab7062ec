/** Requests of the autopay and bank-file routes (portal and staff). */
import { z } from 'zod';
import { BANK_ACCOUNT_TYPES, isValidBankAccountNumber, isValidRoutingNumber } from '../domain/autopay';
import { MAX_PAYMENT_FILE_BYTES, PAYMENT_FILE_FORMATS } from '../domain/payment-files';
import { AccountPath, bodyError, CalendarDate, Cursor, Id, Limit } from './common';
import { IdempotencyHeaders } from './payments';

export const EnrollAutopayRequest = z.object({
  path: AccountPath,
  body: z.strictObject(
    {
      routingNumber: z.string({ error: 'routingNumber must be a string of 9 digits' }).refine(isValidRoutingNumber, 'routingNumber must be a valid ABA routing number (9 digits with a check digit)'),
      accountNumber: z.string({ error: 'accountNumber must be a string' }).refine(isValidBankAccountNumber, 'accountNumber must be 4 to 17 letters or digits'),
      accountType: z.enum(BANK_ACCOUNT_TYPES, { error: `accountType must be one of ${BANK_ACCOUNT_TYPES.join(', ')}` }),
      accountHolder: z
        .string({ error: 'accountHolder must be a string' })
        .trim()
        .min(1, 'accountHolder must not be empty')
        .max(22, 'accountHolder must be at most 22 characters (the NACHA name field)')
        .regex(/^[\x20-\x7e]*$/, 'accountHolder must be printable ASCII'),
      paperless: z.boolean({ error: 'paperless must be true or false' }).optional(),
    },
    { error: bodyError },
  ),
});
export type EnrollAutopayRequest = z.infer<typeof EnrollAutopayRequest>;

export const AutopayAccountRequest = z.object({ path: AccountPath });
export type AutopayAccountRequest = z.infer<typeof AutopayAccountRequest>;

export const RunAutopayRequest = z.object({
  body: z.strictObject({ debitDate: CalendarDate('debitDate') }, { error: bodyError }),
});
export type RunAutopayRequest = z.infer<typeof RunAutopayRequest>;

export const ImportPaymentFileRequest = z.object({
  headers: IdempotencyHeaders,
  body: z.strictObject(
    {
      format: z.enum(PAYMENT_FILE_FORMATS, { error: `format must be one of ${PAYMENT_FILE_FORMATS.join(', ')}` }),
      content: z
        .string({ error: 'content must be the text of the file' })
        .min(1, 'content must not be empty')
        .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_PAYMENT_FILE_BYTES, `content must be at most ${MAX_PAYMENT_FILE_BYTES} bytes`),
    },
    { error: bodyError },
  ),
});
export type ImportPaymentFileRequest = z.infer<typeof ImportPaymentFileRequest>;

export const PaymentFileRequest = z.object({ path: z.object({ fileId: Id('fileId') }) });
export type PaymentFileRequest = z.infer<typeof PaymentFileRequest>;

/** The ACH settings of a deployment (CDK context achOriginator, the ACH_ORIGINATOR environment variable as JSON). */
export const AchOriginatorSchema = z.strictObject({
  immediateDestination: z.string().refine(isValidRoutingNumber, 'immediateDestination must be the ODFI routing number (9 digits with a check digit)'),
  immediateDestinationName: z.string().min(1).max(23),
  immediateOrigin: z.string().regex(/^[0-9A-Za-z ]{1,10}$/, 'immediateOrigin must be up to 10 letters or digits'),
  immediateOriginName: z.string().min(1).max(23),
  companyId: z.string().regex(/^[0-9A-Za-z]{1,10}$/, 'companyId must be up to 10 letters or digits'),
  companyName: z.string().min(1).max(16),
  originatingDfi: z.string().regex(/^\d{8}$/, 'originatingDfi must be the first 8 digits of the ODFI routing number'),
  entryDescription: z.string().min(1).max(10).default('UTILITYPMT'),
});
export type AchOriginatorSettings = z.infer<typeof AchOriginatorSchema>;

export const ListSuspenseRequest = z.object({
  query: z.object({
    status: z.enum(['OPEN', 'APPLIED'], { error: 'status must be OPEN or APPLIED' }).default('OPEN'),
    limit: Limit(50, 200),
    cursor: Cursor,
  }),
});
export type ListSuspenseRequest = z.infer<typeof ListSuspenseRequest>;

export const ApplySuspenseRequest = z.object({
  path: z.object({ fileId: Id('fileId'), ref: Id('ref') }),
  body: z.strictObject({ accountId: Id('accountId') }, { error: bodyError }),
});
export type ApplySuspenseRequest = z.infer<typeof ApplySuspenseRequest>;
