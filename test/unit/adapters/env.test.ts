import { ConfigurationError, parseEnv } from '../../../shared/adapters/env';
import { lateFeePolicyFromEnv } from '../../../shared/adapters/payments-runtime';
import { resolveVeeConfig } from '../../../shared/domain/vee/config';
import { ArrangementsEnv, billExceptionLimitsOf, BillSegmentEnv, LateFeeEnv, PlanSegmentsEnv, ReadsEnv, StartBillingRunEnv, TableEnv } from '../../../shared/schemas/env';

const ok = { TABLE_NAME: 'Table', UTILITY_TIMEZONE: 'America/Denver' };

describe('environment', () => {
  it('parses the variables', () => {
    expect(parseEnv(TableEnv, ok)).toEqual(ok);
    expect(parseEnv(PlanSegmentsEnv, { ...ok, BILLING_SEGMENTS: '32' }).BILLING_SEGMENTS).toBe(32);
    expect(parseEnv(ArrangementsEnv, ok).ARRANGEMENT_GRACE_DAYS).toBe(5);
  });

  it('parses the bill settings of BillSegment, with their defaults', () => {
    const defaults = parseEnv(BillSegmentEnv, ok);
    expect([defaults.BILL_DUE_DAYS, defaults.BILL_MISSING_READS, billExceptionLimitsOf(defaults)]).toEqual([21, 'estimate', { highFactor: '3', lowFactor: '0.2', minHistory: 3, maxTotal: '10000.00', maxEstimatedInARow: 2 }]);
    const set = parseEnv(BillSegmentEnv, { ...ok, BILL_HIGH_FACTOR: '2.5', BILL_LOW_FACTOR: '0', BILL_MIN_HISTORY: '6', BILL_MAX_TOTAL: '2500', BILL_MAX_ESTIMATED: '0', BILL_MISSING_READS: 'hold' });
    expect([set.BILL_MISSING_READS, billExceptionLimitsOf(set)]).toEqual(['hold', { highFactor: '2.5', lowFactor: '0', minHistory: 6, maxTotal: '2500', maxEstimatedInARow: 0 }]);
  });

  it('builds the late-fee policy from defaults or the variables', () => {
    const defaults = lateFeePolicyFromEnv(parseEnv(LateFeeEnv, ok));
    expect({ ...defaults, flatAmount: defaults.flatAmount.toFixed(2), percent: defaults.percent.toString(), minimumPastDue: defaults.minimumPastDue.toFixed(2), cap: defaults.cap?.toFixed(2) }).toEqual({ graceDays: 5, method: 'percent', flatAmount: '5.00', percent: '1.5', minimumPastDue: '10.00', cap: '25.00' });
    const flat = lateFeePolicyFromEnv(parseEnv(LateFeeEnv, { ...ok, LATE_FEE_METHOD: 'flat', LATE_FEE_FLAT: '7.5', LATE_FEE_GRACE_DAYS: '0', LATE_FEE_CAP: 'none' }));
    expect([flat.method, flat.flatAmount.toFixed(2), flat.graceDays, flat.cap]).toEqual(['flat', '7.50', 0, undefined]);
  });

  it.each([
    [TableEnv, { UTILITY_TIMEZONE: 'America/Denver' }, /environment variable TABLE_NAME is required/],
    [TableEnv, { ...ok, UTILITY_TIMEZONE: 'Mountain Time' }, /environment variable UTILITY_TIMEZONE "Mountain Time" is not an IANA time zone/],
    [StartBillingRunEnv, ok, /environment variable STATE_MACHINE_ARN is required/],
    [StartBillingRunEnv, { ...ok, STATE_MACHINE_ARN: 'billing' }, /STATE_MACHINE_ARN must be a Step Functions state machine ARN/],
    [BillSegmentEnv, { ...ok, BILL_MISSING_READS: 'guess' }, /BILL_MISSING_READS must be "estimate", "hold" or "fail"/],
    [BillSegmentEnv, { ...ok, BILL_HIGH_FACTOR: '1' }, /highFactor must be greater than 1/],
    [BillSegmentEnv, { ...ok, BILL_LOW_FACTOR: '1.5' }, /BILL_LOW_FACTOR.*lowFactor must be at least 0 and less than 1/],
    [BillSegmentEnv, { ...ok, BILL_MIN_HISTORY: '0' }, /minHistory must be a whole number of at least 1/],
    [BillSegmentEnv, { ...ok, BILL_MAX_TOTAL: '10,000' }, /BILL_MAX_TOTAL must be a decimal amount/],
    [PlanSegmentsEnv, { ...ok, BILLING_SEGMENTS: '0' }, /BILLING_SEGMENTS must be a whole number from 1 to 1024/],
    [PlanSegmentsEnv, { ...ok, BILLING_SEGMENTS: 'many' }, /BILLING_SEGMENTS must be a whole number/],
    [ArrangementsEnv, { ...ok, ARRANGEMENT_GRACE_DAYS: '-1' }, /ARRANGEMENT_GRACE_DAYS must be a whole number of days/],
    [LateFeeEnv, { ...ok, LATE_FEE_METHOD: 'daily' }, /LATE_FEE_METHOD must be "flat" or "percent"/],
    [LateFeeEnv, { ...ok, LATE_FEE_PERCENT: '101' }, /LATE_FEE_PERCENT must be a percent from 0 to 100/],
    [LateFeeEnv, { ...ok, LATE_FEE_CAP: 'unlimited' }, /LATE_FEE_CAP must be "none" or a decimal amount/],
    [LateFeeEnv, { ...ok, LATE_FEE_MINIMUM_PAST_DUE: '1.001' }, /LATE_FEE_MINIMUM_PAST_DUE must be a decimal amount/],
  ] as const)('fails fast naming the variable (%#)', (schema, env, message) => {
    expect(() => parseEnv(schema, env)).toThrow(ConfigurationError);
    expect(() => parseEnv(schema, env)).toThrow(message);
  });

  describe('VEE_OVERRIDES', () => {
    it('configures rules per service type and rate class', () => {
      const { VEE_OVERRIDES: overrides } = parseEnv(ReadsEnv, { ...ok, VEE_OVERRIDES: '{"water/IRR": {"spikeFactor": 40, "actions": {"zero-consumption": "off"}}, "gas": {"zeroConsumptionDays": 30, "maxAgeDays": 400}}' });
      expect(resolveVeeConfig('water', 'IRR', overrides)).toMatchObject({ spikeFactor: 40, actions: { 'zero-consumption': 'off', spike: 'flag' } });
      expect(resolveVeeConfig('gas', 'ANY', overrides)).toMatchObject({ zeroConsumptionDays: 30, maxAgeDays: 400 });
      expect(parseEnv(ReadsEnv, ok).VEE_OVERRIDES).toEqual({});
      expect(parseEnv(ReadsEnv, { ...ok, VEE_OVERRIDES: ' ' }).VEE_OVERRIDES).toEqual({});
    });

    it.each([
      ['{', /environment variable VEE_OVERRIDES is not valid JSON/],
      ['[1]', /environment variable VEE_OVERRIDES /],
      ['{"steam": {}}', /environment variable VEE_OVERRIDES.steam keys are "electric", "water", "gas" or "<type>\/<rate class>"/],
      ['{"water": {"spikeFactor": -1}}', /environment variable VEE_OVERRIDES.water.spikeFactor /],
      ['{"water": {"maxAgeDays": 0}}', /environment variable VEE_OVERRIDES.water.maxAgeDays /],
      ['{"water": {"actions": {"spike": "ignore"}}}', /environment variable VEE_OVERRIDES.water.actions.spike /],
      ['{"water": {"unknown": 1}}', /environment variable VEE_OVERRIDES.water /],
    ])('refuses %s naming the variable', (value, message) => {
      expect(() => parseEnv(ReadsEnv, { ...ok, VEE_OVERRIDES: value })).toThrow(ConfigurationError);
      expect(() => parseEnv(ReadsEnv, { ...ok, VEE_OVERRIDES: value })).toThrow(message);
    });
  });
});
