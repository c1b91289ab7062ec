import { synthesizeTemplate } from '../../lib/app';
import { nextFireTime, schedulesOf, startScheduler } from '../../shared/local/scheduler';
import { LocalResolver, type CfnTemplate } from '../../shared/local/template';

describe('nextFireTime (EventBridge expressions, UTC)', () => {
  it.each([
    ['cron(0 12 * * ? *)', '2026-01-15T11:59:00Z', '2026-01-15T12:00:00Z'],
    ['cron(0 12 * * ? *)', '2026-01-15T12:00:00Z', '2026-01-16T12:00:00Z'],
    ['cron(30 6 ? * MON-FRI *)', '2026-01-16T07:00:00Z', '2026-01-19T06:30:00Z'],
    ['cron(0 0 1 * ? *)', '2026-01-15T00:00:00Z', '2026-02-01T00:00:00Z'],
    ['cron(15,45 * * * ? *)', '2026-01-15T10:20:00Z', '2026-01-15T10:45:00Z'],
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(nextFireTime(expression, new Date(after)).toISOString().replace('.000Z', 'Z')).toBe(expected);
  });

  it('counts rates from the origin', () => {
    expect(nextFireTime('rate(5 minutes)', new Date('2026-01-15T10:07:00Z'), new Date('2026-01-15T10:00:00Z')).toISOString()).toBe('2026-01-15T10:10:00.000Z');
    expect(nextFireTime('rate(1 day)', new Date('2026-01-15T10:00:00Z'), new Date('2026-01-15T10:00:00Z')).toISOString()).toBe('2026-01-16T10:00:00.000Z');
  });

  it('refuses what it cannot run', () => {
    expect(() => nextFireTime('cron(0 12 * *)', new Date())).toThrow(/6 fields/);
    expect(() => nextFireTime('at(2026-01-01T00:00:00)', new Date())).toThrow(/unsupported/);
    expect(() => nextFireTime('cron(0 25 * * ? *)', new Date())).toThrow(/outside/);
  });
});

describe('the local scheduler', () => {
  it('finds the daily collections and billing schedules in the synthesized template', () => {
    const schedules = schedulesOf(new LocalResolver(synthesizeTemplate({ skipBundling: true }) as never));
    expect(schedules.sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1))).toEqual([
      { ruleId: 'BillingDailySchedule', expression: 'cron(0 13 * * ? *)', target: 'function', arn: expect.stringMatching(/:function:ScheduledRuns$/) },
      { ruleId: 'CollectionsDailySchedule', expression: 'cron(0 12 * * ? *)', target: 'state-machine', arn: expect.stringMatching(/:stateMachine:CollectionsDaily$/) },
    ]);
  });

  it('starts the target state machine with a scheduled event at each fire time, and stops', () => {
    jest.useFakeTimers({ now: new Date('2026-01-15T10:00:30Z') });
    try {
      const template: CfnTemplate = { Resources: { Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} }, Every: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 minute)', Targets: [{ Id: 't', Arn: { Ref: 'Machine' } }] } }, Off: { Type: 'AWS::Events::Rule', Properties: { State: 'DISABLED', ScheduleExpression: 'rate(1 minute)', Targets: [{ Id: 't', Arn: { Ref: 'Machine' } }] } } } } as never;
      const started: Array<[string, any]> = [];
      const scheduler = startScheduler({ resolver: new LocalResolver(template), start: (schedule, event) => started.push([schedule.arn, event]), log: () => undefined, now: () => new Date() });
      expect(scheduler.schedules).toHaveLength(1);
      jest.advanceTimersByTime(59_000);
      expect(started).toHaveLength(0);
      jest.advanceTimersByTime(2_000);
      jest.advanceTimersByTime(60_000);
      expect(started).toHaveLength(2);
      expect(started[0]![0]).toMatch(/:stateMachine:Machine$/);
      expect(started[0]![1]).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-01-15T10:01:30Z' });
      scheduler.stop();
      jest.advanceTimersByTime(300_000);
      expect(started).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
