/**
 * `cis publish-web --outputs cdk-outputs.json [--stack NAME]` builds the portal and the staff
 * console for a deployment (their config.json names its Cognito user pool, app clients and
 * hosted UI) and uploads them to its web bucket (output WebBucketName) with the AWS credentials
 * of the environment: hashed assets first (cached a year), index.html last.
 */
import type { Command } from 'commander';
import { readStackOutputs } from './outputs-file';

export function registerPublishWeb(program: Command, rootDir: string): void {
  program
    .command('publish-web')
    .description('build the portal and the staff console for a deployment and upload them to its web bucket')
    .requiredOption('--outputs <file>', 'outputs file of `cdk deploy --outputs-file`')
    .option('--stack <name>', 'the stack in the outputs file (when it holds several)')
    .option('--no-build', 'upload the build in .build/web as it is (it must have been built with --outputs)')
    .action(async (options: { outputs: string; stack?: string; build: boolean }) => {
      const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
      const { webConfigsOfStack } = require('../../shared/web/common/web-config') as typeof import('../../shared/web/common/web-config');
      const { buildWebApps, webBuildDir, WEB_APPS } = require('../../shared/local/web-build') as typeof import('../../shared/local/web-build');
      const { publishWebApps } = require('../../shared/adapters/web-publish') as typeof import('../../shared/adapters/web-publish');
      const outputs = readStackOutputs(options.outputs, options.stack);
      const bucket = outputs['WebBucketName'];
      if (typeof bucket !== 'string' || bucket === '') throw new Error("the stack's outputs lack WebBucketName (deploy this version of the stack first)");
      if (options.build) {
        await buildWebApps(rootDir, WEB_APPS, webConfigsOfStack(outputs));
        console.log('built the portal and the staff console for the deployment');
      }
      const uploaded = await publishWebApps(new S3Client({}), bucket, webBuildDir(rootDir), WEB_APPS, (line) => console.log(line));
      console.log(`published ${uploaded.length} files to s3://${bucket}/; open ${String(outputs['WebUrl'] ?? 'the WebUrl output')}`);
    });
}
