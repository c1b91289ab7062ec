import type { Change, CustomerRecordStore } from '../../../shared/app/customers/ports';
import { getMyPreferences, updateCustomer } from '../../../shared/app/customers/update-customer';
import { customerRecordFromItem, customerRecordToItem } from '../../../shared/adapters/customer-record-items';
import type { AuditEvent } from '../../../shared/domain/audit';
import { ServiceRuleViolation } from '../../../shared/domain/customers/errors';
import type { CustomerRecord } from '../../../shared/domain/customers/model';
import { UpdateCustomerRequest, UpdateMyPreferencesRequest } from '../../../shared/schemas/customers';

const dana = (over: Partial<CustomerRecord> = {}): CustomerRecord => ({ customerId: 'C1', name: 'Dana Cruz', email: 'dana@example.com', kind: 'PERSON', phones: [], billDelivery: 'PAPER', contacts: [], createdAt: 't', recordVersion: 1, ...over });

/** One customer in memory; a commit replaces it and keeps the audit events. */
function store(initial: CustomerRecord) {
  const state = { customer: initial, audit: [] as AuditEvent[], commits: 0 };
  const records = {
    getCustomer: async (id: string) => (id === state.customer.customerId ? { ...state.customer } : undefined),
    commit: async (changes: readonly Change[], audit: readonly AuditEvent[]) => {
      state.commits++;
      for (const change of changes) if (change.kind === 'customer') state.customer = { ...change.value, recordVersion: state.customer.recordVersion + 1 };
      state.audit.push(...audit);
    },
  } as unknown as CustomerRecordStore;
  return { state, deps: { records, clock: { now: () => new Date('2026-03-01T00:00:00Z') }, newId: () => '00000000-0000-4000-8000-000000000001' } };
}

describe('customer preferences', () => {
  it('default every topic to e-mail when the customer has an address, and to nothing without one', async () => {
    expect((await getMyPreferences(store(dana()).deps, 'C1')).notifications).toEqual({ billReady: ['EMAIL'], paymentDue: ['EMAIL'], highUsage: ['EMAIL'], serviceOrders: ['EMAIL'], collections: ['EMAIL'] });
    const noEmail = await getMyPreferences(store(dana({ email: undefined })).deps, 'C1');
    expect(noEmail.notifications.billReady).toEqual([]);
    expect(noEmail).toMatchObject({ billDelivery: 'PAPER', paperless: false, email: null });
  });

  it('change the topics given, keep the others, and audit the change', async () => {
    const { state, deps } = store(dana({ phones: ['5555550101'] }));
    await updateCustomer(deps, 'portal:C1', 'C1', { billDelivery: 'PORTAL', notifications: { billReady: ['SMS', 'EMAIL'], highUsage: [] } });
    const shown = await getMyPreferences(deps, 'C1');
    expect(shown).toMatchObject({ billDelivery: 'PORTAL', paperless: true });
    expect(shown.notifications).toEqual({ billReady: ['EMAIL', 'SMS'], paymentDue: ['EMAIL'], highUsage: [], serviceOrders: ['EMAIL'], collections: ['EMAIL'] });
    expect(state.audit.map((a) => [a.action, a.actor, a.details['fields'], a.details['notifications']])).toEqual([
      ['customer.updated', 'portal:C1', 'billDelivery,notifications', 'billReady=EMAIL+SMS,paymentDue=EMAIL,highUsage=none,serviceOrders=EMAIL,collections=EMAIL'],
    ]);
  });

  it.each([
    ['SMS without a phone', dana(), { notifications: { paymentDue: ['SMS' as const] } }, 'phone-required'],
    ['e-mail without an address', dana({ email: undefined }), { notifications: { billReady: ['EMAIL' as const] } }, 'email-required'],
    ['removing the phone text messages go to', dana({ phones: ['5555550101'], notifications: { billReady: ['SMS'], paymentDue: [], highUsage: [], serviceOrders: [], collections: [] } }), { phones: [] }, 'phone-required'],
  ])('refuse %s and change nothing', async (_what, customer, changes, reason) => {
    const { state, deps } = store(customer);
    const refused = updateCustomer(deps, 'portal:C1', 'C1', changes);
    await expect(refused).rejects.toThrow(ServiceRuleViolation);
    await expect(refused).rejects.toMatchObject({ reason });
    expect(state.commits).toBe(0);
  });

  it('survive the item mapper, and a record without them reads as the defaults', () => {
    const chosen = dana({ notifications: { billReady: ['EMAIL', 'SMS'], paymentDue: [], highUsage: ['EMAIL'], serviceOrders: [], collections: ['SMS'] } });
    expect(customerRecordFromItem(customerRecordToItem(chosen)).notifications).toEqual(chosen.notifications);
    expect(customerRecordFromItem(customerRecordToItem(dana())).notifications).toBeUndefined();
    expect(() => customerRecordFromItem({ ...customerRecordToItem(chosen), notifications: { billReady: ['FAX'] } })).toThrow(/unknown channel FAX/);
  });

  it('validate the request: known topics and channels, no repeats, a clear field', () => {
    const parse = (notifications: unknown) => UpdateMyPreferencesRequest.safeParse({ body: { notifications } });
    expect(parse({ billReady: ['EMAIL', 'SMS'] }).success).toBe(true);
    expect(parse({ billReady: [] }).success).toBe(true);
    const unknownChannel = parse({ billReady: ['FAX'] });
    expect(unknownChannel.success).toBe(false);
    expect(JSON.stringify(unknownChannel.error?.issues)).toContain('notifications.billReady[] must be one of EMAIL, SMS');
    expect(JSON.stringify(parse({ billReady: ['SMS', 'SMS'] }).error?.issues)).toContain('must not repeat');
    expect(JSON.stringify(parse({ weather: ['SMS'] }).error?.issues)).toContain('unknown topic');
    expect(UpdateCustomerRequest.safeParse({ path: { customerId: 'C1' }, body: { notifications: { collections: ['SMS'] } } }).success).toBe(true);
  });
});
