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
    });
    expect(deliveryEvent(bill, { billDelivery: 'PAPER', email: 'dana@example.com', mailingAddress: address })).toMatchObject({ channel: 'PAPER', mailingAddress: address });
    expect(deliveryEvent(bill, { billDelivery: 'PAPER', email: 'dana@example.com', mailingAddress: address })).not.toHaveProperty('email');
    expect(deliveryEvent(bill, { billDelivery: 'PORTAL', email: 'dana@example.com' })).toMatchObject({ channel: 'PORTAL' });
  });

  it('falls back to paper when e-mail has no address or the customer record is missing', () => {
    expect(deliveryEvent(bill, { billDelivery: 'EMAIL', mailingAddress: address })).toMatchObject({ channel: 'PAPER', mailingAddress: address });
    expect(deliveryEvent(bill, undefined)).toMatchObject({ channel: 'PAPER' });
  });
});
