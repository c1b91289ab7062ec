/** Lazily wired dependencies of the ledger and payment handlers, and the staff roles they allow. */
import type { StaffRole } from '../domain/identity';
import type { PaymentProvider } from '../app/payments/ports';
import { PaymentsEnv, PaymentWebhookEnv } from '../schemas/env';
import { parseEnv } from './env';
import { DynamoLedgerStore } from './ledger-store';
import { lazy, tableDeps } from './runtime';
import { SandboxPaymentProvider } from './sandbox-payments';

export const ledgerDeps = lazy(() => {
  const table = tableDeps();
  return { ...table, ledger: new DynamoLedgerStore(table.documentClient, table.tableName) };
});
export type LedgerDeps = ReturnType<typeof ledgerDeps>;

function providerFor(name: PaymentsEnv['PAYMENT_PROVIDER']): PaymentProvider {
  switch (name) {
    case 'sandbox':
      return new SandboxPaymentProvider();
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

/** Staff who take payments at the counter. */
export const PAYMENT_TAKERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];
/** Staff who return payments and refund credit balances. */
export const LEDGER_CORRECTORS: readonly StaffRole[] = ['billing', 'admin'];
