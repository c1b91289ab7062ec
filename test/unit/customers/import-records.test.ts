import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatImportReport, IMPORT_FILES, importRecords, type ImportFile, type ImportPlan, type ImportTarget } from '../../../shared/app/customers/import-records';
import { parseCsv } from '../../../shared/domain/customers/csv';

const FIXTURES = path.resolve(__dirname, '../../fixtures/import');

function filesOf(folder: string): Partial<Record<ImportFile, string>> {
  const files: Partial<Record<ImportFile, string>> = {};
  for (const name of readdirSync(path.join(FIXTURES, folder))) files[name.replace('.csv', '') as ImportFile] = readFileSync(path.join(FIXTURES, folder, name), 'utf8');
  return files;
}

class FakeTarget implements ImportTarget {
  written: ImportPlan[] = [];
  constructor(readonly known: Partial<Record<string, string[]>> = {}) {}
  async existing(kind: string, ids: readonly string[]) {
    return new Set(ids.filter((id) => (this.known[kind] ?? []).includes(id)));
  }
  async tariffUnits(ids: readonly string[]) {
    const units: Record<string, string> = { 'ELEC-RES': 'kWh', 'WATER-RES': 'gal' };
    return new Map(ids.flatMap((id) => (units[id] ? [[id, units[id]!] as [string, string]] : [])));
  }
  async write(plan: ImportPlan) {
    this.written.push(plan);
    return 42;
  }
}

const deps = (target: ImportTarget) => ({ target, clock: { now: () => new Date('2026-01-15T12:00:00Z') } });

describe('parseCsv', () => {
  it('reads quotes, escaped quotes, embedded newlines, CRLF, a BOM and blank lines', () => {
    const table = parseCsv('\ufeffA,Bee Cee\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n');
    expect(table.columns).toEqual(['a', 'bee_cee']);
    expect(table.rows).toEqual([
      { line: 2, values: { a: 'x, y', bee_cee: 'say "hi"' } },
      { line: 4, values: { a: 'two\nlines', bee_cee: 'z' } },
    ]);
  });

  it('reports ragged rows and unclosed quotes', () => {
    expect(parseCsv('a,b\n1,2,3\n').problems).toEqual([{ line: 2, message: 'the row has 3 fields but the header has 2' }]);
    expect(parseCsv('a\n"open\n').problems[0]!.message).toContain('not closed');
    expect(parseCsv('').problems[0]!.message).toContain('empty');
  });
});

