/**
 * A Standard state machine from an ASL file whose tasks are the project's functions
 * (`${<Name>FunctionArn}` substitutions), logging every event without execution data to its own
 * log group, traced with X-Ray, allowed to invoke exactly those functions and to run the child
 * executions of its DISTRIBUTED Map (the billing run and the daily collections run).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { CisFunction } from './cis-function';

export interface TaskStateMachineProps {
  readonly projectRoot: string;
  /** The ASL file relative to the project root. */
  readonly asl: string;
  /** The state machine's CloudFormation logical id (stable names for the local platform and operators). */
  readonly logicalId: string;
  /** Substitution name -> the function it stands for (e.g. PlanSegmentsFunctionArn). */
  readonly tasks: Record<string, CisFunction>;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

export class TaskStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: TaskStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      // The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${stack.stackName}-${props.logicalId}`,
      retention: props.logRetention,
    });
    const definition = readFileSync(path.join(props.projectRoot, ...props.asl.split('/')), 'utf8');
    const functions = Object.values(props.tasks);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(Object.entries(props.tasks).map(([name, fn]) => [name, fn.functionArn])),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).overrideLogicalId(props.logicalId);

    // Unqualified ARNs only (the ASL uses them), so the grant carries no `:*` wildcard.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functions.map((fn) => fn.functionArn) }));

    // The DISTRIBUTED Map runs child executions of this state machine. A separate policy
    // (not the role's default policy, which the state machine depends on) avoids a cycle.
    const distributedMapPolicy = new iam.Policy(this, 'DistributedMapPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
          resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${this.stateMachine.stateMachineName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
      ],
    });
    distributedMapPolicy.attachToRole(this.stateMachine.role);

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions logging to CloudWatch Logs (logs:*LogDelivery*, DescribeLogGroups, resource policies) and X-Ray tracing only support Resource "*".',
    });
    Validations.of(distributedMapPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${props.logicalId}.Name>/*]`,
      reason: 'The distributed Map must describe, stop and redrive the child executions it starts; their names are generated per map run, so the ARN ends in a wildcard scoped to this state machine.',
    });
  }
}
