import { addQuantities, formatMicro, InvalidQuantity, microToDecimal, toMicroUnits, type Unit } from '../../../shared/domain/units';

describe('toMicroUnits', () => {
  it.each<[string, string, Unit, number]>([
    ['1.25', 'kWh', 'kWh', 1_250_000],
    ['0', 'kWh', 'kWh', 0],
    ['0.000001', 'kWh', 'kWh', 1],
    ['1.2500000000', 'kWh', 'kWh', 1_250_000],
    ['007.5', 'kWh', 'kWh', 7_500_000],
    ['640', 'Wh', 'kWh', 640_000],
    ['0.001', 'Wh', 'kWh', 1],
    ['1.5', 'Wh', 'Wh', 1_500_000],
    ['42', 'gal', 'gal', 42_000_000],
    ['1.234567', 'ccf', 'ccf', 1_234_567],
    ['0.5', 'therm', 'therm', 500_000],
    ['9007199254.740991', 'kWh', 'kWh', Number.MAX_SAFE_INTEGER],
  ])('%s %s on a %s meter is %d micro-units', (value, unit, meterUnit, expected) => {
    expect(toMicroUnits(value, unit, meterUnit)).toBe(expected);
  });

  it.each<[string, string, Unit, string]>([
    ['-1', 'kWh', 'kWh', 'negative-value'],
    ['-0', 'kWh', 'kWh', 'negative-value'],
    ['1e3', 'kWh', 'kWh', 'invalid-value'],
    ['1.', 'kWh', 'kWh', 'invalid-value'],
    ['.5', 'kWh', 'kWh', 'invalid-value'],
    ['+1', 'kWh', 'kWh', 'invalid-value'],
    [' 1', 'kWh', 'kWh', 'invalid-value'],
    ['0x10', 'kWh', 'kWh', 'invalid-value'],
    ['1.0000001', 'kWh', 'kWh', 'too-precise'],
    ['1.0001', 'Wh', 'kWh', 'too-precise'],
    ['9007199254.740992', 'kWh', 'kWh', 'value-too-large'],
    ['99999999999999999999', 'gal', 'gal', 'value-too-large'],
    ['1', 'kWh', 'Wh', 'incompatible-unit'],
    ['1', 'gal', 'kWh', 'incompatible-unit'],
    ['1', 'ccf', 'therm', 'incompatible-unit'],
    ['1', 'm3', 'gal', 'unknown-unit'],
  ])('rejects %j %s on a %s meter: %s', (value, unit, meterUnit, reason) => {
    expect(() => toMicroUnits(value, unit, meterUnit)).toThrow(InvalidQuantity);
    try {
      toMicroUnits(value, unit, meterUnit);
    } catch (error) {
      expect((error as InvalidQuantity).reason).toBe(reason);
      expect((error as InvalidQuantity).name).toBe('InvalidQuantity');
    }
  });
});

describe('quantities', () => {
  it.each([
    [1_250_000, '1.25'],
    [0, '0'],
    [1, '0.000001'],
    [42_000_000, '42'],
    [-1_500_000, '-1.5'],
  ])('formats %d micro-units as %s', (micro, text) => {
    expect(formatMicro(micro)).toBe(text);
  });

  it('prices from integers through an exact Decimal', () => {
    expect(microToDecimal(1).toString()).toBe('0.000001');
    expect(microToDecimal(123_456_789).toFixed()).toBe('123.456789');
  });

  it('refuses to add past the exactly representable range', () => {
    expect(addQuantities(1, 2)).toBe(3);
    expect(() => addQuantities(Number.MAX_SAFE_INTEGER, 1)).toThrow(InvalidQuantity);
  });
});
