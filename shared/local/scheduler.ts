/**
 * A small EventBridge scheduler: reads the AWS::Events::Rule resources of the template that have
 * a ScheduleExpression (`cron(...)` or `rate(...)`, UTC as in EventBridge) and a state machine
 * or Lambda function target, and starts an execution (or invokes the function) at each fire time
 * with an event like EventBridge's scheduled event ({"time", "detail-type": "Scheduled Event",
 * ...}). Off unless the platform asks for it.
 */
import { randomUUID } from 'node:crypto';
import { LocalResolver, resourcesOfType } from './template';

export interface LocalSchedule {
  ruleId: string;
  expression: string;
  target: 'state-machine' | 'function';
  /** The state machine's or the function's ARN. */
  arn: string;
}

interface CronField {
  any: boolean;
  values: Set<number>;
}

function parseField(text: string, min: number, max: number, names: readonly string[] = []): CronField {
  if (text === '*' || text === '?') return { any: true, values: new Set() };
  const values = new Set<number>();
  const value = (token: string) => {
    const index = names.indexOf(token.toUpperCase());
    const n = index >= 0 ? index + min : Number(token);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron field value ${token} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(value) : [value(range), stepText === undefined ? value(range) : max];
    for (let n = from!; n <= to!; n += step) values.add(n);
  }
  return { any: false, values };
}

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** The first fire time strictly after `after` (UTC), for `cron(min hour dom month dow year)` or `rate(n unit)` counted from `origin`. */
export function nextFireTime(expression: string, after: Date, origin: Date = after): Date {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const unitMs = rate[2]!.startsWith('minute') ? 60_000 : rate[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
    const period = Number(rate[1]) * unitMs;
    if (period <= 0) throw new Error(`${expression}: the rate must be positive`);
    const elapsed = after.getTime() - origin.getTime();
    return new Date(origin.getTime() + (Math.floor(elapsed / period) + 1) * period);
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new Error(`unsupported schedule expression ${expression}`);
  const parts = cron[1]!.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`${expression}: a cron expression has 6 fields`);
  const [minute, hour, dom, month, dow, year] = [parseField(parts[0]!, 0, 59), parseField(parts[1]!, 0, 23), parseField(parts[2]!, 1, 31), parseField(parts[3]!, 1, 12, MONTHS), parseField(parts[4]!, 1, 7, DAYS), parseField(parts[5]!, 1970, 2199)];
  const matches = (field: CronField, n: number) => field.any || field.values.has(n);
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  for (let i = 0; i < 366 * 24 * 60 * 2; i++, t.setTime(t.getTime() + 60_000)) {
    if (matches(minute, t.getUTCMinutes()) && matches(hour, t.getUTCHours()) && matches(dom, t.getUTCDate()) && matches(month, t.getUTCMonth() + 1) && matches(dow, t.getUTCDay() + 1) && matches(year, t.getUTCFullYear())) return new Date(t);
  }
  throw new Error(`${expression} never fires within two years`);
}

/** The schedules of the template: enabled rules with a ScheduleExpression and a state machine or function target. */
export function schedulesOf(resolver: LocalResolver): LocalSchedule[] {
  const schedules: LocalSchedule[] = [];
  for (const [ruleId, resource] of resourcesOfType(resolver.template, 'AWS::Events::Rule')) {
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    const expression = properties['ScheduleExpression'];
    if (typeof expression !== 'string' || properties['State'] === 'DISABLED') continue;
    for (const target of (properties['Targets'] as Array<Record<string, unknown>> | undefined) ?? []) {
      const arn = String(resolver.resolve(target['Arn']));
      if (arn.includes(':stateMachine:')) schedules.push({ ruleId, expression, target: 'state-machine', arn });
      else if (arn.includes(':function:')) schedules.push({ ruleId, expression, target: 'function', arn });
    }
  }
  return schedules;
}

export interface RunningScheduler {
  schedules: LocalSchedule[];
  stop(): void;
}

/** Starts every schedule; `start` is called with the schedule and the scheduled event at each fire time. */
export function startScheduler(options: { resolver: LocalResolver; start: (schedule: LocalSchedule, event: unknown) => void; log: (line: string) => void; now?: () => Date }): RunningScheduler {
  const now = options.now ?? (() => new Date());
  const schedules = schedulesOf(options.resolver);
  const timers: NodeJS.Timeout[] = [];
  const origin = now();
  for (const schedule of schedules) {
    const arm = (after: Date) => {
      const at = nextFireTime(schedule.expression, after, origin);
      // setTimeout holds at most ~24.8 days; re-arm on the way for later fire times.
      const wait = Math.min(at.getTime() - now().getTime(), 2 ** 31 - 1);
      const timer = setTimeout(() => {
        if (now().getTime() + 1000 < at.getTime()) return arm(after);
        const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', time: at.toISOString().replace('.000Z', 'Z'), resources: [schedule.ruleId], detail: {} };
        try {
          options.start(schedule, event);
          options.log(`schedule ${schedule.ruleId}: started ${schedule.arn} for ${event.time}`);
        } catch (error) {
          options.log(`schedule ${schedule.ruleId}: could not start: ${error instanceof Error ? error.message : String(error)}`);
        }
        arm(at);
      }, Math.max(0, wait));
      timer.unref();
      timers.push(timer);
    };
    arm(origin);
    options.log(`schedule ${schedule.ruleId}: ${schedule.expression} (UTC) -> ${schedule.arn}`);
  }
  return { schedules, stop: () => timers.forEach((timer) => clearTimeout(timer)) };
}
