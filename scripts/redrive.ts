/**
 * `npm run redrive -- <queue> [--dry-run] (--sandbox [url] | --stage <name> [--region <region>])`
 *
 * Moves every message of a queue's dead-letter queue back to the queue with an SQS message move task,
 * and waits for it to finish. `--dry-run` moves nothing: it counts the dead letters by kind and
 * failure reason (never showing their content: they may hold contacts). See docs/operations.md.
 */
import { parseArgs } from 'node:util';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { summarizeDeadLetters, type DeadLetterMessage } from '#shared/operations/deadLetterReasons.ts';
import { CliFailure, CliUsageError, explainError, resolveTarget, runCli, splitTargetArgs, type CliTarget } from '#scripts/cli/target.ts';

const USAGE =
  'usage: npm run redrive -- <queue> [--dry-run] [--max <n>] [--wait <seconds>] (--sandbox [url] | --stage <name> [--region <region>])';

await runCli(async () => {
  const { spec, rest } = splitTargetArgs(process.argv.slice(2));
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      max: { type: 'string', default: '1000' },
      wait: { type: 'string', default: '600' },
    },
  });
  const queueName = positionals[0];
  if (!queueName || positionals.length > 1)
    throw new CliUsageError('name one queue, e.g. `npm run redrive -- notifier --dry-run --sandbox`');
  const max = Number(values.max);
  const waitSeconds = Number(values.wait);
  if (!Number.isInteger(max) || max < 1 || !Number.isInteger(waitSeconds) || waitSeconds < 0)
    throw new CliUsageError('--max and --wait take whole numbers');
  const target = await resolveTarget(spec);
  const queue = target.queues[queueName];
  const known = Object.values(target.queues)
    .filter((candidate) => candidate.deadLetterUrl)
    .map((candidate) => candidate.name);
  if (!queue?.deadLetterUrl)
    throw new CliUsageError(`${target.description} has no dead-letter queue "${queueName}"; it has: ${known.join(', ') || 'none'}`);
  const sqs = new SQSClient(target.clientConfig('sqs'));
  try {
    const doing = (what: string) => ({ doing: `${what} the dead-letter queue of ${queueName} on ${target.description}` });
    const call = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
      try {
        return await send();
      } catch (error) {
        throw new CliFailure(explainError(error, doing(what)), { cause: error });
      }
    };
    const { Attributes } = await call('reading', () =>
      sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.deadLetterUrl, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }),
      ),
    );
    const depth = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    const arn = Attributes?.QueueArn;
    process.stdout.write(`${queueName}: ${depth} message(s) in the dead-letter queue (${target.description})\n`);
    if (values['dry-run']) return dryRun(sqs, target, queue.deadLetterUrl!, Math.min(max, depth), (send) => call('reading', send));
    if (depth === 0) return 0;
    if (!queue.url) {
      throw new CliFailure(
        `${queueName}'s dead letters have no source queue to go back to (stream failures are replayed from the stream): see docs/operations.md#dead-letters.`,
      );
    }
    await call('starting a message move task on', () => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn })));
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const { Results } = await call('checking the move task of', () =>
        sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 1 })),
      );
      const task = Results?.[0];
      if (task?.Status === 'COMPLETED') {
        process.stdout.write(`moved ${task.ApproximateNumberOfMessagesMoved ?? 0} message(s) back to ${queueName}\n`);
        return 0;
      }
      if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
        throw new CliFailure(
          `The move task ${task.Status.toLowerCase()} after ${task.ApproximateNumberOfMessagesMoved ?? 0} message(s): ${task.FailureReason ?? 'no reason given'}; rerun to move the rest.`,
        );
      }
      if (Date.now() >= deadline) {
        process.stdout.write(
          `the move task is still running (${task?.ApproximateNumberOfMessagesMoved ?? 0} moved so far); rerun with --dry-run later to see what is left\n`,
        );
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    sqs.destroy();
  }
}, USAGE);

/** Reads up to `max` dead letters (each hidden for 30 s, then visible again), prints counts by kind and reason. */
async function dryRun(
  sqs: SQSClient,
  target: CliTarget,
  url: string,
  max: number,
  call: <T>(send: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const seen = new Map<string, DeadLetterMessage>();
  for (let empty = 0; seen.size < max && empty < 3; ) {
    const { Messages } = await call(() =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: 30,
          WaitTimeSeconds: target.kind === 'sandbox' ? 0 : 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    const fresh = (Messages ?? []).filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) empty++;
    for (const message of fresh) {
      seen.set(message.MessageId!, {
        body: message.Body ?? '',
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
        ),
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
      });
    }
  }
  const summary = summarizeDeadLetters([...seen.values()], target.now);
  process.stdout.write(`dry run: read ${seen.size}, moved nothing\n`);
  for (const { count, kind, reason } of summary) process.stdout.write(`  ${String(count).padStart(5)}  ${kind}: ${reason}\n`);
  if (seen.size > 0) process.stdout.write('(the messages read are hidden for 30 s; a redrive right now moves them after that)\n');
  return 0;
}
