import { parseVeeOverrides } from '../../../shared/adapters/reads-runtime';
import { resolveVeeConfig } from '../../../shared/domain/vee/config';

describe('VEE_OVERRIDES', () => {
  it('configures rules per service type and rate class', () => {
    const overrides = parseVeeOverrides('{"water/IRR": {"spikeFactor": 40, "actions": {"zero-consumption": "off"}}, "gas": {"zeroConsumptionDays": 30}}');
    expect(resolveVeeConfig('water', 'IRR', overrides)).toMatchObject({ spikeFactor: 40, actions: { 'zero-consumption': 'off', spike: 'flag' } });
    expect(resolveVeeConfig('gas', 'ANY', overrides).zeroConsumptionDays).toBe(30);
    expect(parseVeeOverrides(undefined)).toEqual({});
  });

  it.each([
    ['{', /not valid JSON/],
    ['{"steam": {}}', /VEE_OVERRIDES: steam/],
    ['{"water": {"spikeFactor": -1}}', /VEE_OVERRIDES: water.spikeFactor/],
    ['{"water": {"actions": {"spike": "ignore"}}}', /VEE_OVERRIDES: water.actions.spike/],
    ['{"water": {"unknown": 1}}', /VEE_OVERRIDES: water/],
  ])('refuses %s naming the variable', (value, message) => {
    expect(() => parseVeeOverrides(value)).toThrow(message);
  });
});
