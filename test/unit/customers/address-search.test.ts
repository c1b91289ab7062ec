import { formatAddress, normalizeAddress, normalizeStreet } from '../../../shared/domain/customers/address';
import { accountTokens, addressTokens, customerTokens, nameWords, phoneDigits, planSearch } from '../../../shared/domain/customers/search';

describe('normalizeStreet', () => {
  it.each([
    ['101 North Main Street', '101 N MAIN ST'],
    ['101 n. main st.', '101 N MAIN ST'],
    ['12 Birch Street, Apt. 4', '12 BIRCH ST UNIT 4'],
    ['12 Birch St #4', '12 BIRCH ST UNIT 4'],
    ['12 Birch St Apartment # 4B', '12 BIRCH ST UNIT 4B'],
    ['77 Sunset Boulevard Suite 200', '77 SUNSET BLVD STE 200'],
    ['5 Café Lane', '5 CAFE LN'],
    ['  9   South-West   Parkway  ', '9 S W PKWY'],
    ['9 Southwest Parkway', '9 SW PKWY'],
    ['1 Avenue', '1 AVE'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeStreet(input)).toBe(expected);
  });
});

describe('normalizeAddress', () => {
  it('makes two spellings of one address equal, and keeps different units apart', () => {
    const a = normalizeAddress({ line1: '12 Birch Street', city: 'Springfield', state: 'il', zip: '62701-1234' });
    const b = normalizeAddress({ line1: '12 BIRCH ST.', city: 'springfield', state: 'IL', zip: '62701' });
    expect(a).toBe('12 BIRCH ST SPRINGFIELD IL 62701');
    expect(b).toBe(a);
    expect(normalizeAddress({ line1: '12 Birch St', line2: 'Apt 2', city: 'Springfield', state: 'IL', zip: '62701' })).not.toBe(a);
  });

  it('formats a display line', () => {
    expect(formatAddress({ line1: '12 Birch St', line2: 'Apt 2', city: 'Springfield', state: 'il', zip: '62701' })).toBe('12 Birch St, Apt 2, Springfield, IL 62701');
  });
});

describe('search tokens', () => {
  it('indexes name words, phone digits and the email of a customer', () => {
    const tokens = customerTokens({ customerId: 'C1', name: 'María-José O’Neil', email: ' MJ@Example.com ', phones: ['+1 (555) 010-2000', '12'] });
    expect(tokens.map((t) => `${t.field}:${t.token}`)).toEqual(['name:maria', 'name:jose', 'name:neil', 'phone:5550102000', 'email:mj@example.com']);
    expect(tokens.every((t) => t.entityType === 'CUSTOMER' && t.entityId === 'C1')).toBe(true);
  });

  it('indexes a street line with and without its house number', () => {
    expect(addressTokens('12 Birch Street')).toEqual(['12 birch st', 'birch st']);
    expect(accountTokens({ accountId: 'A0001', name: 'x' })[0]!.token).toBe('a0001');
  });

  it.each([
    ['jordan@example.com', ['email:jordan@example.com']],
    ['(555) 010-2000', ['phone:5550102000']],
    ['rivera', ['account:rivera', 'meter:rivera', 'name:rivera', 'address:rivera']],
    ['Jordan Rivera', ['account:jordanrivera', 'meter:jordanrivera', 'name:jordan+jordan,rivera', 'address:jordan rivera']],
    ['12 Birch Street', ['account:12birchstreet', 'meter:12birchstreet', 'name:street+birch,street', 'address:12 birch st']],
    ['555-010', ['account:555-010', 'meter:555-010', 'phone:555010']],
    ['ME-100', ['account:me-100', 'meter:me-100', 'name:me', 'address:me 100']],
  ])('plans %s', (query, expected) => {
    const plans = planSearch(query).map((p) => `${p.field}:${p.prefix}${p.alsoWords ? `+${p.alsoWords.join(',')}` : ''}`);
    expect(plans).toEqual(expected);
  });

  it('normalizes phones and names', () => {
    expect(phoneDigits('1-555-010-2000')).toBe('5550102000');
    expect(nameWords("O'Brien & Sons, LLC")).toEqual(['brien', 'sons', 'llc']);
  });
});