describe('importRecords with a messy file set', () => {
  it('reports every rejected row with file, line and field, and writes nothing in a dry run', async () => {
    const target = new FakeTarget();
    const report = await importRecords(deps(target), filesOf('messy'), { dryRun: true });
    expect(target.written).toHaveLength(0);
    expect(report.files).toEqual({
      customers: { rows: 7, accepted: 3, rejected: 4, existing: 0 },
      premises: { rows: 5, accepted: 2, rejected: 3, existing: 0 },
      meters: { rows: 5, accepted: 3, rejected: 2, existing: 0 },
      accounts: { rows: 5, accepted: 3, rejected: 2, existing: 0 },
      agreements: { rows: 9, accepted: 3, rejected: 6, existing: 0 },
      balances: { rows: 4, accepted: 2, rejected: 2, existing: 0 },
    });
    expect(report.create).toEqual({ customers: 3, premises: 2, servicePoints: 4, meters: 3, accounts: 3, agreements: 3, balances: 2 });
    const problems = report.problems.map((p) => `${p.file}:${p.line}:${p.field ?? ''}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'customers:4:name',
        'customers:5:kind',
        'customers:5:email',
        'customers:5:phone.0',
        'customers:6:customer_id',
        'customers:7:name',
        'premises:3:line1',
        'premises:4:owner_account_id',
        'premises:6:state',
        'meters:5:unit',
        'meters:6:dials',
        'accounts:4:customer_id',
        'accounts:5:customer_id',
        'agreements:4:start_date',
        'agreements:6:tariff_id',
        'agreements:7:tariff_id',
        'agreements:8:premise_id',
        'agreements:9:meter_id',
        'agreements:10:start_date',
        'balances:4:balance',
        'balances:5:account_id',
      ]),
    );
    expect(report.problems.find((p) => p.file === 'agreements' && p.line === 4)!.message).toContain('second active agreement');
    expect(report.problems.find((p) => p.file === 'agreements' && p.line === 9)!.message).toContain('already installed at service point MP001-ELECTRIC');
    expect(report.unknownColumns).toEqual([{ file: 'customers', column: 'legacy_code' }]);
    expect(formatImportReport(report)).toContain('customers.csv line 4 [name]');
  });

  it('refuses to write when rows were rejected, and with --skip-invalid writes the valid, normalized rows', async () => {
    const refused = new FakeTarget();
    expect((await importRecords(deps(refused), filesOf('messy'), { dryRun: false })).written).toBe(false);
    expect(refused.written).toHaveLength(0);

    const target = new FakeTarget();
    const report = await importRecords(deps(target), filesOf('messy'), { dryRun: false, skipInvalid: true });
    expect(report).toMatchObject({ written: true, itemsWritten: 42 });
    const plan = target.written[0]!;
    expect(plan.customers.find((c) => c.customerId === 'MC001')).toMatchObject({ name: 'Smith, Alex', email: 'alex.smith@example.com', phones: ['5552001001', '5552001002'], billDelivery: 'EMAIL' });
    expect(plan.customers.find((c) => c.customerId === 'MC002')).toMatchObject({ kind: 'BUSINESS', name: 'Acme "Widgets" LLC', mailingAddress: { state: 'IL', zip: '02134' } });
    expect(plan.meters.find((m) => m.meterId === 'MM002')).toMatchObject({ unit: 'gal', serviceType: 'water', meterType: 'AMR', multiplier: 1, servicePointId: 'MP001-WATER', accountId: 'MA001', status: 'ACTIVE' });
    expect(plan.meters.find((m) => m.meterId === 'MM003')).toMatchObject({ status: 'INACTIVE', multiplier: 40 });
    expect(plan.accounts.find((a) => a.accountId === 'MA001')).toMatchObject({ status: 'ACTIVE', lifecycle: 'ACTIVE', tariffId: 'ELEC-RES', meterIds: ['MM001', 'MM002'], premiseIds: ['MP001'], serviceAddress: '1 Oak Avenue, Springfield, IL 62701' });
    expect(plan.accounts.find((a) => a.accountId === 'MA002')).toMatchObject({ status: 'INACTIVE', lifecycle: 'PENDING', cycle: 'C2' });
    expect(plan.accounts.find((a) => a.accountId === 'MA006')).toMatchObject({ status: 'INACTIVE', lifecycle: 'FINAL' });
    expect(plan.agreements.map((a) => [a.agreementId, a.status, a.startDate])).toEqual([
      ['MA001-ELECTRIC-20250301', 'ACTIVE', '2025-03-01'],
      ['MA001-WATER-20250301', 'ACTIVE', '2025-03-01'],
      ['MA006-ELECTRIC-20240101', 'CLOSED', '2024-01-01'],
    ]);
    expect(plan.servicePoints.find((sp) => sp.servicePointId === 'MP001-ELECTRIC')).toMatchObject({ activeAgreementId: 'MA001-ELECTRIC-20250301', meterId: 'MM001', connection: 'ON' });
    expect(plan.balances).toEqual([
      { accountId: 'MA001', amount: '1234.50', asOf: '2025-12-31' },
      { accountId: 'MA002', amount: '-45.10', asOf: '2025-12-31' },
    ]);
  });

  it('skips records that already exist, so a re-run adds only what is missing', async () => {
    const target = new FakeTarget({ customer: ['CC001'], premise: ['CP001'], meter: ['CM001'], account: ['CA001'], agreement: ['CA001/CA001-ELECTRIC-20250101'] });
    const report = await importRecords(deps(target), filesOf('clean'), { dryRun: false });
    expect(report.problems).toEqual([]);
    expect(Object.values(report.files).map((f) => f.existing)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(report.create).toMatchObject({ customers: 0, accounts: 0, balances: 1 });
  });

  it('names a missing column and rejects the whole file', async () => {
    const report = await importRecords(deps(new FakeTarget()), { meters: 'meter_id,unit\nM1,kWh\n' }, { dryRun: true });
    expect(report.problems).toEqual([{ file: 'meters', line: 1, message: 'missing column(s) service_type' }]);
    expect(report.files.meters).toEqual({ rows: 1, accepted: 0, rejected: 1, existing: 0 });
    expect(IMPORT_FILES).toHaveLength(6);
  });
});
