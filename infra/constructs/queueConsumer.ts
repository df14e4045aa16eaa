/**
 * A durable queue and the function that consumes it: batches of up to ten, partial batch failure
 * reporting, and a bounded concurrency where the consumer talks to a rate-limited provider.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DurableQueue } from '#infra/constructs/durableQueue.ts';
import { ServiceFunction } from '#infra/constructs/serviceFunction.ts';
import { DEFAULT_CONSUMER_CONCURRENCY } from '#shared/routing/rules.ts';

export interface QueueConsumerProps {
  readonly key: kms.IKey;
  readonly handlerFolder: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** Most concurrent invocations the queue may drive (2 to 1000). @default 10 */
  readonly maxConcurrency?: number;
  /** How long the dead-letter queue keeps a message. @default 4 days */
  readonly deadLetterRetention?: Duration;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Records per invocation. @default 10 */
  readonly batchSize?: number;
}

const TIMEOUT = Duration.seconds(30);

export class QueueConsumer extends Construct {
  public readonly input: DurableQueue;
  public readonly service: ServiceFunction;

  public constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    const timeout = props.timeout ?? TIMEOUT;
    this.input = new DurableQueue(this, 'Input', {
      key: props.key,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      ...(props.deadLetterRetention ? { deadLetterRetention: props.deadLetterRetention } : {}),
    });
    this.service = new ServiceFunction(this, 'Consumer', {
      handlerFolder: props.handlerFolder,
      description: props.description,
      environment: props.environment,
      timeout,
      logKey: props.key,
      ...(props.memorySize === undefined ? {} : { memorySize: props.memorySize }),
    });
    this.service.fn.addEventSource(
      new SqsEventSource(this.input.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? DEFAULT_CONSUMER_CONCURRENCY,
      }),
    );
    Validations.of(this.service.fn).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings take no on-failure destination; a record that keeps failing goes to the ' +
        "queue's own dead-letter queue by its redrive policy (three receives).",
    });
  }
}
