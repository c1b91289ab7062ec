import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { findForbiddenFeatures } from './forbidden-features';

const ASL_FILE = path.resolve(__dirname, '../../stepfunctions/billing-cycle.asl.json');
const PLACEHOLDERS = ['PlanSegmentsFunctionArn', 'BillSegmentFunctionArn', 'FinalizeRunFunctionArn'];

type Json = Record<string, any>;

const source = readFileSync(ASL_FILE, 'utf8');
const definition = (): Json => JSON.parse(source) as Json;

/** The definition as Step Functions sees it after CloudFormation's DefinitionSubstitutions. */
function substituted(): Json {
  const text = source.replace(/\$\{(\w+)\}/g, (_match, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name.replace(/FunctionArn$/, '')}`);
  return JSON.parse(text) as Json;
}

describe('stepfunctions/billing-cycle.asl.json', () => {
  it('is a valid Amazon States Language definition once the task ARNs are substituted', () => {
    const result = aslValidator(substituted());
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is checked by a validator that rejects a broken definition (a missing transition target)', () => {
    const broken = substituted();
    broken['States']['PlanSegments']['Next'] = 'NoSuchState';
    const result = aslValidator(broken);
    expect(result.isValid).toBe(false);
    expect(result.errorsText()).toMatch(/NoSuchState/);
  });

  it('uses exactly the three function ARN placeholders that the CDK stack substitutes', () => {
    const used = [...new Set([...source.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]))].sort();
    expect(used).toEqual([...PLACEHOLDERS].sort());
  });

  it('plans segments, bills them in a distributed Map and finalizes the run; any error marks the run failed', () => {
    const asl = definition();
    expect(asl['StartAt']).toBe('PlanSegments');
    const { PlanSegments, BillSegments, FinalizeRun, MarkRunFailed, RunFailed } = asl['States'];
    expect(PlanSegments).toMatchObject({ Type: 'Task', Resource: '${PlanSegmentsFunctionArn}', Next: 'BillSegments' });
    expect(BillSegments).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.segments',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      Next: 'FinalizeRun',
    });
    expect(Object.keys(BillSegments.ItemSelector).sort()).toEqual(['cycle.$', 'periodEnd.$', 'periodStart.$', 'runId.$', 'segment.$']);
    expect(BillSegments.ItemProcessor.States.BillSegment).toMatchObject({ Type: 'Task', Resource: '${BillSegmentFunctionArn}', End: true });
    expect(FinalizeRun).toMatchObject({ Type: 'Task', Resource: '${FinalizeRunFunctionArn}', End: true });
    expect(MarkRunFailed).toMatchObject({ Type: 'Task', Resource: '${FinalizeRunFunctionArn}', Next: 'RunFailed' });
    expect(RunFailed).toMatchObject({ Type: 'Fail', Error: 'BillingRunFailed' });
    for (const state of [PlanSegments, BillSegments, FinalizeRun]) {
      expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'MarkRunFailed' })]);
    }
    // A segment is idempotent: transient store failures and a crashed or timed-out function are retried before the run fails.
    const retry = BillSegments.ItemProcessor.States.BillSegment.Retry as Array<{ ErrorEquals: string[]; MaxAttempts: number }>;
    expect(retry.flatMap((retrier) => retrier.ErrorEquals)).toEqual(expect.arrayContaining(['TransientStoreError', 'Runtime.ExitError', 'Sandbox.Timedout', 'Lambda.Unknown']));
  });

  it('uses no feature that the local engine ignores or rejects', () => {
    expect(findForbiddenFeatures(definition())).toEqual([]);
  });
});

describe('findForbiddenFeatures', () => {
  const mapState = (asl: Json): Json => asl['States']['BillSegments'];
  const innerTask = (asl: Json): Json => mapState(asl)['ItemProcessor']['States']['BillSegment'];

  const cases: Array<[string, (asl: Json) => void, string]> = [
    ['QueryLanguage JSONata on the machine', (asl) => { asl['QueryLanguage'] = 'JSONata'; }, '$.QueryLanguage'],
    ['QueryLanguage JSONata on a nested state', (asl) => { innerTask(asl)['QueryLanguage'] = 'JSONata'; }, '$.States.BillSegments.ItemProcessor.States.BillSegment.QueryLanguage'],
    ['QueryLanguage JSONata on the item processor', (asl) => { mapState(asl)['ItemProcessor']['QueryLanguage'] = 'JSONata'; }, '$.States.BillSegments.ItemProcessor.QueryLanguage'],
    ['a JSONata expression', (asl) => { asl['States']['FinalizeRun']['Parameters']['runId'] = '{% $states.input.runId %}'; }, '$.States.FinalizeRun.Parameters.runId'],
    ['Assign on a state', (asl) => { asl['States']['PlanSegments']['Assign'] = { 'plan.$': '$.plan' }; }, '$.States.PlanSegments.Assign'],
    ['Assign in a Catch entry', (asl) => { asl['States']['FinalizeRun']['Catch'][0]['Assign'] = { failed: true }; }, '$.States.FinalizeRun.Catch[0].Assign'],
    ['ItemReader on the Map', (asl) => { mapState(asl)['ItemReader'] = { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } }; }, '$.States.BillSegments.ItemReader'],
    ['ItemBatcher on the Map', (asl) => { mapState(asl)['ItemBatcher'] = { MaxItemsPerBatch: 100 }; }, '$.States.BillSegments.ItemBatcher'],
    ['Arguments on a nested task', (asl) => { innerTask(asl)['Arguments'] = { Payload: '{% $states.input %}' }; }, '$.States.BillSegments.ItemProcessor.States.BillSegment.Arguments'],
    ['Output on a state', (asl) => { asl['States']['PlanSegments']['Output'] = { plan: 1 }; }, '$.States.PlanSegments.Output'],
    ['Output in a Choice rule', (asl) => {
      asl['States']['Check'] = { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'RunFailed', Output: {} }], Default: 'RunFailed' };
    }, '$.States.Check.Choices[0].Output'],
  ];

  it.each(cases)('detects %s', (_name, inject, expectedPath) => {
    const asl = definition();
    inject(asl);
    expect(findForbiddenFeatures(asl).map((finding) => finding.path)).toContain(expectedPath);
  });

  it('does not flag JSONPath fields that merely look alike', () => {
    const asl = definition();
    asl['QueryLanguage'] = 'JSONPath';
    asl['States']['FinalizeRun']['Parameters']['Output.$'] = '$.output';
    asl['States']['FinalizeRun']['Parameters']['note'] = 'costs {% of usage';
    expect(findForbiddenFeatures(asl)).toEqual([]);
  });
});
