import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createApp, synthesizeTemplate } from '../../lib/app';

const MIN_REASON_LENGTH = 60;

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
  }
  return found;
}

/** The same checks with every acknowledgement ignored (overrides cdk-nag's private isAcknowledged). */
class UnacknowledgedChecks extends AwsSolutionsChecks {}
Object.defineProperty(UnacknowledgedChecks.prototype, 'isAcknowledged', { value: () => false });

describe('AwsSolutions checks (cdk-nag)', () => {
  let app: App;
  let outdir: string;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(os.tmpdir(), 'cis-nag-test-'));
    app = createApp({ skipBundling: true, outdir: path.join(outdir, 'app') }).app;
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('report no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.map((violation) => `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('run during synthesis, which also passes CDK\'s CloudFormation schema validation', () => {
    expect(() => synthesizeTemplate({ skipBundling: true, validateCloudFormation: true })).not.toThrow();
  });

  it('fail synthesis on an unacknowledged finding', () => {
    const { app: failing, stack } = createApp({ skipBundling: true, outdir: path.join(outdir, 'failing') });
    new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => failing.synth()).toThrow(/AwsSolutions-SQS[234]/);
  });

  it('are acknowledged only for AwsSolutions rules, each with a written reason', () => {
    const acknowledgements = acknowledgementsIn(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect({ ...acknowledgement, long: acknowledgement.reason.trim().length >= MIN_REASON_LENGTH }).toEqual({ ...acknowledgement, long: true });
    }
  });

  it('are acknowledged only where the finding really occurs (no stale acknowledgement)', () => {
    expect(typeof (NagPack.prototype as unknown as Record<string, unknown>)['isAcknowledged']).toBe('function');
    const raw = new UnacknowledgedChecks().validateScope(app);
    for (const acknowledgement of acknowledgementsIn(app)) {
      const occurs = raw.violations.some(
        (violation) =>
          violation.ruleName === acknowledgement.id &&
          violation.violatingResources.some((r) => r.constructPath === acknowledgement.path || r.constructPath?.startsWith(`${acknowledgement.path}/`)),
      );
      expect({ ...acknowledgement, occurs }).toEqual({ ...acknowledgement, occurs: true });
    }
  });

  it('never acknowledge a wildcard on IAM actions or a managed policy', () => {
    const ids = acknowledgementsIn(app).map((acknowledgement) => acknowledgement.id);
    expect(ids.filter((id) => id.startsWith('AwsSolutions-IAM5[Action::') || id.startsWith('AwsSolutions-IAM4'))).toEqual([]);
  });
});
