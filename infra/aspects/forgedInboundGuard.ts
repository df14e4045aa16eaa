/**
 * Forged inbound messages: the inbound-SMS and SES-feedback topics speak for a phone or a mailbox, so
 * only their AWS service may publish there. Besides the topic policies (service, account and source
 * ARN), every IAM role of the stack gets an explicit Deny of `sns:Publish` on those topics. The Deny is
 * added at synthesis, to every role whoever created it, so no later `sns:Publish` on `*` can outweigh it.
 */
import { Aspects, Stack, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';

/** The statement id of the Deny, for tests and reviewers. */
export const NO_FORGED_INBOUND_SID = 'NoPublishToInboundTopics';

const guards = new WeakMap<Stack, ForgedInboundGuard>();

export class ForgedInboundGuard implements IAspect {
  private readonly topics: sns.ITopic[] = [];
  private readonly denied = new WeakSet<iam.Role>();

  /** The guard of the stack that holds `scope`, registered as an aspect on first use. */
  public static of(scope: IConstruct): ForgedInboundGuard {
    const stack = Stack.of(scope);
    let guard = guards.get(stack);
    if (!guard) {
      guard = new ForgedInboundGuard();
      guards.set(stack, guard);
      Aspects.of(stack).add(guard);
    }
    return guard;
  }

  /** No role of the stack may publish to `topic`. */
  public protect(topic: sns.ITopic): void {
    this.topics.push(topic);
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof iam.Role) || this.topics.length === 0 || this.denied.has(node)) return;
    this.denied.add(node);
    node.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: NO_FORGED_INBOUND_SID,
        effect: iam.Effect.DENY,
        actions: ['sns:Publish'],
        resources: this.topics.map((topic) => topic.topicArn),
      }),
    );
  }
}
