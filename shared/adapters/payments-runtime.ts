/** Lazily wired dependencies of the ledger and payment handlers, and the staff roles they allow. */
import type { StaffRole } from '../domain/identity';
import type { PaymentProvider } from '../app/payments/ports';
import { validLateFeePolicy, type LateFeePolicy } from '../domain/late-fees';
import { Money } from '../domain/money';
import { AchEnv, ArrangementsEnv, LateFeeEnv, PaymentsEnv, PaymentWebhookEnv } from '../schemas/env';
import { DynamoBankStore } from './bank-store';
import { parseEnv } from './env';
import { DynamoLedgerStore } from './ledger-store';
import { lazy, tableDeps } from './runtime';
import { SandboxPaymentProvider, UnconfiguredPaymentProvider } from './sandbox-payments';

export const ledgerDeps = lazy(() => {
  const table = tableDeps();
  return { ...table, ledger: new DynamoLedgerStore(table.documentClient, table.tableName) };
});
export type LedgerDeps = ReturnType<typeof ledgerDeps>;

function providerFor(name: PaymentsEnv['PAYMENT_PROVIDER']): PaymentProvider {
  switch (name) {
    case 'sandbox':
      return new SandboxPaymentProvider();
    case 'none':
      return new UnconfiguredPaymentProvider();
  }
}

export const paymentDeps = lazy(() => {
  const env = parseEnv(PaymentsEnv);
  return { ...ledgerDeps(), provider: providerFor(env.PAYMENT_PROVIDER), returnedPaymentFee: env.RETURNED_PAYMENT_FEE };
});
export type PaymentRuntimeDeps = ReturnType<typeof paymentDeps>;

export const webhookDeps = lazy(() => {
  const env = parseEnv(PaymentWebhookEnv);
  const deps = paymentDeps();
  return { ...deps, webhookSecret: env.PAYMENT_WEBHOOK_SECRET, providerName: deps.provider.name };
});
export type WebhookRuntimeDeps = ReturnType<typeof webhookDeps>;

export const arrangementDeps = lazy(() => ({ ...ledgerDeps(), arrangementGraceDays: parseEnv(ArrangementsEnv).ARRANGEMENT_GRACE_DAYS }));
export type ArrangementRuntimeDeps = ReturnType<typeof arrangementDeps>;

/** The late-fee policy from the function's environment (validated at cold start). */
export function lateFeePolicyFromEnv(env: LateFeeEnv): LateFeePolicy {
  return validLateFeePolicy({
    graceDays: env.LATE_FEE_GRACE_DAYS,
    method: env.LATE_FEE_METHOD,
    flatAmount: new Money(env.LATE_FEE_FLAT),
    percent: new Money(env.LATE_FEE_PERCENT),
    minimumPastDue: new Money(env.LATE_FEE_MINIMUM_PAST_DUE),
    cap: env.LATE_FEE_CAP === 'none' ? undefined : new Money(env.LATE_FEE_CAP),
  });
}

export const lateFeeDeps = lazy(() => ({ ...ledgerDeps(), lateFeePolicy: lateFeePolicyFromEnv(parseEnv(LateFeeEnv)) }));
export type LateFeeRuntimeDeps = ReturnType<typeof lateFeeDeps>;

/** Autopay enrollment, runs and bank-file imports: the ledger, the bank store and the accounts. */
export const bankDeps = lazy(() => {
  const deps = paymentDeps();
  const bank = new DynamoBankStore(deps.documentClient, deps.tableName);
  return { ...deps, autopay: bank, files: bank };
});
export type BankRuntimeDeps = ReturnType<typeof bankDeps>;

export const autopayRunDeps = lazy(() => ({ ...bankDeps(), achOriginator: parseEnv(AchEnv).ACH_ORIGINATOR }));
export type AutopayRunRuntimeDeps = ReturnType<typeof autopayRunDeps>;

/** Staff who enroll and cancel autopay (from the customer's signed authorization). */
export const AUTOPAY_ENROLLERS: readonly StaffRole[] = ['csr', 'admin'];
/** Staff who run autopay and import bank and lockbox files. */
export const BANK_FILE_HANDLERS: readonly StaffRole[] = ['billing', 'admin'];

/** Staff who make and cancel payment arrangements and open and close disputes. */
export const ARRANGEMENT_MAKERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];

/** Staff who take payments at the counter. */
export const PAYMENT_TAKERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
/** Staff who return payments and refund credit balances. */
export const LEDGER_CORRECTORS: readonly StaffRole[] = ['billing', 'admin'];
