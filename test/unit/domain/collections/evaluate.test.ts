import fc from 'fast-check';
import { addDays, localDate } from '../../../../shared/domain/calendar';
import { addBusinessDays, daysBetween, holidayOn, weekdayOf } from '../../../../shared/domain/collections/days';
import { evaluateCollection, scheduledDisconnectDay, type CollectionFacts, type NoticeRecord, type WeatherInput } from '../../../../shared/domain/collections/evaluate';
import { policyPack, SHIPPED_PACK_IDS } from '../../../../shared/domain/collections/packs';
import type { PolicyPack } from '../../../../shared/domain/collections/policy';

const PA = policyPack('us-pa-52-ch56');
const CA = policyPack('us-ca-sb998-water');
const TX = policyPack('us-tx-16tac-25.29-electric');
const TXW = policyPack('us-tx-water');

const notice = (kind: NoticeRecord['kind'], sentOn: string, scheduled: string): NoticeRecord => ({ noticeId: `N-${kind}-${sentOn}`, kind, sentOn, sentAt: `${sentOn}T14:00:00.000Z`, scheduledDisconnectOn: scheduled, amount: '120.00' });
const weather = (day: string, over: Partial<WeatherInput> = {}): WeatherInput => ({ region: 'R1', day, forecastLowF: 45, forecastHighF: 70, heatAdvisory: false, horizonHours: 72, source: 'test', ...over });

/** Notices that complete the pack's sequence for disconnection on `day`: written in time, each step at its latest allowed day. */
function completedNotices(pack: PolicyPack, day: string): NoticeRecord[] {
  const writtenOn = addDays(day, -(pack.notices.written.daysBefore + (pack.notices.written.businessDays ? 8 : 2)));
  const scheduled = scheduledDisconnectDay(pack, writtenOn);
  const steps = pack.notices.steps.map((step) => notice(step.kind, addDays(day, -step.maxHoursBefore / 24), scheduled));
  return [notice('WRITTEN', writtenOn, scheduled), ...steps];
}

/** An account every rule of `pack` lets be disconnected on `day`. */
function control(pack: PolicyPack, day: string, over: Partial<CollectionFacts> = {}): CollectionFacts {
  return {
    accountId: 'A1',
    services: [pack.services[0]!],
    pastDue: '120.00',
    oldestPastDueDate: addDays(day, -90),
    openDisputes: [],
    certificates: [],
    household: { incomePercentOfFpl: 400, lifeSupport: false },
    weatherRegion: 'R1',
    weather: [weather(day), weather(addDays(day, -1)), weather(addDays(day, -2))],
    notices: completedNotices(pack, day),
    ...over,
  };
}

const at = (day: string) => ({ day, at: `${day}T15:00:00.000Z` });
const TUESDAY = '2026-10-06';
const blockedRule = (evaluation: ReturnType<typeof evaluateCollection>, type: string) => evaluation.results.find((r) => r.type === type)!;

describe('calendar facts', () => {
  it.each([
    ['2026-10-06', 'TUE'],
    ['2026-10-09', 'FRI'],
    ['2026-10-11', 'SUN'],
    ['2027-01-04', 'MON'],
  ])('%s is a %s', (day, weekday) => expect(weekdayOf(day)).toBe(weekday));

  it('knows public holidays by state and skips them in business days', () => {
    expect(holidayOn('2026-11-26', 'PA', ['public'])?.name).toMatch(/Thanksgiving/);
    expect(holidayOn('2026-11-24', 'PA', ['public', 'bank'])).toBeUndefined();
    expect(addBusinessDays('2026-09-14', 7, 'CA')).toBe('2026-09-23');
    // Thanksgiving (Thursday) is skipped: Wed + 2 business days = Mon? no: Fri is a business day unless a holiday.
    expect(addBusinessDays('2026-11-25', 1, 'CA')).toBe(holidayOn('2026-11-27', 'CA', ['public', 'bank']) ? '2026-11-30' : '2026-11-27');
    expect(daysBetween('2026-10-01', '2026-10-06')).toBe(5);
  });
});

