/**
 * Import of a utility's existing records from CSV files (customers, premises, meters, accounts,
 * agreements, opening balances), with a dry run that reports what would be created and every
 * rejected row with its file, line and field, so that a migration can be rehearsed.
 *
 * Rows are normalized (case, phone punctuation, M/D/YYYY dates, "$1,234.56", ZIPs that lost
 * their leading zero), validated, then checked across files (references, duplicate ids and
 * addresses, one open agreement per service point, one service point per meter). A row whose
 * dependency was rejected is rejected too. Records that already exist are skipped, so a
 * re-run after a partial import only adds what is missing.
 */
import type { z } from 'zod';
import { normalizeAddress, formatAddress } from '../../domain/customers/address';
import { parseCsv } from '../../domain/customers/csv';
import { isMetered, syncAccount, UNITS_OF_SERVICE } from '../../domain/customers/lifecycle';
import type { AccountRecord, Agreement, CustomerRecord, MeterRecord, Premise, ServicePoint } from '../../domain/customers/model';
import { phoneDigits } from '../../domain/customers/search';
import { shardOf } from '../../domain/segments';
import { issuesOf } from '../../schemas/issues';
import { AccountRow, AgreementRow, BalanceRow, CustomerRow, MeterRow, PremiseRow } from '../../schemas/customers';
import type { Clock } from '../ports';

export const IMPORT_FILES = ['customers', 'premises', 'meters', 'accounts', 'agreements', 'balances'] as const;
export type ImportFile = (typeof IMPORT_FILES)[number];

const REQUIRED_COLUMNS: Record<ImportFile, string[]> = {
  customers: ['customer_id', 'name'],
  premises: ['premise_id', 'line1', 'city', 'state', 'zip', 'service_types'],
  meters: ['meter_id', 'service_type', 'unit'],
  accounts: ['account_id', 'customer_id'],
  agreements: ['account_id', 'premise_id', 'service_type', 'tariff_id', 'start_date'],
  balances: ['account_id', 'balance', 'as_of'],
};

export interface ImportProblem {
  file: ImportFile;
  line: number;
  field?: string;
  message: string;
}

export interface OpeningBalance {
  accountId: string;
  /** Decimal string, two decimals; positive = the customer owes. */
  amount: string;
  asOf: string;
}

export interface ImportPlan {
  customers: CustomerRecord[];
  premises: Premise[];
  servicePoints: ServicePoint[];
  meters: MeterRecord[];
  accounts: AccountRecord[];
  agreements: Agreement[];
  balances: OpeningBalance[];
}

export interface ImportReport {
  dryRun: boolean;
  written: boolean;
  files: Record<ImportFile, { rows: number; accepted: number; rejected: number; existing: number }>;
  create: Record<keyof ImportPlan, number>;
  problems: ImportProblem[];
  unknownColumns: Array<{ file: ImportFile; column: string }>;
  itemsWritten: number;
}

export interface ImportTarget {
  /** Which of these ids already exist in the table. */
  existing(kind: 'customer' | 'premise' | 'meter' | 'account' | 'agreement' | 'tariff' | 'address', ids: readonly string[]): Promise<Set<string>>;
  /** The unit of each known tariff. */
  tariffUnits(tariffIds: readonly string[]): Promise<Map<string, string>>;
  /** Writes the plan (entities, their index items and audit events); returns the item count. */
  write(plan: ImportPlan, actor: string, at: string): Promise<number>;
}

export interface ImportDeps {
  target: ImportTarget;
  clock: Clock;
}

export interface ImportOptions {
  dryRun: boolean;
  /** Write the valid rows even when some rows were rejected (default: write nothing then). */
  skipInvalid?: boolean;
  actor?: string;
}

interface Parsed<T> {
  line: number;
  row: T;
}

