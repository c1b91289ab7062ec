import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { findForbiddenFeatures } from './forbidden-features';

const source = readFileSync(path.resolve(__dirname, '../../stepfunctions/collections-daily.asl.json'), 'utf8');
type Json = Record<string, any>;
const substituted = (): Json => JSON.parse(source.replace(/\$\{(\w+)\}/g, (_m, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name.replace(/FunctionArn$/, '')}`)) as Json;

describe('stepfunctions/collections-daily.asl.json', () => {
  it('is valid ASL once the task ARNs are substituted, and the validator catches a broken one', () => {
    expect(aslValidator(substituted()).errorsText()).toBe('');
    const broken = substituted();
    broken['States']['PlanCollections']['Next'] = 'Nowhere';
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('uses only the features both platforms run (JSONPath, no JSONata, Assign, ItemReader, ItemBatcher)', () => {
    expect(findForbiddenFeatures(JSON.parse(source))).toEqual([]);
  });

  it('plans, evaluates segments in a distributed Map, finalizes; errors mark the run failed', () => {
    const asl = JSON.parse(source) as Json;
    const { PlanCollections, EvaluateSegments, FinalizeCollections, MarkRunFailed } = asl['States'];
    expect(asl['StartAt']).toBe('PlanCollections');
    expect(PlanCollections).toMatchObject({ Resource: '${PlanCollectionsFunctionArn}', ResultPath: '$.plan', Next: 'EvaluateSegments' });
    expect(EvaluateSegments).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.segments', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } }, Next: 'FinalizeCollections' });
    expect(Object.keys(EvaluateSegments.ItemSelector).sort()).toEqual(['runAt.$', 'runDate.$', 'segment.$']);
    expect(FinalizeCollections).toMatchObject({ Resource: '${FinalizeCollectionsFunctionArn}', End: true });
    expect(MarkRunFailed).toMatchObject({ Resource: '${FinalizeCollectionsFunctionArn}', Next: 'RunFailed' });
    for (const state of [EvaluateSegments, FinalizeCollections]) expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'MarkRunFailed' })]);
  });
});
