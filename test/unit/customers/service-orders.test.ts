import { IllegalOrderTransition, ServiceRuleViolation } from '../../../shared/domain/customers/errors';
import { isOpen, newOrder, ORDER_ACTIONS, ORDER_STATES, transition, type OrderAction, type OrderState, type ServiceOrder } from '../../../shared/domain/customers/service-orders';

const base = newOrder({ orderId: 'O1', type: 'RE_READ', servicePointId: 'P1-WATER', premiseId: 'P1', serviceType: 'water', accountId: 'A1', meterId: 'MW1', requestedBy: 'casey', createdAt: '2026-03-01T10:00:00.000Z' });
const inState = (state: OrderState): ServiceOrder => ({ ...base, state });
const completion = { read: '12.5' };

/** Every action from every state: the allowed ones give the next state, the rest are 409s. */
const EXPECTED: Record<OrderState, Partial<Record<OrderAction, OrderState>>> = {
  CREATED: { schedule: 'SCHEDULED', dispatch: 'DISPATCHED', cancel: 'CANCELLED' },
  SCHEDULED: { schedule: 'SCHEDULED', dispatch: 'DISPATCHED', complete: 'COMPLETED', cancel: 'CANCELLED' },
  DISPATCHED: { complete: 'COMPLETED', cancel: 'CANCELLED' },
  COMPLETED: {},
  CANCELLED: {},
};

describe('service order state machine', () => {
  const cases = ORDER_STATES.flatMap((state) => ORDER_ACTIONS.map((action) => [state, action, EXPECTED[state][action] ?? null] as const));

  it.each(cases)('%s + %s -> %s', (state, action, expected) => {
    const run = () => transition(inState(state), { action, at: '2026-03-02T10:00:00.000Z', scheduledFor: '2026-03-05', completion });
    if (expected === null) {
      expect(run).toThrow(IllegalOrderTransition);
    } else {
      const next = run();
      expect(next.state).toBe(expected);
      expect(next.milestones.at(-1)).toMatchObject({ state: expected, at: '2026-03-02T10:00:00.000Z' });
      expect(next.milestones).toHaveLength(base.milestones.length + 1);
    }
  });

  it('names the state in the refusal to complete a cancelled order', () => {
    expect(() => transition(inState('CANCELLED'), { action: 'complete', at: 't', completion })).toThrow(/is CANCELLED: it cannot be completed/);
  });

  it('starts scheduled when a date is given, with customer-visible milestones', () => {
    const scheduled = newOrder({ ...base, scheduledFor: '2026-03-05' });
    expect(scheduled.state).toBe('SCHEDULED');
    expect(scheduled.milestones.map((m) => m.text)).toEqual(['We received your re read request.', 'Your re read is scheduled for 2026-03-05.']);
    expect(base.state).toBe('CREATED');
  });

  it.each([
    ['a read order without its read', { ...base, state: 'DISPATCHED' as const }, {}, 'read-required'],
    ['a meter exchange without the new meter', { ...base, type: 'METER_EXCHANGE' as const, state: 'DISPATCHED' as const }, { removedRead: '1' }, 'new-meter-required'],
    ['a meter exchange without the removed read', { ...base, type: 'METER_EXCHANGE' as const, state: 'DISPATCHED' as const }, { newMeterId: 'M2', newMeterRead: '0' }, 'read-required'],
    ['scheduling without a date', { ...base }, undefined, 'schedule-date-required'],
  ])('refuses %s (422)', (_what, order, completionInput, reason) => {
    const action = completionInput === undefined ? 'schedule' : 'complete';
    try {
      transition(order, { action, at: 't', ...(completionInput ? { completion: completionInput } : {}) });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(ServiceRuleViolation);
      expect((error as ServiceRuleViolation).reason).toBe(reason);
    }
  });

  it('completes an investigation without a read, and knows open from closed', () => {
    const leak = { ...base, type: 'LEAK_INVESTIGATION' as const, state: 'DISPATCHED' as const };
    const done = transition(leak, { action: 'complete', at: 't', completion: { findings: 'dripping tap' } });
    expect(done.completion).toEqual({ completedAt: 't', findings: 'dripping tap' });
    expect([isOpen(done), isOpen(leak)]).toEqual([false, true]);
  });
});
