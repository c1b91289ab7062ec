import { formatMoney, isDecimalString, Money, parseDecimal, roundToCents, sumAmounts } from '../../../shared/domain/money';

describe('money', () => {
  it.each([
    ['0.005', '0.01'],
    ['0.004', '0.00'],
    ['0.015', '0.02'],
    ['0.025', '0.03'],
    ['2.675', '2.68'],
    ['1.0049999', '1.00'],
    ['-0.005', '-0.01'],
    ['-0.004', '0.00'],
    ['12.3', '12.30'],
    ['0', '0.00'],
    ['123456789012345678.125', '123456789012345678.13'],
  ])('rounds %s half-up to %s', (input, expected) => {
    expect(formatMoney(roundToCents(new Money(input)))).toBe(expected);
  });

  it('sums exactly where floats would not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatMoney(sumAmounts(['0.10', '0.20'].map((v) => new Money(v))))).toBe('0.30');
  });

  it.each(['1', '1.5', '-2.25', '0.000001'])('accepts the decimal string %s', (value) => {
    expect(isDecimalString(value)).toBe(true);
    expect(parseDecimal(value).toString()).toBe(new Money(value).toString());
  });

  it.each(['', ' 1', '1.', '.5', '+1', '1e3', 'NaN', 'Infinity', '01.5', '1,5'])('rejects %j', (value) => {
    expect(isDecimalString(value)).toBe(false);
    expect(() => parseDecimal(value, 'fixedCharge')).toThrow(/fixedCharge must be a decimal string/);
  });
});
