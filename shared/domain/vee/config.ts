/**
 * VEE configuration: which rules run, what each does when it fires (hold the reading for
 * staff, flag it but store it, or nothing) and their thresholds. Defaults are per service
 * type; a utility overrides them per service type and per rate class (table-driven).
 */

export type ServiceType = 'electric' | 'water' | 'gas';

/** Every VEE reason code (what an exception or a rejected reading says). */
export const VEE_REASONS = [
  'unknown-meter',
  'meter-inactive',
  'future-interval',
  'too-old',
  'unit-mismatch',
  'negative-consumption',
  'register-rollover',
  'duplicate-conflict',
  'overlapping-intervals',
  'spike',
  'high-usage',
  'low-usage',
  'zero-consumption',
  'gap',
] as const;
export type VeeReason = (typeof VEE_REASONS)[number];

/** hold: not stored, waits in the exceptions queue; flag: stored and queued for review; off: rule disabled. */
export type RuleAction = 'hold' | 'flag' | 'off';

export interface VeeConfig {
  actions: Record<VeeReason, RuleAction>;
  /** A reading may start this far ahead of the clock before it is "from the future". */
  futureSkewSec: number;
  /** A reading that ended more than this many days before now is "too old" (late backfill). */
  maxAgeDays: number;
  /** Spike: an interval's rate (per second) above spikeFactor x the highest rate of the history... */
  spikeFactor: number;
  /** ...and at least this many micro-units (small absolute values are never spikes). */
  spikeMinMicro: number;
  /** High/low usage: a complete day's total above high x / below low x the history's daily average. */
  highUsageFactor: number;
  lowUsageFactor: number;
  /** History days needed before spike and high/low rules apply. */
  minHistoryDays: number;
  /** Days of the meter's own history read with every batch (the baseline). */
  historyDays: number;
  /** Zero consumption over this many consecutive complete days on an active meter. */
  zeroConsumptionDays: number;
  /** Gaps up to this long are filled by linear interpolation. */
  interpolateMaxGapSec: number;
  /** Longer gaps up to this long are estimated from like days; longer still is a `gap` exception. */
  estimateMaxGapSec: number;
  /** A complete day above this (micro-units of the meter's unit) raises a high-usage alert for the customer; undefined: no alert. */
  highUsageAlertMicroPerDay?: number;
  /** Register reads: the register wraps to zero at this value (micro-units), e.g. 100000 kWh for a 5-dial register. */
  registerRolloverMicro: number;
}

const ALL_ON: Record<VeeReason, RuleAction> = {
  'unknown-meter': 'hold',
  'meter-inactive': 'hold',
  'future-interval': 'hold',
  'too-old': 'hold',
  'unit-mismatch': 'hold',
  'negative-consumption': 'hold',
  'register-rollover': 'flag',
  'duplicate-conflict': 'hold',
  'overlapping-intervals': 'hold',
  spike: 'flag',
  'high-usage': 'flag',
  'low-usage': 'flag',
  'zero-consumption': 'flag',
  gap: 'flag',
};

const BASE: VeeConfig = {
  actions: ALL_ON,
  futureSkewSec: 300,
  maxAgeDays: 90,
  spikeFactor: 10,
  spikeMinMicro: 1_000_000,
  highUsageFactor: 3,
  lowUsageFactor: 0.1,
  minHistoryDays: 3,
  historyDays: 7,
  zeroConsumptionDays: 3,
  interpolateMaxGapSec: 7200,
  estimateMaxGapSec: 7 * 86_400,
  registerRolloverMicro: 100_000 * 1_000_000,
};

export const DEFAULT_VEE_CONFIG: Record<ServiceType, VeeConfig> = {
  electric: { ...BASE, highUsageAlertMicroPerDay: 100 * 1_000_000 },
  // Water use is bursty (a garden hose) and often zero for a day: looser spike, longer zero window.
  water: { ...BASE, spikeFactor: 20, spikeMinMicro: 50 * 1_000_000, zeroConsumptionDays: 7, lowUsageFactor: 0, highUsageAlertMicroPerDay: 1000 * 1_000_000 },
  gas: { ...BASE, zeroConsumptionDays: 14, lowUsageFactor: 0, highUsageAlertMicroPerDay: 20 * 1_000_000 },
};

export type VeeConfigPatch = Partial<Omit<VeeConfig, 'actions'>> & { actions?: Partial<Record<VeeReason, RuleAction>> };

/** Overrides keyed "electric" (a whole service type) or "electric/RES-1" (a rate class of it). */
export type VeeOverrides = Readonly<Record<string, VeeConfigPatch>>;

export { serviceTypeOfUnit } from '../units';

function apply(config: VeeConfig, patch: VeeConfigPatch | undefined): VeeConfig {
  if (!patch) return config;
  return { ...config, ...patch, actions: { ...config.actions, ...patch.actions } };
}

/** Defaults of the service type, then the service type's override, then the rate class's. */
export function resolveVeeConfig(serviceType: ServiceType, rateClass: string | undefined, overrides: VeeOverrides = {}): VeeConfig {
  const byType = apply(DEFAULT_VEE_CONFIG[serviceType], overrides[serviceType]);
  return rateClass ? apply(byType, overrides[`${serviceType}/${rateClass}`]) : byType;
}
