import { ConfigurationError, parseEnv } from '../../../shared/adapters/env';
import { PlanSegmentsEnv, StartBillingRunEnv, TableEnv } from '../../../shared/schemas/env';

const ok = { TABLE_NAME: 'Table', UTILITY_TIMEZONE: 'America/Denver' };

describe('environment', () => {
  it('parses the variables', () => {
    expect(parseEnv(TableEnv, ok)).toEqual(ok);
    expect(parseEnv(PlanSegmentsEnv, { ...ok, BILLING_SEGMENTS: '32' }).BILLING_SEGMENTS).toBe(32);
  });

  it.each([
    [TableEnv, { UTILITY_TIMEZONE: 'America/Denver' }, /environment variable TABLE_NAME is required/],
    [TableEnv, { ...ok, UTILITY_TIMEZONE: 'Mountain Time' }, /environment variable UTILITY_TIMEZONE "Mountain Time" is not an IANA time zone/],
    [StartBillingRunEnv, ok, /environment variable STATE_MACHINE_ARN is required/],
    [StartBillingRunEnv, { ...ok, STATE_MACHINE_ARN: 'billing' }, /STATE_MACHINE_ARN must be a Step Functions state machine ARN/],
    [PlanSegmentsEnv, { ...ok, BILLING_SEGMENTS: '0' }, /BILLING_SEGMENTS must be a whole number from 1 to 1024/],
    [PlanSegmentsEnv, { ...ok, BILLING_SEGMENTS: 'many' }, /BILLING_SEGMENTS must be a whole number/],
  ] as const)('fails fast naming the variable (%#)', (schema, env, message) => {
    expect(() => parseEnv(schema, env)).toThrow(ConfigurationError);
    expect(() => parseEnv(schema, env)).toThrow(message);
  });
});
