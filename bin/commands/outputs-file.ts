/** The CIS stack's outputs from an outputs file of `cdk deploy --outputs-file` (publish-web, users invite). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The outputs of the CIS stack in the file (`stack` picks one when it holds several). */
export function readStackOutputs(name: string, stack?: string): Record<string, unknown> {
  const { stackOutputs } = require('../../shared/web/common/web-config') as typeof import('../../shared/web/common/web-config');
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(path.resolve(name), 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the outputs file ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return stackOutputs(file, stack);
}
