/** The billing state machine, started through Step Functions (execution name = runId). */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { BillingWorkflow } from '../app/ports';

export class StepFunctionsBillingWorkflow implements BillingWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { runId: string; cycle: string; periodStart: string; periodEnd: string }): Promise<void> {
    const { runId, cycle, periodStart, periodEnd } = input;
    await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: runId, input: JSON.stringify({ runId, cycle, periodStart, periodEnd }) }));
  }
}