describe('evaluateCollection: the control account', () => {
  it.each([
    [PA, TUESDAY],
    [CA, TUESDAY],
    [TX, TUESDAY],
    [TXW, TUESDAY],
  ])('%s: every rule passes and the decision is disconnect', (pack, day) => {
    const evaluation = evaluateCollection(pack, control(pack, day), at(day));
    expect(evaluation.blockedBy).toEqual([]);
    expect(evaluation.decision).toBe('disconnect');
    expect(evaluation.results.map((r) => r.ruleId)).toEqual(['pack-services', ...pack.rules.map((r) => r.id)]);
    for (const result of evaluation.results) expect(result.citation.length).toBeGreaterThan(3);
  });
});

describe('evaluateCollection: each protection blocks (PA unless named)', () => {
  const cases: Array<[string, PolicyPack, string, Partial<CollectionFacts>, string]> = [
    ['medical certificate in force', PA, TUESDAY, { certificates: [{ certificateId: 'MC1', receivedOn: '2026-09-20', validThrough: '2026-10-20' }] }, 'medical-certificate'],
    ['medical certificate expiring today', PA, TUESDAY, { certificates: [{ certificateId: 'MC1', receivedOn: '2026-09-06', validThrough: TUESDAY }] }, 'medical-certificate'],
    ['open dispute', PA, TUESDAY, { openDisputes: [{ disputeId: 'D1', amount: '20.00' }] }, 'pending-dispute'],
    ['active arrangement on track', PA, TUESDAY, { arrangement: { arrangementId: 'AR1', status: 'ACTIVE', state: 'on-track' } }, 'active-arrangement'],
    ['active arrangement behind (not broken)', PA, TUESDAY, { arrangement: { arrangementId: 'AR1', status: 'ACTIVE', state: 'behind' } }, 'active-arrangement'],
    ['under the minimum amount', PA, TUESDAY, { pastDue: '49.99' }, 'minimum-past-due'],
    ['not past due long enough', PA, TUESDAY, { oldestPastDueDate: addDays(TUESDAY, -29) }, 'minimum-past-due'],
    ['missing weather for the region', PA, TUESDAY, { weather: [] }, 'weather'],
    ['weather on file for another region only', PA, TUESDAY, { weatherRegion: 'R2' }, 'weather'],
    ['forecast low at 32F', PA, TUESDAY, { weather: [weather(TUESDAY, { forecastLowF: 32 })] }, 'weather'],
    ['forecast too short', PA, TUESDAY, { weather: [weather(TUESDAY, { horizonHours: 24 })] }, 'weather'],
    ['a freeze forecast for tomorrow (within 48 hours)', PA, TUESDAY, { weather: [weather(TUESDAY), weather(addDays(TUESDAY, 1), { forecastLowF: 20 })] }, 'weather'],
    ['life support on file', PA, TUESDAY, { household: { incomePercentOfFpl: 400, lifeSupport: true } }, 'life-support'],
    ['a Friday', PA, '2026-10-09', {}, 'quiet-days'],
    ['the day before Thanksgiving', PA, '2026-11-25', {}, 'quiet-days'],
    ['Thanksgiving', PA, '2026-11-26', {}, 'quiet-days'],
    ['the day before a holiday (TX)', TX, '2026-11-25', {}, 'quiet-days'],
    ['a Saturday (CA)', CA, '2026-10-10', {}, 'quiet-days'],
    ['winter, income unknown', PA, '2026-12-01', { household: {} }, 'winter-moratorium'],
    ['winter, income at 250% FPL', PA, '2026-12-01', { household: { incomePercentOfFpl: 250 } }, 'winter-moratorium'],
    ['last day of winter', PA, '2027-03-31', { household: { incomePercentOfFpl: 100 } }, 'winter-moratorium'],
    ['heat advisory today (TX)', TX, TUESDAY, { weather: [weather(TUESDAY, { heatAdvisory: true }), weather(addDays(TUESDAY, -1)), weather(addDays(TUESDAY, -2))] }, 'weather'],
    ['heat advisory two days ago (TX)', TX, TUESDAY, { weather: [weather(TUESDAY), weather(addDays(TUESDAY, -1)), weather(addDays(TUESDAY, -2), { heatAdvisory: true })] }, 'weather'],
    ['no forecast for a lookback day (TX)', TX, TUESDAY, { weather: [weather(TUESDAY), weather(addDays(TUESDAY, -2))] }, 'weather'],
    ['freeze (TX water)', TXW, TUESDAY, { weather: [weather(TUESDAY, { forecastLowF: 31 })] }, 'weather'],
    ['heat index (PA has none; TX water advisory)', TXW, TUESDAY, { weather: [weather(TUESDAY, { heatAdvisory: true })] }, 'weather'],
    ['60 days not reached (CA)', CA, TUESDAY, { oldestPastDueDate: addDays(TUESDAY, -59) }, 'minimum-past-due'],
    ['service not covered (CA water pack, electric account)', CA, TUESDAY, { services: ['electric'] }, 'pack-services'],
    ['no written notice yet', PA, TUESDAY, { notices: [] }, 'notice-sequence'],
    ['written notice not yet due', PA, TUESDAY, { notices: [notice('WRITTEN', addDays(TUESDAY, -3), addDays(TUESDAY, 7))] }, 'notice-sequence'],
  ];

  it.each(cases)('%s: no disconnection, the stored result names the rule', (_name, pack, day, over, type) => {
    const evaluation = evaluateCollection(pack, control(pack, day, over), at(day));
    expect(evaluation.decision).not.toBe('disconnect');
    const rule = blockedRule(evaluation, type);
    expect(rule.outcome).toBe('block');
    expect(evaluation.blockedBy).toContain(rule.ruleId);
    expect(rule.reason.length).toBeGreaterThan(10);
  });
});

