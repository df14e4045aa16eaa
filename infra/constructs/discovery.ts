/**
 * Finds what the operations constructs watch by walking the stack's construct tree, so a queue or a
 * function another construct adds is covered without a change here: every SQS queue (and whether it
 * is a dead-letter queue), every Lambda function, the functions that read a stream, and the
 * EventBridge rules.
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** A queue of the stack, with a readable label (its construct path inside the stack). */
export interface DiscoveredQueue {
  readonly queue: sqs.Queue;
  readonly label: string;
  /** Some queue, subscription, rule target or event source mapping dead-letters into it. */
  readonly deadLetter: boolean;
}

/** A readable label for a construct: its path inside the stack, e.g. `Notifier/Input/DeadLetters`. */
export function labelOf(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return construct.node.path.slice(stack.node.path.length + 1);
}

const all = (scope: IConstruct) => scope.node.findAll();

/** Every place a dead-letter queue is named, resolved to JSON: redrive policies, rule targets, mappings, functions. */
function deadLetterReferences(stack: Stack): string {
  const refs: unknown[] = [];
  for (const node of all(stack)) {
    if (node instanceof sqs.Queue && node.deadLetterQueue) refs.push(stack.resolve(node.deadLetterQueue.queue.queueArn));
    if (node instanceof sns.CfnSubscription) refs.push(stack.resolve(node.redrivePolicy));
    if (node instanceof events.CfnRule) {
      const targets = stack.resolve(node.targets) as { deadLetterConfig?: unknown; DeadLetterConfig?: unknown }[] | undefined;
      refs.push((targets ?? []).map((target) => target.deadLetterConfig ?? target.DeadLetterConfig));
    }
    if (node instanceof lambda.CfnEventSourceMapping) refs.push(stack.resolve(node.destinationConfig));
    if (node instanceof lambda.CfnFunction) refs.push(stack.resolve(node.deadLetterConfig));
    if (node instanceof lambda.CfnEventInvokeConfig) refs.push(stack.resolve(node.destinationConfig));
  }
  return JSON.stringify(refs);
}

/** Every SQS queue in `stack`, dead-letter queues marked. */
export function discoverQueues(stack: Stack): DiscoveredQueue[] {
  const refs = deadLetterReferences(stack);
  return all(stack)
    .filter((node): node is sqs.Queue => node instanceof sqs.Queue)
    .map((queue) => {
      const logicalId = stack.getLogicalId(queue.node.defaultChild as sqs.CfnQueue);
      return { queue, label: labelOf(queue), deadLetter: refs.includes(`"${logicalId}"`) };
    });
}

/** Every Lambda function in `stack` (singleton helper functions that CDK adds included). */
export function discoverFunctions(stack: Stack): lambda.Function[] {
  return all(stack).filter((node): node is lambda.Function => node instanceof lambda.Function);
}

/** The functions that read a DynamoDB or Kinesis stream (their iterator age can grow). */
export function discoverStreamConsumers(stack: Stack): lambda.Function[] {
  return discoverFunctions(stack).filter((fn) =>
    fn.node
      .findAll()
      .some(
        (node) =>
          node instanceof lambda.CfnEventSourceMapping &&
          /StreamArn|:stream\/|kinesis/.test(JSON.stringify(stack.resolve(node.eventSourceArn))),
      ),
  );
}

/** Every EventBridge rule in `stack`. */
export function discoverRules(stack: Stack): events.Rule[] {
  return all(stack).filter((node): node is events.Rule => node instanceof events.Rule);
}
