/**
 * A small RFC 4180 CSV reader for migration files: quoted fields with "" escapes and embedded
 * newlines, CRLF or LF, a UTF-8 byte-order mark, blank lines skipped. Rows keep their line
 * number so that a dry-run report can point at them.
 */
export interface CsvRow {
  /** 1-based line where the row starts. */
  line: number;
  values: Record<string, string>;
}

export interface CsvTable {
  columns: string[];
  rows: CsvRow[];
  /** Structural problems (unterminated quote, ragged rows). */
  problems: Array<{ line: number; message: string }>;
}

/** Header names compared loosely: "Customer ID", "customer_id" and "customerId" are one column. */
export function columnKey(name: string): string {
  return name
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

export function parseCsv(text: string): CsvTable {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: Array<{ line: number; fields: string[] }> = [];
  const problems: CsvTable['problems'] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) problems.push({ line: recordLine, message: 'a quoted field is not closed' });
  if (field !== '' || fields.length > 0) endRecord();
  const [header, ...body] = records;
  if (!header) return { columns: [], rows: [], problems: [...problems, { line: 1, message: 'the file is empty (no header row)' }] };
  const columns = header.fields.map(columnKey);
  const rows: CsvRow[] = [];
  for (const record of body) {
    if (record.fields.length > columns.length && record.fields.slice(columns.length).some((value) => value.trim() !== '')) {
      problems.push({ line: record.line, message: `the row has ${record.fields.length} fields but the header has ${columns.length}` });
      continue;
    }
    const values: Record<string, string> = {};
    columns.forEach((column, index) => {
      values[column] = (record.fields[index] ?? '').trim();
    });
    rows.push({ line: record.line, values });
  }
  return { columns, rows, problems };
}
