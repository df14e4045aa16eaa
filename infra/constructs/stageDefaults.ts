/**
 * Per-stage retention and removal policy, applied to the whole stack as an aspect so that resources
 * any construct adds follow the stage: every log group keeps its logs the stage's number of days;
 * `retain` keeps the table, the KMS keys and the logs when the stack is deleted (production),
 * `destroy` removes them (a throwaway stage: the table's deletion protection is off too).
 */
import { RemovalPolicy, type IAspect } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { StageSettings } from '#shared/config/stageSettings.ts';

export class StageDefaults implements IAspect {
  public constructor(private readonly stage: Pick<StageSettings, 'logRetentionDays' | 'removal'>) {}

  public visit(node: IConstruct): void {
    const policy = this.stage.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    if (node instanceof logs.CfnLogGroup) {
      node.retentionInDays = this.stage.logRetentionDays;
      node.applyRemovalPolicy(policy);
    } else if (node instanceof dynamodb.CfnTable) {
      node.applyRemovalPolicy(policy);
      node.deletionProtectionEnabled = this.stage.removal === 'retain';
    } else if (node instanceof kms.CfnKey) {
      node.applyRemovalPolicy(policy);
    }
  }
}
