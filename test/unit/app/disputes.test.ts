import { closeDispute, openDispute } from '../../../shared/app/payments/disputes';
import { DisputeNotFound, DisputeNotOpen } from '../../../shared/app/payments/errors';
import { AccountNotFound } from '../../../shared/app/errors';
import type { Account } from '../../../shared/domain/accounts';
import { RuleViolation } from '../../../shared/domain/errors';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const account: Account = { accountId: 'A1', customerId: 'C1', name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' };

function setup() {
  const ledger = new MemoryLedger();
  let ids = 0;
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '80.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-15', usage: { unit: 'gal' } }, '2026-01-25T00:00:00.000Z'));
  return { ledger, deps: { ledger, accounts: new MemoryAccounts([account]), clock: clockAt('2026-03-01T17:00:00.000Z'), newId: () => `E${++ids}` } };
}

describe('disputes', () => {
  it('open with the charge\'s open amount by default and close once, each audited', async () => {
    const { deps, ledger } = setup();
    const { dispute } = await openDispute(deps, 'dana', { accountId: 'A1', entryIds: ['LEB1'], reason: 'meter misread' });
    expect(dispute).toMatchObject({ status: 'OPEN', amount: '80.00', entryIds: ['LEB1'], openedBy: 'dana' });
    const { dispute: closed } = await closeDispute(deps, 'erin', { accountId: 'A1', disputeId: dispute.disputeId, resolution: 'read confirmed' });
    expect(closed).toMatchObject({ status: 'CLOSED', closedBy: 'erin', resolution: 'read confirmed' });
    await expect(closeDispute(deps, 'erin', { accountId: 'A1', disputeId: dispute.disputeId, resolution: 'again' })).rejects.toThrow(DisputeNotOpen);
    await expect(closeDispute(deps, 'erin', { accountId: 'A1', disputeId: 'DPX', resolution: 'x' })).rejects.toThrow(DisputeNotFound);
    expect(ledger.audit.map((a) => [a.action, a.actor])).toEqual([['dispute.opened', 'dana'], ['dispute.closed', 'erin']]);
    expect(ledger.entries).toHaveLength(1);
  });

  it('refuse unknown accounts, unknown charges and amounts over the charge, writing nothing', async () => {
    const { deps, ledger } = setup();
    await expect(openDispute(deps, 'dana', { accountId: 'A9', entryIds: ['LEB1'], reason: 'r' })).rejects.toThrow(AccountNotFound);
    await expect(openDispute(deps, 'dana', { accountId: 'A1', entryIds: ['LEB9'], reason: 'r' })).rejects.toThrow(RuleViolation);
    await expect(openDispute(deps, 'dana', { accountId: 'A1', entryIds: ['LEB1'], amount: '80.01', reason: 'r' })).rejects.toThrow(RuleViolation);
    expect([ledger.disputes.size, ledger.audit.length]).toEqual([0, 0]);
  });
});
