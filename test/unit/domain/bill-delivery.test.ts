import { deliveryEvent } from '../../../shared/domain/bill-delivery';

const bill = { billId: 'B1', accountId: 'A1', customerId: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', total: '74.07', dueDate: '2026-02-22', finalBill: false };
const address = { line1: '12 Elm St', city: 'Springfield', state: 'PA', zip: '17001' };

describe('deliveryEvent', () => {
  it("uses the customer's channel with what that channel needs", () => {
    expect(deliveryEvent(bill, { billDelivery: 'EMAIL', email: 'dana@example.com', mailingAddress: address })).toEqual({
      type: 'bill.ready',
      ...bill,
      channel: 'EMAIL',
      email: 'dana@example.com',
      documentPath: '/portal/accounts/A1/bills/B1/document',
      notify: ['EMAIL'],
      notifyEmail: 'dana@example.com',
    });
    expect(deliveryEvent(bill, { billDelivery: 'PAPER', email: 'dana@example.com', mailingAddress: address })).toMatchObject({ channel: 'PAPER', mailingAddress: address });
    expect(deliveryEvent(bill, { billDelivery: 'PAPER', email: 'dana@example.com', mailingAddress: address })).not.toHaveProperty('email');
    expect(deliveryEvent(bill, { billDelivery: 'PORTAL', email: 'dana@example.com' })).toMatchObject({ channel: 'PORTAL' });
  });

  it('falls back to paper when e-mail has no address or the customer record is missing', () => {
    expect(deliveryEvent(bill, { billDelivery: 'EMAIL', mailingAddress: address })).toMatchObject({ channel: 'PAPER', mailingAddress: address });
    expect(deliveryEvent(bill, undefined)).toMatchObject({ channel: 'PAPER' });
  });

  it("carries the customer's bill-ready notification channels with their addresses", () => {
    const chosen = { billReady: ['EMAIL', 'SMS'], paymentDue: [], highUsage: [], serviceOrders: [], collections: [] } as const;
    const customer = { billDelivery: 'PORTAL' as const, email: 'dana@example.com', phones: ['5555550101'], notifications: { ...chosen, billReady: [...chosen.billReady], paymentDue: [], highUsage: [], serviceOrders: [], collections: [] } };
    expect(deliveryEvent(bill, customer)).toMatchObject({ channel: 'PORTAL', notify: ['EMAIL', 'SMS'], notifyEmail: 'dana@example.com', notifyPhone: '5555550101' });
    expect(deliveryEvent(bill, { ...customer, notifications: { ...customer.notifications, billReady: [] } })).toMatchObject({ notify: [] });
    expect(deliveryEvent(bill, { ...customer, notifications: { ...customer.notifications, billReady: [] } })).not.toHaveProperty('notifyEmail');
    // A phone removed after SMS was chosen: the channel is left out, not sent nowhere.
    expect(deliveryEvent(bill, { ...customer, phones: [] })).toMatchObject({ notify: ['EMAIL'] });
    expect(deliveryEvent(bill, { billDelivery: 'PAPER', mailingAddress: address })).toMatchObject({ notify: [] });
  });
});
