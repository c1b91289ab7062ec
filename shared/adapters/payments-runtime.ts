/** Lazily wired dependencies of the ledger and payment handlers, and the staff roles they allow. */
import type { StaffRole } from '../domain/identity';
import type { PaymentProvider } from '../app/payments/ports';
import { validLateFeePolicy, type LateFeePolicy } from '../domain/late-fees';
import { Money } from '../domain/money';
import { depositRulesWith, type DepositRules } from '../domain/deposits';
import { disconnectionDays } from '../app/payments/deposit-policy';
import { AchEnv, AdjustmentsEnv, ArrangementsEnv, DepositEnv, LateFeeEnv, PaymentsEnv, PaymentWebhookEnv } from '../schemas/env';
import { DynamoCustomerRecordStore } from './customer-record-store';
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

/** The adjustment routes: the ledger and the approval limit (validated at cold start). */
export const adjustmentDeps = lazy(() => {
  const env = parseEnv(AdjustmentsEnv);
  return { ...ledgerDeps(), approvalLimit: env.ADJUSTMENT_APPROVAL_LIMIT, csrLimit: env.ADJUSTMENT_CSR_LIMIT };
});
export type AdjustmentRuntimeDeps = ReturnType<typeof adjustmentDeps>;

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

/** The deposit rules from DEPOSIT_POLICY (a patch over the built-in rules, validated at cold start). */
export function depositRulesFromEnv(env: DepositEnv): DepositRules {
  return depositRulesWith(env.DEPOSIT_POLICY);
}

export const depositDeps = lazy(() => {
  const deps = ledgerDeps();
  const records = new DynamoCustomerRecordStore(deps.documentClient, deps.tableName);
  return {
    ...deps,
    depositRules: depositRulesFromEnv(parseEnv(DepositEnv)),
    decisionOf: async (accountId: string) => (await records.getAccount(accountId))?.deposit,
    disconnections: (accountId: string) => disconnectionDays(records, accountId),
  };
});
export type DepositRuntimeDeps = ReturnType<typeof depositDeps>;

/** Staff who bill, waive and refund deposits (the customer record's writers). */
export const DEPOSIT_MAKERS: readonly StaffRole[] = ['csr', 'admin'];
/** Staff who refund deposits (in good standing, or forced with a reason). */
export const DEPOSIT_REFUNDERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
/** Staff who move balances between accounts at move-out. */
export const BALANCE_TRANSFERRERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
/** Staff who enroll accounts in budget billing and end it. */
export const BUDGET_MANAGERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];

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
/** Staff who see the queue of customers' arrangement requests (the makers decide them). */
export const ARRANGEMENT_REQUEST_READERS: readonly StaffRole[] = ['csr', 'billing', 'admin', 'auditor'];

/** Staff who take payments at the counter. */
export const PAYMENT_TAKERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
/** Staff who ask for adjustments (posted at once or kept for approval, see domain/adjustment-approval). */
export const ADJUSTMENT_REQUESTERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
/** Staff who return payments and refund credit balances. */
export const LEDGER_CORRECTORS: readonly StaffRole[] = ['billing', 'admin'];
