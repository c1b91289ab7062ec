import { DEFAULT_VEE_CONFIG } from '../../../../shared/domain/vee/config';
import { runRegisterVee } from '../../../../shared/domain/vee/registers';

const config = { ...DEFAULT_VEE_CONFIG.electric, registerRolloverMicro: 100_000_000_000 }; // a 5-dial kWh register
const midnight = (day: number) => Date.UTC(2026, 0, day, 7) / 1000; // local midnight in Denver (winter)
const dayStartOf = (epochSec: number) => epochSec - ((epochSec - midnight(1)) % 86_400);
const kwh = (n: number) => Math.round(n * 1_000_000);
const run = (stored: ReadonlyArray<readonly [number, number]>, incoming: ReadonlyArray<readonly [number, number]>) =>
  runRegisterVee(config, new Map(stored), incoming.map(([atEpochSec, valueMicro]) => ({ atEpochSec, valueMicro })), midnight(20), dayStartOf);

describe('register reads', () => {
  it.each([
    ['consumption between daily midnight reads becomes that day', [[midnight(1), kwh(1000)]], [[midnight(2), kwh(1012.5)]], { derived: [[midnight(1), 86_400, kwh(12.5)]], reasons: [] }],
    ['a read at an odd time is kept without a derived interval', [[midnight(1), kwh(1000)]], [[midnight(2) + 1234, kwh(1012.5)]], { derived: [], reasons: [] }],
    ['a register that wraps past 99999 is a flagged rollover', [[midnight(1), kwh(99_990)]], [[midnight(2), kwh(5)]], { derived: [[midnight(1), 86_400, kwh(15)]], reasons: ['register-rollover'] }],
    ['a register that goes down is held negative consumption', [[midnight(1), kwh(5000)]], [[midnight(2), kwh(4000)]], { derived: [], reasons: ['negative-consumption'] }],
    ['an exact repeat is ignored, a different value at the same instant held', [[midnight(1), kwh(5000)]], [[midnight(1), kwh(5000)], [midnight(1), kwh(5001)]], { derived: [], reasons: ['duplicate-conflict'] }],
    ['a register read from the future is held', [], [[midnight(25), kwh(1)]], { derived: [], reasons: ['future-interval'] }],
    ['a register read more than 90 days old is held', [], [[midnight(20) - 91 * 86_400, kwh(1)]], { derived: [], reasons: ['too-old'] }],
    ['a register read 89 days old is kept', [], [[midnight(20) - 89 * 86_400, kwh(1)]], { derived: [], reasons: [] }],
  ] as const)('%s', (_case, stored, incoming, expected) => {
    const result = run(stored, incoming);
    expect(result.derived.map((d) => [d.startEpochSec, d.durationSec, d.quantityMicro])).toEqual(expected.derived);
    expect(result.exceptions.map((e) => e.reason)).toEqual(expected.reasons);
  });

  it('chains several new reads in any order', () => {
    const result = run([[midnight(1), kwh(10)]], [[midnight(3), kwh(30)], [midnight(2), kwh(15)]]);
    expect(result.derived.map((d) => d.quantityMicro)).toEqual([kwh(5), kwh(15)]);
    expect(result.accepted).toHaveLength(2);
  });
});