describe('evaluateCollection: boundaries that pass', () => {
  const cases: Array<[string, PolicyPack, string, Partial<CollectionFacts>]> = [
    ['certificate expired yesterday', PA, TUESDAY, { certificates: [{ certificateId: 'MC1', receivedOn: '2026-09-05', validThrough: addDays(TUESDAY, -1) }] }],
    ['exactly the minimum amount and days', PA, TUESDAY, { pastDue: '50.00', oldestPastDueDate: addDays(TUESDAY, -30) }],
    ['forecast low 33F', PA, TUESDAY, { weather: [weather(TUESDAY, { forecastLowF: 33 })] }],
    ['a freeze forecast three days out (outside 48 hours)', PA, TUESDAY, { weather: [weather(TUESDAY), weather(addDays(TUESDAY, 2), { forecastLowF: 20 })] }],
    ['broken arrangement', PA, TUESDAY, { arrangement: { arrangementId: 'AR1', status: 'ACTIVE', state: 'broken' } }],
    ['closed dispute is not listed', PA, TUESDAY, { openDisputes: [] }],
    ['first day after winter', PA, '2027-04-01', { household: { incomePercentOfFpl: 100 } }],
    ['winter, income above 250% FPL', PA, '2026-12-01', { household: { incomePercentOfFpl: 251 } }],
    ['the Tuesday before Thanksgiving', PA, '2026-11-24', {}],
    ['heat advisory three days ago (TX)', TX, TUESDAY, { weather: [weather(TUESDAY), weather(addDays(TUESDAY, -1)), weather(addDays(TUESDAY, -2)), weather(addDays(TUESDAY, -3), { heatAdvisory: true })] }],
    ['a Friday (CA allows Fridays)', CA, '2026-10-09', {}],
  ];
  it.each(cases)('%s: disconnect', (_name, pack, day, over) => {
    const evaluation = evaluateCollection(pack, control(pack, day, over), at(day));
    expect(evaluation.blockedBy).toEqual([]);
    expect(evaluation.decision).toBe('disconnect');
  });

  it('the moratorium starts on the utility-local day, not the UTC one', () => {
    // 03:00 UTC on December 1 is still November 30 in Pennsylvania.
    const day = localDate(Date.parse('2026-12-01T03:00:00Z') / 1000, 'America/New_York');
    expect(day).toBe('2026-11-30');
    const evaluation = evaluateCollection(PA, control(PA, day, { household: {} }), { day, at: '2026-12-01T03:00:00.000Z' });
    expect(blockedRule(evaluation, 'winter-moratorium').outcome).toBe('not-applicable');
    const next = localDate(Date.parse('2026-12-01T05:00:00Z') / 1000, 'America/New_York');
    expect(blockedRule(evaluateCollection(PA, control(PA, next, { household: {} }), at(next)), 'winter-moratorium').outcome).toBe('block');
  });
});

