/**
 * CDK feature flags that tighten resource and key policies (confused deputy). The stack sets them on
 * its own node, so they hold whichever app builds it (the CLI app, the tests). See docs/security.md.
 */
export const SECURITY_FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  /** EventBridge rule targets: only the rule's own account may send to the target queue. */
  '@aws-cdk/aws-events:eventsTargetQueueSameAccount': true,
  /** SQS queues subscribed to a topic: SNS may use the queue's key only for that topic (aws:SourceArn). */
  '@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption': true,
  /** A KMS grant's IAM statement names the key, not `*`. */
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  /** grantPutEventsTo a service principal writes a bus policy with a statement id, instead of failing silently. */
  '@aws-cdk/aws-events:requireEventBusPolicySid': true,
};
