import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { policyPack, SHIPPED_PACK_IDS } from '../../../../shared/domain/collections/packs';
import { InvalidPolicyPack, parsePolicyPack } from '../../../../shared/domain/collections/policy';

const PACK_DIR = path.resolve(__dirname, '../../../../shared/domain/collections/packs');
const file = (name: string) => JSON.parse(readFileSync(path.join(PACK_DIR, name), 'utf8')) as Record<string, unknown>;

describe('shipped policy packs', () => {
  it('ships every pack file under an id', () => {
    expect(readdirSync(PACK_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...SHIPPED_PACK_IDS].sort());
  });

  it.each(SHIPPED_PACK_IDS)('%s loads through the schema, every rule cited, notes on what is unverified', (id) => {
    const pack = policyPack(id);
    expect(pack.id).toBe(id);
    expect(pack.rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of pack.rules) expect(rule.citation).toMatch(/§|TAC|Code|Pa\.C\.S\./);
    expect(pack.notes.length).toBeGreaterThan(0);
    expect(pack.reconnection.fee).toMatch(/^\d+\.\d{2}$/);
  });

  it('models the three rule sets of the issue', () => {
    expect(policyPack('us-pa-52-ch56').rules.map((r) => r.type)).toEqual(expect.arrayContaining(['medical-certificate', 'winter-moratorium', 'weather', 'pending-dispute', 'active-arrangement', 'quiet-days', 'minimum-past-due', 'notice-sequence']));
    expect(policyPack('us-ca-sb998-water').notices.written).toMatchObject({ daysBefore: 7, businessDays: true });
    expect(policyPack('us-tx-16tac-25.29-electric').rules.find((r) => r.type === 'weather')?.params).toMatchObject({ coldAtOrBelowF: 32, heatAdvisory: true });
  });

  it('throws for an unknown pack id', () => {
    expect(() => policyPack('us-zz-none')).toThrow(/no policy pack us-zz-none/);
  });
});

describe('parsePolicyPack rejects a bad pack naming the field', () => {
  const good = file('us-pa-52-ch56.json');
  const rules = good['rules'] as Array<Record<string, unknown>>;
  it.each([
    ['an unknown rule type', { ...good, rules: [...rules, { id: 'x-rule', type: 'full-moon', citation: 'none §1', description: 'nope', params: {} }] }, /rules\.9/],
    ['a rule without a citation', { ...good, rules: rules.map((r, i) => (i === 0 ? { ...r, citation: undefined } : r)) }, /rules\.0\.citation/],
    ['a moratorium with a bad month-day', { ...good, rules: rules.map((r) => (r['type'] === 'winter-moratorium' ? { ...r, params: { from: '13-01', to: '03-31' } } : r)) }, /params\.from/],
    ['a minimum amount with 3 decimals', { ...good, rules: rules.map((r) => (r['type'] === 'minimum-past-due' ? { ...r, params: { amount: '50.001', daysPastDue: 30 } } : r)) }, /params\.amount/],
    ['duplicate rule ids', { ...good, rules: [...rules, rules[1]] }, /duplicate rule id/],
    ['no notice-sequence rule', { ...good, rules: rules.filter((r) => r['type'] !== 'notice-sequence') }, /notice-sequence/],
    ['a contact window not in whole days', { ...good, notices: { ...(good['notices'] as object), steps: [{ kind: 'CONTACT', minHoursBefore: 36, maxHoursBefore: 72, citation: 'x § 1' }] } }, /notices\.steps\.0/],
    ['a weather rule with no threshold', { ...good, rules: rules.map((r) => (r['type'] === 'weather' ? { ...r, params: { withinHours: 24 } } : r)) }, /needs coldAtOrBelowF/],
  ])('%s', (_name, json, message) => {
    expect(() => parsePolicyPack(json)).toThrow(InvalidPolicyPack);
    expect(() => parsePolicyPack(json)).toThrow(message);
  });
});
