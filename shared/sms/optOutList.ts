/**
 * The SNS account-level opt-out list. With self-managed opt-outs Bookdrop decides who gets texts, but
 * a number that opted out through SNS before stays blocked there: on START it is taken off the list.
 * SNS allows that once per number every 30 days; a refusal is a clear outcome, not a failure.
 */
import { CheckIfPhoneNumberIsOptedOutCommand, OptInPhoneNumberCommand, type SNSClient } from '@aws-sdk/client-sns';
import { classifyProviderError } from '#shared/notices/senders.ts';

/**
 * `refused`: SNS would not opt the number in. Its documentation names only `Throttled` and
 * `InvalidParameter` among the errors of OptInPhoneNumber; the once-per-30-days limit is one of them.
 */
export type OptOutListOutcome = 'not-listed' | 'opted-in' | 'refused';

export interface OptOutList {
  optIn(phoneNumber: string): Promise<OptOutListOutcome>;
}

export class SnsOptOutList implements OptOutList {
  public constructor(private readonly sns: SNSClient) {}

  public async optIn(phoneNumber: string): Promise<OptOutListOutcome> {
    try {
      const { isOptedOut } = await this.sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));
      if (!isOptedOut) return 'not-listed';
      await this.sns.send(new OptInPhoneNumberCommand({ phoneNumber }));
      return 'opted-in';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ThrottledException' || name === 'InvalidParameterException') return 'refused';
      classifyProviderError(error, 'sns');
    }
  }
}
