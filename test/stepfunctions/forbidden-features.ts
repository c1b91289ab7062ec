/**
 * State machine features that the local engine (aws-local-stepfunctions) ignores or rejects,
 * so the same ASL file would behave differently locally and in AWS (ARCHITECTURE.md):
 * JSONata (QueryLanguage, `{% %}` expressions, Arguments, Output), variables (Assign) and the
 * distributed Map's S3 features (ItemReader, ItemBatcher).
 */
export interface ForbiddenFeature {
  /** Location, e.g. `$.States.BillSegments.ItemReader`. */
  path: string;
  feature: string;
}

/** Fields forbidden on a state, a Catch entry or a Choice rule (where ASL allows them). */
const FORBIDDEN_FIELDS = ['Assign', 'ItemReader', 'ItemBatcher', 'Arguments', 'Output'] as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every forbidden feature anywhere in a definition (states nested in Map and Parallel included). */
export function findForbiddenFeatures(definition: unknown): ForbiddenFeature[] {
  const found: ForbiddenFeature[] = [];

  // Anywhere: a JSONata query language or expression, whatever field it hides in.
  const scan = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => scan(item, `${path}[${index}]`));
    else if (typeof value === 'string' && /^\s*\{%[\s\S]*%\}\s*$/.test(value)) found.push({ path, feature: 'JSONata expression' });
    else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'QueryLanguage' && child !== 'JSONPath') found.push({ path: `${path}.${key}`, feature: `QueryLanguage ${String(child)}` });
        scan(child, `${path}.${key}`);
      }
    }
  };
  scan(definition, '$');

  // Structural: forbidden fields on the machine, on states, on Catch entries and Choice rules.
  const checkFields = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    for (const field of FORBIDDEN_FIELDS) {
      if (field in node) found.push({ path: `${path}.${field}`, feature: field });
    }
  };
  const visitMachine = (machine: unknown, path: string): void => {
    if (!isObject(machine)) return;
    checkFields(machine, path);
    const states = machine['States'];
    if (!isObject(states)) return;
    for (const [name, state] of Object.entries(states)) {
      const statePath = `${path}.States.${name}`;
      if (!isObject(state)) continue;
      checkFields(state, statePath);
      for (const list of ['Catch', 'Choices'] as const) {
        const entries = state[list];
        if (Array.isArray(entries)) entries.forEach((entry, index) => checkFields(entry, `${statePath}.${list}[${index}]`));
      }
      if (isObject(state['Default'])) checkFields(state['Default'], `${statePath}.Default`);
      visitMachine(state['ItemProcessor'], `${statePath}.ItemProcessor`);
      visitMachine(state['Iterator'], `${statePath}.Iterator`);
      const branches = state['Branches'];
      if (Array.isArray(branches)) branches.forEach((branch, index) => visitMachine(branch, `${statePath}.Branches[${index}]`));
    }
  };
  visitMachine(definition, '$');
  return found;
}
