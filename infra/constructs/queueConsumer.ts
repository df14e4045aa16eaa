/**
 * A durable queue and the function that consumes it: batches of up to ten, partial batch failure
 * reporting, and a bounded concurrency where the consumer talks to a rate-limited provider.
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DurableQueue } from '#infra/constructs/durableQueue.ts';
import { ServiceFunction } from '#infra/constructs/serviceFunction.ts';

export interface QueueConsumerProps {
  readonly key: kms.IKey;
  readonly handlerFolder: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** Most concurrent invocations the queue may drive (2 to 1000). @default 10 */
  readonly maxConcurrency?: number;
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
    this.input = new DurableQueue(this, 'Input', { key: props.key, visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6) });
    this.service = new ServiceFunction(this, 'Consumer', {
      handlerFolder: props.handlerFolder,
      description: props.description,
      environment: props.environment,
      timeout,
      ...(props.memorySize === undefined ? {} : { memorySize: props.memorySize }),
    });
    this.service.fn.addEventSource(
      new SqsEventSource(this.input.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 10,
      }),
    );
  }
}
