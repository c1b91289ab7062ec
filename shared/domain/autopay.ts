/**
 * Autopay by ACH: the customer's bank account (ABA routing number with its check digit, account
 * number, checking or savings) and their authorization. The full account number is needed only
 * to write the NACHA file; everything shown to people carries the last four digits.
 */
import { InvalidInput } from './errors';

export const BANK_ACCOUNT_TYPES = ['checking', 'savings'] as const;
export type BankAccountType = (typeof BANK_ACCOUNT_TYPES)[number];

/**
 * The ABA check: 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) is a multiple of 10. Nine digits;
 * all zeros is refused (it passes the sum but routes nowhere).
 */
export function isValidRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value) || value === '000000000') return false;
  return abaCheckDigit(value.slice(0, 8)) === Number(value[8]);
}

/** The ninth digit of a routing number from its first eight (the NACHA entry keeps them apart). */
export function abaCheckDigit(first8: string): number {
  if (!/^\d{8}$/.test(first8)) throw new InvalidInput(`a routing number prefix is 8 digits, got ${JSON.stringify(first8)}`);
  const d = [...first8].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]!);
  return (10 - (sum % 10)) % 10;
}

/** A DFI account number as NACHA carries it: 4 to 17 letters or digits (no spaces). */
export function isValidBankAccountNumber(value: string): boolean {
  return /^[0-9A-Za-z]{4,17}$/.test(value);
}

export function maskAccountNumber(accountNumber: string): string {
  return `****${accountNumber.slice(-4)}`;
}

/** What is stored and shown: the full account number is not part of it. */
export interface AutopayEnrollment {
  accountId: string;
  status: 'ACTIVE' | 'CANCELLED';
  routingNumber: string;
  accountType: BankAccountType;
  /** The last four characters of the account number. */
  accountLast4: string;
  /** The name on the bank account (NACHA individual name, 22 characters). */
  accountHolder: string;
  /** When and by whom the debit was authorized (the customer in the portal, or staff on a signed form). */
  authorizedAt: string;
  authorizedBy: string;
  paperless?: boolean;
  cancelledAt?: string;
  cancelledBy?: string;
}

/** What the file writer reads: the enrollment and the full account number. */
export interface DebitInstruction extends AutopayEnrollment {
  accountNumber: string;
}

export function enrollmentView(instruction: DebitInstruction | AutopayEnrollment): AutopayEnrollment {
  const { accountNumber: _full, ...rest } = instruction as DebitInstruction;
  return rest;
}

/** Builds an enrollment from checked input (InvalidInput naming the field otherwise). */
export function newDebitInstruction(input: { accountId: string; routingNumber: string; accountNumber: string; accountType: BankAccountType; accountHolder: string; at: string; actor: string; paperless?: boolean | undefined }): DebitInstruction {
  if (!isValidRoutingNumber(input.routingNumber)) throw new InvalidInput('routingNumber is not a valid ABA routing number (9 digits with a check digit)', [{ path: 'routingNumber', message: 'not a valid ABA routing number' }]);
  if (!isValidBankAccountNumber(input.accountNumber)) throw new InvalidInput('accountNumber must be 4 to 17 letters or digits', [{ path: 'accountNumber', message: 'must be 4 to 17 letters or digits' }]);
  return {
    accountId: input.accountId,
    status: 'ACTIVE',
    routingNumber: input.routingNumber,
    accountType: input.accountType,
    accountLast4: input.accountNumber.slice(-4),
    accountHolder: input.accountHolder,
    authorizedAt: input.at,
    authorizedBy: input.actor,
    ...(input.paperless !== undefined ? { paperless: input.paperless } : {}),
    accountNumber: input.accountNumber,
  };
}