describe('evaluateCollection: the notice sequence', () => {
  it('sends the written notice first, scheduling disconnection N days out (business days in CA)', () => {
    const pa = evaluateCollection(PA, control(PA, TUESDAY, { notices: [] }), at(TUESDAY));
    expect(pa.decision).toBe('written-notice');
    expect(pa.notice).toEqual({ kind: 'WRITTEN', scheduledDisconnectOn: '2026-10-16', amount: '120.00' });
    const ca = evaluateCollection(CA, control(CA, '2026-09-14', { notices: [] }), at('2026-09-14'));
    expect(ca.notice?.scheduledDisconnectOn).toBe('2026-09-23');
  });

  it('makes no notice while a gate (minimum, dispute, arrangement) blocks', () => {
    expect(evaluateCollection(PA, control(PA, TUESDAY, { notices: [], pastDue: '10.00' }), at(TUESDAY)).decision).toBe('blocked');
    expect(evaluateCollection(PA, control(PA, TUESDAY, { notices: [], openDisputes: [{ disputeId: 'D', amount: '1.00' }] }), at(TUESDAY)).decision).toBe('blocked');
  });

  it('makes the PA contact attempt 5 days before, then the 48-hour notice, then disconnects', () => {
    const written = notice('WRITTEN', '2026-09-26', '2026-10-06');
    const dayOf = (day: string, notices: NoticeRecord[]) => evaluateCollection(PA, control(PA, day, { notices }), at(day));
    expect(dayOf('2026-09-30', [written]).decision).toBe('blocked');
    expect(dayOf('2026-10-01', [written]).decision).toBe('contact-attempt');
    const contact = notice('CONTACT', '2026-10-01', '2026-10-06');
    expect(dayOf('2026-10-02', [written, contact]).decision).toBe('blocked');
    expect(dayOf('2026-10-03', [written, contact]).decision).toBe('final-notice');
    const final = notice('FINAL', '2026-10-03', '2026-10-06');
    expect(dayOf('2026-10-05', [written, contact, final]).decision).toBe('blocked');
    expect(dayOf('2026-10-06', [written, contact, final]).decision).toBe('disconnect');
  });

  it.each([
    [1, 'contact-attempt-too-recent', 'blocked'],
    [2, '48 hours', 'disconnect'],
    [3, '72 hours', 'disconnect'],
    [4, 'stale: a new attempt', 'contact-attempt'],
  ])('TX contact %i days before disconnection (%s): %s', (daysBefore, _what, decision) => {
    const written = notice('WRITTEN', addDays(TUESDAY, -14), addDays(TUESDAY, -4));
    const contact = notice('CONTACT', addDays(TUESDAY, -daysBefore), addDays(TUESDAY, -4));
    expect(evaluateCollection(TX, control(TX, TUESDAY, { notices: [written, contact] }), at(TUESDAY)).decision).toBe(decision);
  });

  it('sends a new written notice once the old one lapsed', () => {
    const old = notice('WRITTEN', '2026-06-01', '2026-06-11');
    const evaluation = evaluateCollection(PA, control(PA, TUESDAY, { notices: [old] }), at(TUESDAY));
    expect(evaluation.decision).toBe('written-notice');
  });

  it('does not count a notice about an earlier debt (sent before the oldest charge now past due fell due)', () => {
    const old = notice('WRITTEN', '2026-08-20', '2026-08-30');
    const evaluation = evaluateCollection(PA, control(PA, TUESDAY, { notices: [old], oldestPastDueDate: '2026-09-05' }), at(TUESDAY));
    expect(evaluation.decision).toBe('written-notice');
    const same = evaluateCollection(PA, control(PA, TUESDAY, { notices: [old], oldestPastDueDate: '2026-08-10' }), at(TUESDAY));
    expect(same.decision).toBe('contact-attempt');
  });

  it('makes one notice a day', () => {
    const written = notice('WRITTEN', TUESDAY, addDays(TUESDAY, 10));
    expect(evaluateCollection(PA, control(PA, TUESDAY, { notices: [written] }), at(TUESDAY)).notice).toBeUndefined();
  });
});