export async function importRecords(deps: ImportDeps, files: Partial<Record<ImportFile, string>>, options: ImportOptions): Promise<ImportReport> {
  const problems: ImportProblem[] = [];
  const unknownColumns: ImportReport['unknownColumns'] = [];
  const stats = Object.fromEntries(IMPORT_FILES.map((file) => [file, { rows: 0, accepted: 0, rejected: 0, existing: 0 }])) as ImportReport['files'];
  const rejectedLines = new Map<ImportFile, Set<number>>(IMPORT_FILES.map((file) => [file, new Set()]));
  const reject = (file: ImportFile, line: number, message: string, field?: string) => {
    problems.push({ file, line, ...(field ? { field } : {}), message });
    rejectedLines.get(file)!.add(line);
  };

  function read<S extends z.ZodType>(file: ImportFile, schema: S, allowed: readonly string[]): Array<Parsed<z.output<S>>> {
    const text = files[file];
    if (text === undefined) return [];
    const table = parseCsv(text);
    for (const problem of table.problems) reject(file, problem.line, problem.message);
    stats[file].rows = table.rows.length;
    const missing = REQUIRED_COLUMNS[file].filter((column) => !table.columns.includes(column));
    if (missing.length > 0) {
      problems.push({ file, line: 1, message: `missing column(s) ${missing.join(', ')}` });
      for (const row of table.rows) rejectedLines.get(file)!.add(row.line);
      return [];
    }
    for (const column of table.columns) if (!allowed.includes(column)) unknownColumns.push({ file, column });
    const parsed: Array<Parsed<z.output<S>>> = [];
    for (const row of table.rows) {
      const result = schema.safeParse(row.values);
      if (result.success) parsed.push({ line: row.line, row: result.data });
      else for (const issue of issuesOf(result.error)) reject(file, row.line, issue.message, issue.path);
    }
    return parsed;
  }

  const keys = (schema: { shape?: Record<string, unknown> } | z.ZodType) => Object.keys((schema as { shape?: Record<string, unknown> }).shape ?? {});
  const customers = read('customers', CustomerRow, keys(CustomerRow));
  const premises = read('premises', PremiseRow, keys(PremiseRow));
  const meters = read('meters', MeterRow, keys(MeterRow));
  const accounts = read('accounts', AccountRow, keys(AccountRow));
  const agreements = read('agreements', AgreementRow, ['agreement_id', 'account_id', 'premise_id', 'service_type', 'meter_id', 'tariff_id', 'start_date', 'end_date']);
  const balances = read('balances', BalanceRow, keys(BalanceRow));

  // Duplicate ids inside a file: the first row wins.
  const unique = <T>(file: ImportFile, rows: Array<Parsed<T>>, idOf: (row: T) => string, what: string) => {
    const seen = new Map<string, number>();
    return rows.filter(({ line, row }) => {
      const id = idOf(row);
      const first = seen.get(id);
      if (first !== undefined) {
        reject(file, line, `${what} ${id} is also on line ${first}`, what);
        return false;
      }
      seen.set(id, line);
      return true;
    });
  };
  let customerRows = unique('customers', customers, (r) => r.customer_id, 'customer_id');
  let premiseRows = unique('premises', premises, (r) => r.premise_id, 'premise_id');
  let meterRows = unique('meters', meters, (r) => r.meter_id, 'meter_id');
  meterRows = meterRows.filter(({ line, row }) => {
    if (UNITS_OF_SERVICE[row.service_type].includes(row.unit)) return true;
    reject('meters', line, `a ${row.service_type} meter cannot measure ${row.unit} (${UNITS_OF_SERVICE[row.service_type].join(', ')})`, 'unit');
    return false;
  });
  let accountRows = unique('accounts', accounts, (r) => r.account_id, 'account_id');
  let balanceRows = unique('balances', balances, (r) => r.account_id, 'account_id');
  const agreementId = (r: AgreementRow) => r.agreement_id ?? `${r.account_id}-${r.service_type.toUpperCase()}-${r.start_date.replace(/-/g, '')}`;
  let agreementRows = unique('agreements', agreements, agreementId, 'agreement_id');

  // One premise per normalized address, in the file and against the table.
  const addresses = new Map<string, number>();
  premiseRows = premiseRows.filter(({ line, row }) => {
    const normalized = normalizeAddress(row);
    const first = addresses.get(normalized);
    if (first !== undefined) {
      reject('premises', line, `the address ${normalized} is also premise on line ${first}`, 'line1');
      return false;
    }
    addresses.set(normalized, line);
    return true;
  });

  // What the table already holds: existing records are skipped (a re-run adds only what is missing).
  const target = deps.target;
  const [existingCustomers, existingPremises, existingMeters, existingAccounts, existingAgreements, existingAddresses] = await Promise.all([
    target.existing('customer', [...customerRows.map((r) => r.row.customer_id), ...accountRows.map((r) => r.row.customer_id)]),
    target.existing('premise', [...premiseRows.map((r) => r.row.premise_id), ...agreementRows.map((r) => r.row.premise_id)]),
    target.existing('meter', [...meterRows.map((r) => r.row.meter_id), ...agreementRows.flatMap((r) => (r.row.meter_id ? [r.row.meter_id] : []))]),
    target.existing('account', [...accountRows.map((r) => r.row.account_id), ...agreementRows.map((r) => r.row.account_id), ...balanceRows.map((r) => r.row.account_id), ...premiseRows.flatMap((r) => (r.row.owner_account_id ? [r.row.owner_account_id] : []))]),
    target.existing('agreement', agreementRows.map((r) => `${r.row.account_id}/${agreementId(r.row)}`)),
    target.existing('address', premiseRows.map((r) => normalizeAddress(r.row))),
  ]);
  const skipExisting = <T>(file: ImportFile, rows: Array<Parsed<T>>, exists: (row: T) => boolean) =>
    rows.filter(({ row }) => {
      if (!exists(row)) return true;
      stats[file].existing++;
      return false;
    });
  customerRows = skipExisting('customers', customerRows, (r) => existingCustomers.has(r.customer_id));
  premiseRows = skipExisting('premises', premiseRows, (r) => existingPremises.has(r.premise_id));
  meterRows = skipExisting('meters', meterRows, (r) => existingMeters.has(r.meter_id));
  accountRows = skipExisting('accounts', accountRows, (r) => existingAccounts.has(r.account_id));
  agreementRows = skipExisting('agreements', agreementRows, (r) => existingAgreements.has(`${r.account_id}/${agreementId(r)}`));
  premiseRows = premiseRows.filter(({ line, row }) => {
    if (!existingAddresses.has(normalizeAddress(row))) return true;
    reject('premises', line, `a premise at ${normalizeAddress(row)} already exists`, 'line1');
    return false;
  });

  // References: to a row of the files or a record of the table; a rejected dependency rejects the row.
  const customerIds = new Set(customerRows.map((r) => r.row.customer_id));
  accountRows = accountRows.filter(({ line, row }) => {
    if (customerIds.has(row.customer_id) || existingCustomers.has(row.customer_id)) return true;
    reject('accounts', line, `customer ${row.customer_id} is not in customers.csv (or was rejected) and does not exist`, 'customer_id');
    return false;
  });
  const accountIds = new Set(accountRows.map((r) => r.row.account_id));
  const knownAccount = (id: string) => accountIds.has(id) || existingAccounts.has(id);
  premiseRows = premiseRows.filter(({ line, row }) => {
    if (!row.owner_account_id || knownAccount(row.owner_account_id)) return true;
    reject('premises', line, `owner account ${row.owner_account_id} is not in accounts.csv (or was rejected) and does not exist`, 'owner_account_id');
    return false;
  });
  const premiseById = new Map(premiseRows.map((r) => [r.row.premise_id, r.row]));
  const meterById = new Map(meterRows.map((r) => [r.row.meter_id, r.row]));
  const tariffUnits = await target.tariffUnits([...new Set(agreementRows.map((r) => r.row.tariff_id))]);
  const openBySp = new Map<string, number>();
  const spByMeter = new Map<string, string>();
  const periodsBySp = new Map<string, Array<{ start: string; end: string; line: number }>>();
  agreementRows = agreementRows.filter(({ line, row }) => {
    const fail = (message: string, field: string) => {
      reject('agreements', line, message, field);
      return false;
    };
    if (!knownAccount(row.account_id)) return fail(`account ${row.account_id} is not in accounts.csv (or was rejected) and does not exist`, 'account_id');
    const premise = premiseById.get(row.premise_id);
    if (!premise) return fail(existingPremises.has(row.premise_id) ? `premise ${row.premise_id} already exists; agreements on existing premises are made with move-in, not import` : `premise ${row.premise_id} is not in premises.csv (or was rejected)`, 'premise_id');
    if (!premise.service_types.includes(row.service_type)) return fail(`premise ${row.premise_id} has no ${row.service_type} service (service_types: ${premise.service_types.join(';')})`, 'service_type');
    const unit = tariffUnits.get(row.tariff_id);
    if (!unit) return fail(`tariff ${row.tariff_id} does not exist`, 'tariff_id');
    const spId = `${row.premise_id}-${row.service_type.toUpperCase()}`;
    if (row.meter_id) {
      const meter = meterById.get(row.meter_id);
      if (!meter) return fail(existingMeters.has(row.meter_id) ? `meter ${row.meter_id} already exists and may be installed elsewhere; exchange it with a service order` : `meter ${row.meter_id} is not in meters.csv (or was rejected)`, 'meter_id');
      if (meter.service_type !== row.service_type) return fail(`meter ${row.meter_id} is a ${meter.service_type} meter, not ${row.service_type}`, 'meter_id');
      if (meter.unit !== unit) return fail(`meter ${row.meter_id} measures ${meter.unit} but tariff ${row.tariff_id} prices ${unit}`, 'tariff_id');
      if (!row.end_date) {
        const other = spByMeter.get(row.meter_id);
        if (other && other !== spId) return fail(`meter ${row.meter_id} is already installed at service point ${other}`, 'meter_id');
      }
    } else if (!row.end_date && isMetered(row.service_type)) {
      return fail(`an open ${row.service_type} agreement needs a meter_id`, 'meter_id');
    }
    const end = row.end_date ?? '9999-12-31';
    const overlap = (periodsBySp.get(spId) ?? []).find((p) => row.start_date <= p.end && p.start <= end);
    if (overlap) return fail(`service point ${spId} already has an agreement for ${overlap.start}..${overlap.end === '9999-12-31' ? 'open' : overlap.end} (line ${overlap.line}): a second active agreement`, 'start_date');
    if (!row.end_date) {
      if (openBySp.has(spId)) return fail(`service point ${spId} already has an open agreement (line ${openBySp.get(spId)})`, 'end_date');
      openBySp.set(spId, line);
      if (row.meter_id) spByMeter.set(row.meter_id, spId);
    }
    periodsBySp.set(spId, [...(periodsBySp.get(spId) ?? []), { start: row.start_date, end, line }]);
    return true;
  });
  balanceRows = balanceRows.filter(({ line, row }) => {
    if (knownAccount(row.account_id)) return true;
    reject('balances', line, `account ${row.account_id} is not in accounts.csv (or was rejected) and does not exist`, 'account_id');
    return false;
  });

  for (const file of IMPORT_FILES) stats[file].rejected = rejectedLines.get(file)!.size;
  const acceptedCounts: Record<ImportFile, number> = { customers: customerRows.length, premises: premiseRows.length, meters: meterRows.length, accounts: accountRows.length, agreements: agreementRows.length, balances: balanceRows.length };
  for (const file of IMPORT_FILES) stats[file].accepted = acceptedCounts[file];

  const at = deps.clock.now().toISOString();
  const plan = buildPlan({ customerRows, premiseRows, meterRows, accountRows, agreementRows, balanceRows, agreementId, at });
  const report: ImportReport = {
    dryRun: options.dryRun,
    written: false,
    files: stats,
    create: { customers: plan.customers.length, premises: plan.premises.length, servicePoints: plan.servicePoints.length, meters: plan.meters.length, accounts: plan.accounts.length, agreements: plan.agreements.length, balances: plan.balances.length },
    problems: problems.sort((a, b) => IMPORT_FILES.indexOf(a.file) - IMPORT_FILES.indexOf(b.file) || a.line - b.line),
    unknownColumns,
    itemsWritten: 0,
  };
  if (options.dryRun || (problems.length > 0 && !options.skipInvalid)) return report;
  report.itemsWritten = await target.write(plan, options.actor ?? 'import', at);
  report.written = true;
  return report;
}

