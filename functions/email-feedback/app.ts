/**
 * Email feedback: consumes SES bounce and complaint events (configuration set → SNS → SQS) and
 * suppresses the email channel of the patron the notice went to.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { processClock, type Clock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { configFromEnv } from '#shared/config/runtimeEnv.ts';
import { readManifestEnv } from '#shared/config/functionManifest.ts';
import { emailFeedbackManifest } from '#functions/email-feedback/manifest.ts';
import { EmailFeedback, parseSesFeedback } from '#shared/feedback/emailFeedback.ts';
import { sqsBatchHandler } from '#shared/lambda/batchHandlers.ts';
import { DynamoNoticeLog } from '#shared/notices/noticeLog.ts';
import { logger, metrics } from '#shared/observability.ts';
import { DynamoPatronStore } from '#shared/patrons/patronRepository.ts';
import { PatronService } from '#shared/patrons/patronService.ts';
import { tableContext, type TableContext } from '#shared/table/documentClient.ts';

export function createEmailFeedbackHandler(feedback: EmailFeedback) {
  return sqsBatchHandler(async (record) => {
    await feedback.handle(parseSesFeedback(record.body));
  });
}

export function buildEmailFeedback(parts: { table: TableContext; config: ConsortiumConfig; clock: Clock }): EmailFeedback {
  return new EmailFeedback({
    notices: new DynamoNoticeLog(parts.table, parts.config.retention.noticeLogDays),
    // Suppression writes no contact: this function holds no encryption key.
    patronService: new PatronService({
      patrons: new DynamoPatronStore(parts.table, parts.config.retention.consentLedgerDays, parts.clock),
    }),
    clock: parts.clock,
    logger,
    metrics,
  });
}

export function emailFeedbackFromEnv(env: NodeJS.ProcessEnv = process.env, clients: { dynamodb?: DynamoDBClient } = {}): EmailFeedback {
  const vars = readManifestEnv(emailFeedbackManifest, env);
  return buildEmailFeedback({
    table: tableContext(clients.dynamodb ?? new DynamoDBClient({}), vars.TABLE_NAME),
    config: configFromEnv(vars.BOOKDROP_CONFIG),
    clock: processClock,
  });
}