describe('evaluateCollection: disconnected accounts', () => {
  const open = { orderId: 'O1', performed: false, scheduledFor: TUESDAY };
  const done = { orderId: 'O1', performed: true, scheduledFor: TUESDAY };
  it.each([
    ['performed, paid', { disconnection: done, pastDue: '0.00' }, 'reconnect'],
    ['performed, arrangement made', { disconnection: done, arrangement: { arrangementId: 'AR', status: 'ACTIVE' as const, state: 'on-track' as const } }, 'reconnect'],
    ['performed, unpaid', { disconnection: done }, 'disconnected'],
    ['open, paid', { disconnection: open, pastDue: '0.00' }, 'cancel-disconnect'],
    ['open, certificate arrived', { disconnection: open, certificates: [{ certificateId: 'C', receivedOn: TUESDAY, validThrough: addDays(TUESDAY, 30) }] }, 'cancel-disconnect'],
    ['open, still due', { disconnection: open }, 'disconnected'],
    ['one service done, another open, a certificate arrived', { disconnection: { ...done, pending: true }, certificates: [{ certificateId: 'C', receivedOn: TUESDAY, validThrough: addDays(TUESDAY, 30) }] }, 'cancel-disconnect'],
    ['one service done, another open, still due', { disconnection: { ...done, pending: true } }, 'disconnected'],
    ['performed, a certificate arrived (nothing left to cancel)', { disconnection: done, certificates: [{ certificateId: 'C', receivedOn: TUESDAY, validThrough: addDays(TUESDAY, 30) }] }, 'disconnected'],
  ])('%s: %s', (_name, over, decision) => {
    expect(evaluateCollection(PA, control(PA, TUESDAY, over), at(TUESDAY)).decision).toBe(decision);
  });
});

