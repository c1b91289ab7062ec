/**
 * The CDK app entry (`npx cdk synth`, `npx cdk deploy`). Context: utilityTimezone,
 * billingSegments, deletionProtection, alarmEmail, veeOverrides (cdk.json or `-c key=value`;
 * veeOverrides is a JSON object).
 * AwsSolutions checks (cdk-nag) run during synthesis; a finding fails it.
 */
import { createApp } from '../lib/app';

const { app } = createApp();
app.synth();
