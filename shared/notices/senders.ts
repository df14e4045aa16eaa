/**
 * Delivery adapters: SMS through Amazon SNS, email through Amazon SES (v2). Both classify provider
 * errors the same way: throttling, 5xx and network errors are retryable (the queue retries with
 * backoff); other 4xx errors are permanent and end the notice as failed.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { BookdropError, RetryableDeliveryError } from '#shared/errors.ts';
import type { EmailHeader } from '#shared/notices/emailFooter.ts';
import type { NoticeKind } from '#shared/notices/noticeKinds.ts';
import { SmsPacer } from '#shared/notices/smsPacer.ts';

/** A provider refused the message for good (invalid number, rejected message, ...). */
export class PermanentDeliveryError extends BookdropError {
  public override readonly name = 'PermanentDeliveryError';
  public constructor(
    public readonly reason: string,
    options: { cause?: unknown; invalidContact?: boolean } = {},
  ) {
    super(`delivery failed permanently: ${reason}`, options);
    this.invalidContact = options.invalidContact ?? false;
  }

  /** The contact itself is unusable (an invalid phone number): the channel should be suppressed. */
  public readonly invalidContact: boolean;
}

const RETRYABLE_NAMES = new Set([
  'ThrottledException',
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'KMSThrottlingException',
]);

/** Rethrows a provider error as retryable or permanent. Never includes the message or contact. */
export function classifyProviderError(error: unknown, provider: string): never {
  const err = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'UnknownError';
  const status = err.$metadata?.httpStatusCode;
  if (err.$retryable !== undefined || RETRYABLE_NAMES.has(name) || status === undefined || status >= 500 || status === 429) {
    throw new RetryableDeliveryError(`${provider} failed, will retry: ${name}`, { cause: error, context: { provider, status } });
  }
  // SNS names the parameter it refuses; a refused PhoneNumber means the number cannot receive texts.
  const message = error instanceof Error ? error.message : '';
  if (provider === 'sns' && name === 'InvalidParameterException' && /PhoneNumber/.test(message)) {
    throw new PermanentDeliveryError('sns:InvalidPhoneNumber', { cause: error, invalidContact: true });
  }
  throw new PermanentDeliveryError(`${provider}:${name}`, { cause: error });
}

export interface SmsMessage {
  readonly to: string;
  readonly body: string;
}

export interface EmailMessage {
  readonly to: string;
  /** Display name of the sender (the member library). */
  readonly fromName: string;
  readonly fromAddress: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Added headers: the one-click unsubscribe pair on every library-initiated email. */
  readonly headers: readonly EmailHeader[];
  readonly noticeId: string;
  readonly kind: NoticeKind;
}

export interface SmsSender {
  /** Sends one SMS; resolves to the provider's message id. */
  send(message: SmsMessage): Promise<string>;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<string>;
}

export class SnsSmsSender implements SmsSender {
  /** @param pacer spaces sends to stay under the carrier's rate @default no pacing */
  public constructor(
    private readonly sns: SNSClient,
    private readonly originationNumber: string | undefined,
    private readonly pacer: SmsPacer = new SmsPacer(0),
  ) {}

  public async send(message: SmsMessage): Promise<string> {
    await this.pacer.turn();
    try {
      const result = await this.sns.send(
        new PublishCommand({
          PhoneNumber: message.to,
          Message: message.body,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.originationNumber
              ? { 'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: this.originationNumber } }
              : {}),
          },
        }),
      );
      return result.MessageId ?? 'unknown';
    } catch (error) {
      classifyProviderError(error, 'sns');
    }
  }
}

/** RFC 2047 encoded-word for a display name that is not plain ASCII. */
export function mimeDisplayName(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '')}"`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}

export class SesEmailSender implements EmailSender {
  /** @param pacer spaces sends to stay under SES's send rate @default no pacing */
  public constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSetName: string | undefined,
    private readonly pacer: SmsPacer = new SmsPacer(0),
  ) {}

  public async send(message: EmailMessage): Promise<string> {
    await this.pacer.turn();
    try {
      const result = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: `${mimeDisplayName(message.fromName)} <${message.fromAddress}>`,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
              Headers: message.headers.map((header) => ({ Name: header.name, Value: header.value })),
            },
          },
          ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
          // Tags correlate SES feedback with the notice; they carry no personal data.
          EmailTags: [
            { Name: 'noticeId', Value: message.noticeId },
            { Name: 'kind', Value: message.kind },
          ],
        }),
      );
      return result.MessageId ?? 'unknown';
    } catch (error) {
      classifyProviderError(error, 'ses');
    }
  }
}