function buildPlan(input: {
  customerRows: Array<Parsed<CustomerRow>>;
  premiseRows: Array<Parsed<PremiseRow>>;
  meterRows: Array<Parsed<MeterRow>>;
  accountRows: Array<Parsed<AccountRow>>;
  agreementRows: Array<Parsed<AgreementRow>>;
  balanceRows: Array<Parsed<BalanceRow>>;
  agreementId: (row: AgreementRow) => string;
  at: string;
}): ImportPlan {
  const { at } = input;
  const customers: CustomerRecord[] = input.customerRows.map(({ row }) => ({
    customerId: row.customer_id,
    name: row.name,
    ...(row.email ? { email: row.email } : {}),
    kind: row.kind,
    phones: row.phone.map(phoneDigits),
    billDelivery: row.bill_delivery,
    ...(row.mailing_line1 && row.mailing_city && row.mailing_state && row.mailing_zip
      ? { mailingAddress: { line1: row.mailing_line1, ...(row.mailing_line2 ? { line2: row.mailing_line2 } : {}), city: row.mailing_city, state: row.mailing_state, zip: row.mailing_zip } }
      : {}),
    contacts: [],
    createdAt: at,
    recordVersion: 0,
  }));
  const customerNames = new Map(input.customerRows.map(({ row }) => [row.customer_id, row.name]));
  const premises: Premise[] = input.premiseRows.map(({ row }) => {
    const address = { line1: row.line1, ...(row.line2 ? { line2: row.line2 } : {}), city: row.city, state: row.state, zip: row.zip };
    return { premiseId: row.premise_id, address, normalizedAddress: normalizeAddress(address), premiseType: row.premise_type, ...(row.owner_account_id ? { ownerAccountId: row.owner_account_id } : {}), createdAt: at, recordVersion: 0 };
  });
  const servicePoints = new Map<string, ServicePoint>();
  for (const { row } of input.premiseRows) {
    for (const serviceType of new Set(row.service_types)) {
      const id = `${row.premise_id}-${serviceType.toUpperCase()}`;
      servicePoints.set(id, { servicePointId: id, premiseId: row.premise_id, serviceType, connection: 'OFF', recordVersion: 0 });
    }
  }
  const meters = new Map<string, MeterRecord>(
    input.meterRows.map(({ row }) => [row.meter_id, { meterId: row.meter_id, accountId: '', unit: row.unit, status: 'INACTIVE', multiplier: row.multiplier, serviceType: row.service_type, meterType: row.meter_type, size: row.size, dials: row.dials, installHistory: [], recordVersion: 0 }]),
  );
  const accountRowById = new Map(input.accountRows.map(({ row }) => [row.account_id, row]));
  const agreements: Agreement[] = input.agreementRows.map(({ row }) => {
    const servicePointId = `${row.premise_id}-${row.service_type.toUpperCase()}`;
    const accountRow = accountRowById.get(row.account_id);
    const open = !row.end_date;
    const agreement: Agreement = {
      agreementId: input.agreementId(row),
      accountId: row.account_id,
      customerId: accountRow?.customer_id ?? '',
      premiseId: row.premise_id,
      servicePointId,
      serviceType: row.service_type,
      serviceClass: accountRow?.service_class ?? 'RESIDENTIAL',
      tariffId: row.tariff_id,
      cycle: accountRow?.cycle ?? 'C1',
      status: open ? 'ACTIVE' : 'CLOSED',
      startDate: row.start_date,
      ...(row.end_date ? { endDate: row.end_date, closeReason: 'MOVE_OUT' as const } : {}),
      ...(row.meter_id ? { meterId: row.meter_id } : {}),
      finalBill: false,
      createdAt: at,
      recordVersion: 0,
    };
    const sp = servicePoints.get(servicePointId)!;
    if (open) {
      servicePoints.set(servicePointId, { ...sp, activeAgreementId: agreement.agreementId, activeAccountId: agreement.accountId, connection: 'ON', ...(row.meter_id ? { meterId: row.meter_id } : {}) });
      if (row.meter_id) {
        const meter = meters.get(row.meter_id)!;
        meters.set(row.meter_id, { ...meter, accountId: row.account_id, status: 'ACTIVE', servicePointId, installHistory: [{ servicePointId, installedAt: `${row.start_date}T00:00:00.000Z` }] });
      }
    }
    return agreement;
  });
  const premiseAddress = new Map(premises.map((p) => [p.premiseId, formatAddress(p.address)]));
  const accounts: AccountRecord[] = input.accountRows.map(({ row }) => {
    const own = agreements.filter((a) => a.accountId === row.account_id);
    const firstPremise = own.find((a) => a.status === 'ACTIVE')?.premiseId ?? own[0]?.premiseId;
    const base: AccountRecord = {
      accountId: row.account_id,
      customerId: row.customer_id,
      name: row.name ?? customerNames.get(row.customer_id) ?? row.account_id,
      serviceAddress: (firstPremise && premiseAddress.get(firstPremise)) ?? '',
      cycle: row.cycle,
      tariffId: own[0]?.tariffId ?? '',
      status: 'INACTIVE',
      meterIds: [],
      shard: shardOf(row.account_id),
      createdAt: at,
      lifecycle: own.length === 0 ? 'PENDING' : 'ACTIVE',
      serviceClass: row.service_class,
      finalBillDue: false,
      premiseIds: [],
      recordVersion: 0,
    };
    return syncAccount(base, own);
  });
  return {
    customers,
    premises,
    servicePoints: [...servicePoints.values()],
    meters: [...meters.values()],
    accounts,
    agreements,
    balances: input.balanceRows.map(({ row }) => ({ accountId: row.account_id, amount: row.balance, asOf: row.as_of })),
  };
}

/** A text report for people (the CLI prints it; --json prints the report itself). */
export function formatImportReport(report: ImportReport): string {
  const lines = [report.dryRun ? 'Import dry run (nothing written)' : report.written ? `Import written: ${report.itemsWritten} items` : 'Import refused: rows were rejected (fix them, or use --skip-invalid); nothing written', ''];
  lines.push('file        rows  accepted  rejected  existing');
  for (const file of IMPORT_FILES) {
    const s = report.files[file];
    lines.push(`${file.padEnd(10)} ${String(s.rows).padStart(5)} ${String(s.accepted).padStart(9)} ${String(s.rejected).padStart(9)} ${String(s.existing).padStart(9)}`);
  }
  lines.push('', `${report.dryRun ? 'would create' : 'creates'}: ${Object.entries(report.create).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  if (report.unknownColumns.length) lines.push(`ignored columns: ${report.unknownColumns.map((c) => `${c.file}.${c.column}`).join(', ')}`);
  if (report.problems.length) {
    lines.push('', `${report.problems.length} problem(s):`);
    for (const p of report.problems) lines.push(`  ${p.file}.csv line ${p.line}${p.field ? ` [${p.field}]` : ''}: ${p.message}`);
  }
  return lines.join('\n');
}