describe('evaluateCollection: no facts with a blocking condition ever yield disconnect (property)', () => {
  const day = fc.integer({ min: 0, max: 730 }).map((n) => addDays('2026-01-01', n));
  const facts = (d: string) =>
    fc.record({
      pastDue: fc.integer({ min: 0, max: 50000 }).map((c) => (c / 100).toFixed(2)),
      daysPastDue: fc.integer({ min: 0, max: 200 }),
      services: fc.subarray(['water', 'electric', 'gas', 'sewer'] as const, { minLength: 0 }),
      dispute: fc.boolean(),
      arrangement: fc.constantFrom(undefined, 'on-track', 'behind', 'broken', 'kept'),
      certificateOffset: fc.option(fc.integer({ min: -40, max: 40 })),
      income: fc.option(fc.integer({ min: 50, max: 600 })),
      lifeSupport: fc.boolean(),
      weatherToday: fc.option(fc.record({ low: fc.integer({ min: 0, max: 60 }), high: fc.integer({ min: 40, max: 115 }), advisory: fc.boolean(), horizon: fc.constantFrom(12, 24, 48, 72) })),
      advisoryDaysAgo: fc.option(fc.integer({ min: 1, max: 3 })),
      noticesComplete: fc.boolean(),
    }).map((f): CollectionFacts => ({
      accountId: 'A',
      services: [...f.services],
      pastDue: f.pastDue,
      oldestPastDueDate: addDays(d, -f.daysPastDue),
      openDisputes: f.dispute ? [{ disputeId: 'D', amount: '1.00' }] : [],
      ...(f.arrangement ? { arrangement: { arrangementId: 'AR', status: 'ACTIVE' as const, state: f.arrangement } } : {}),
      certificates: f.certificateOffset === null ? [] : [{ certificateId: 'C', receivedOn: addDays(d, -30), validThrough: addDays(d, f.certificateOffset) }],
      household: { ...(f.income === null ? {} : { incomePercentOfFpl: f.income }), lifeSupport: f.lifeSupport },
      weatherRegion: 'R1',
      weather: [
        ...(f.weatherToday ? [weather(d, { forecastLowF: f.weatherToday.low, forecastHighF: f.weatherToday.high, heatAdvisory: f.weatherToday.advisory, horizonHours: f.weatherToday.horizon })] : []),
        ...[1, 2, 3].map((back) => weather(addDays(d, -back), { heatAdvisory: f.advisoryDaysAgo === back })),
      ],
      notices: [],
    }));

  /** An independent reading of the packs: is any protection in force for these facts on this day? */
  function protectionHolds(pack: PolicyPack, f: CollectionFacts, d: string): boolean {
    const covered = f.services.filter((s) => pack.services.includes(s as never));
    if (covered.length === 0) return true;
    for (const rule of pack.rules) {
      switch (rule.type) {
        case 'minimum-past-due':
          if (Number(f.pastDue) < Number(rule.params.amount) || daysBetween(f.oldestPastDueDate!, d) < rule.params.daysPastDue) return true;
          break;
        case 'medical-certificate':
          if (f.certificates.some((c) => c.validThrough >= d)) return true;
          break;
        case 'pending-dispute':
          if (f.openDisputes.length) return true;
          break;
        case 'active-arrangement':
          if (f.arrangement && f.arrangement.state !== 'broken') return true;
          break;
        case 'life-support':
          if (f.household?.lifeSupport) return true;
          break;
        case 'winter-moratorium': {
          const md = d.slice(5);
          const inWindow = rule.params.from <= rule.params.to ? md >= rule.params.from && md <= rule.params.to : md >= rule.params.from || md <= rule.params.to;
          const income = f.household?.incomePercentOfFpl;
          if (inWindow && (income === undefined || income <= (rule.params.incomeAtOrBelowFplPercent ?? Infinity))) return true;
          break;
        }
        case 'weather': {
          const w = f.weather.find((x) => x.day === d);
          if (!w || w.horizonHours < rule.params.withinHours) return true;
          if (rule.params.coldAtOrBelowF !== undefined && w.forecastLowF <= rule.params.coldAtOrBelowF) return true;
          if (rule.params.heatAdvisory && w.heatAdvisory) return true;
          for (let back = 1; back <= rule.params.advisoryLookbackDays; back++) if (f.weather.find((x) => x.day === addDays(d, -back))?.heatAdvisory) return true;
          break;
        }
        case 'quiet-days':
          if (rule.params.weekdays.includes(weekdayOf(d)) || holidayOn(d, pack.state, rule.params.holidayTypes) || (rule.params.dayBeforeHoliday && holidayOn(addDays(d, 1), pack.state, rule.params.holidayTypes))) return true;
          break;
        case 'notice-sequence':
          break;
      }
    }
    return false;
  }

  it.each(SHIPPED_PACK_IDS)('%s', (id) => {
    const pack = policyPack(id);
    fc.assert(
      fc.property(
        day.chain((d) => fc.tuple(fc.constant(d), facts(d), fc.boolean())),
        ([d, f, complete]) => {
          const withNotices = complete ? { ...f, notices: completedNotices(pack, d) } : f;
          const evaluation = evaluateCollection(pack, withNotices, at(d));
          if (protectionHolds(pack, withNotices, d)) expect(evaluation.decision).not.toBe('disconnect');
          if (evaluation.decision === 'disconnect') expect(evaluation.results.every((r) => r.outcome !== 'block')).toBe(true);
          if (!complete) expect(evaluation.decision).not.toBe('disconnect');
        },
      ),
      { numRuns: 400 },
    );
  });

  it.each(SHIPPED_PACK_IDS)('%s: an order not yet performed is cancelled whenever a protection holds', (id) => {
    const pack = policyPack(id);
    fc.assert(
      fc.property(
        day.chain((d) => fc.tuple(fc.constant(d), facts(d), fc.boolean(), fc.boolean())),
        ([d, f, complete, partlyDone]) => {
          const withOrder: CollectionFacts = { ...f, notices: complete ? completedNotices(pack, d) : [], disconnection: { orderId: 'O1', performed: partlyDone, pending: true, scheduledFor: addDays(d, -1) } };
          const evaluation = evaluateCollection(pack, withOrder, at(d));
          if (protectionHolds(pack, withOrder, d)) expect(['cancel-disconnect', 'reconnect']).toContain(evaluation.decision);
          expect(evaluation.decision).not.toBe('disconnect');
        },
      ),
      { numRuns: 300 },
    );
  });
});
