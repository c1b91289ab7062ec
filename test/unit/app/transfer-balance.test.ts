import { refundCredit } from '../../../shared/app/payments/refund-credit';
import { transferBalance } from '../../../shared/app/payments/transfer-balance';
import { TransferRefused } from '../../../shared/app/payments/errors';
import type { Account } from '../../../shared/domain/accounts';
import { accountBalance, ledgerEntryForBill, paymentEntry } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const account = (accountId: string, customerId: string, status: Account['status']): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status, meterIds: [], shard: 1, createdAt: 't' });

function setup() {
  const ledger = new MemoryLedger();
  let ids = 0;
  const deps = {
    ledger,
    accounts: new MemoryAccounts([account('OLD', 'C1', 'INACTIVE'), account('NEW', 'C1', 'ACTIVE'), account('OTHER', 'C2', 'ACTIVE'), account('GONE', 'C1', 'INACTIVE')]),
    clock: clockAt('2026-03-01T17:00:00.000Z'),
    newId: () => `E${++ids}`,
    timeZone: 'America/Denver',
    waitMs: 300,
    sleep: async () => undefined,
  };
  ledger.entries.push(ledgerEntryForBill({ billId: 'BF', accountId: 'OLD', total: '84.20', periodStart: '2026-02-01', periodEnd: '2026-02-14', dueDate: '2026-02-20', usage: { unit: 'gal' } }, '2026-02-15T00:00:00.000Z'));
  return { deps, ledger };
}

describe('transferBalance', () => {
  it('moves the final balance to the customer\'s active account in one pair of entries, audited on both; a retry posts once', async () => {
    const { deps, ledger } = setup();
    const first = await transferBalance(deps, 'csr1', { accountId: 'OLD', toAccountId: 'NEW', idempotencyKey: 't-1' });
    const again = await transferBalance(deps, 'csr1', { accountId: 'OLD', toAccountId: 'NEW', idempotencyKey: 't-1' });
    expect(again).toEqual(first);
    expect(first.body).toMatchObject({ transfer: { amount: '84.20', sameCustomer: true, consent: false } });
    expect(ledger.entries.filter((e) => e.kind === 'TRANSFER')).toHaveLength(2);
    expect(accountBalance(await ledger.listEntries('OLD'), '2026-03-01')).toMatchObject({ balance: '0.00', pastDue: '0.00' });
    expect(accountBalance(await ledger.listEntries('NEW'), '2026-03-01')).toMatchObject({ balance: '84.20', pastDue: '0.00' });
    expect((await ledger.listEntries('NEW'))[0]!.dueDate).toBe('2026-03-22');
    expect(ledger.audit.map((a) => [a.entityId, a.action])).toEqual([
      ['OLD', 'balance.transferred-out'],
      ['NEW', 'balance.transferred-in'],
    ]);
    // Nothing is left to move with another key.
    await expect(transferBalance(deps, 'csr1', { accountId: 'OLD', toAccountId: 'NEW', idempotencyKey: 't-2' })).rejects.toThrow(/no balance to transfer/);
  });

  it.each([
    ['another customer without consent', 'OTHER', undefined, 'other-customer'],
    ['an inactive account', 'GONE', undefined, 'target-not-active'],
    ['the same account', 'OLD', undefined, 'same-account'],
  ])('refuses %s and posts nothing', async (_what, to, consent, reason) => {
    const { deps, ledger } = setup();
    await expect(transferBalance(deps, 'csr1', { accountId: 'OLD', toAccountId: to, idempotencyKey: 'k', consent })).rejects.toMatchObject({ name: TransferRefused.name, reason });
    expect(ledger.entries).toHaveLength(1);
  });

  it('moves to another customer with recorded consent', async () => {
    const { deps, ledger } = setup();
    const outcome = await transferBalance(deps, 'csr1', { accountId: 'OLD', toAccountId: 'OTHER', idempotencyKey: 'k', consent: true, reason: 'guarantor agreed' });
    expect(outcome.body).toMatchObject({ transfer: { consent: true, sameCustomer: false } });
    expect(accountBalance(await ledger.listEntries('OTHER'), '2026-03-01').balance).toBe('84.20');
  });

  it('moves a credit balance; the credit moved cannot be refunded on the closing account too', async () => {
    const { deps, ledger } = setup();
    ledger.entries.push(paymentEntry({ accountId: 'OLD', paymentId: 'P1', amount: new Money('100.00'), allocations: [{ service: 'water', amount: '84.20' }, { service: 'account', amount: '15.80' }], postedAt: '2026-02-20T00:00:00.000Z', description: 'p', actor: 'x' }));
    await transferBalance(deps, 'csr1', { accountId: 'OLD', toAccountId: 'NEW', idempotencyKey: 'k' });
    expect(accountBalance(await ledger.listEntries('NEW'), '2026-03-01')).toMatchObject({ balance: '-15.80', credit: '15.80' });
    await expect(refundCredit(deps, 'billing1', { accountId: 'OLD', idempotencyKey: 'r', amount: '15.80', reason: 'r' })).rejects.toThrow(/more than the account's credit/);
  });
});
