/**
 * The Bookdrop stack: keys, the table, the event bus and its rules, the circulation consumer and
 * the notifier. Each capability is a construct; this file composes them and grants each function
 * exactly what it needs.
 */
import { Aspects, CfnOutput, Duration, Lazy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { functionConfig, type ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { DataKeyViaServices } from '#infra/aspects/dataKeyViaServices.ts';
import { SECURITY_FEATURE_FLAGS } from '#infra/featureFlags.ts';
import { BookdropKeys } from '#infra/constructs/keys.ts';
import { DataStore } from '#infra/constructs/dataStore.ts';
import { EventIngress } from '#infra/constructs/eventIngress.ts';
import { QueueConsumer } from '#infra/constructs/queueConsumer.ts';
import { TableStream } from '#infra/constructs/tableStream.ts';
import { acknowledgeEncryptedQueueSends } from '#infra/constructs/durableQueue.ts';
import { EmailFeedback } from '#infra/constructs/emailFeedback.ts';
import { InboundSms } from '#infra/constructs/inboundSms.ts';
import { grantTextCommands } from '#infra/constructs/textCommands.ts';
import { DailySweep } from '#infra/constructs/dailySweep.ts';
import { SenderIdentities } from '#infra/constructs/senderIdentities.ts';
import { UnsubscribeEndpoint } from '#infra/constructs/unsubscribeEndpoint.ts';
import { IlsWebhook } from '#infra/constructs/ilsWebhook.ts';
import { IlsReportBridge } from '#infra/constructs/ilsReportBridge.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import { notifierThroughput } from '#shared/notices/broadcastRate.ts';
import type { StageSettings } from '#shared/config/stageSettings.ts';
import { STACK_OUTPUT } from '#shared/stages.ts';
import { StageDefaults } from '#infra/constructs/stageDefaults.ts';
import { ConfigParameters } from '#infra/constructs/configParameters.ts';
import { OperationsAlarms } from '#infra/constructs/operationsAlarms.ts';
import { OperationsDashboard } from '#infra/constructs/operationsDashboard.ts';
import { NOTIFIER_CONCURRENCY } from '#shared/routing/rules.ts';
import { environmentFor, grantedActions } from '#shared/config/functionManifest.ts';
import { circulationManifest } from '#functions/circulation/manifest.ts';
import { emailFeedbackManifest } from '#functions/email-feedback/manifest.ts';
import { inboundSmsManifest } from '#functions/inbound-sms/manifest.ts';
import { notifierManifest } from '#functions/notifier/manifest.ts';

/** Instances of the notifier the queue may drive (SQS event sources allow 2 at the least). */
export { NOTIFIER_CONCURRENCY };

export interface BookdropStackProps extends StackProps {
  readonly config: ConsortiumConfig;
  /** The stage's settings (config/stages.json). @default {@link DEFAULT_STAGE} */
  readonly stage?: StageSettings;
}

/** Settings of a stack built without a stage (tests, `cdk synth` without `-c stage`). */
export const DEFAULT_STAGE: StageSettings = {
  name: 'dev',
  alarmEmails: [],
  logRetentionDays: 30,
  removal: 'retain',
  smsMonthlyBudgetUsd: 10,
};

/** DynamoDB item actions, by function, from each function's manifest. Scan and table-wide reads are never granted. */
const CIRCULATION_TABLE_ACTIONS = grantedActions(circulationManifest, 'table');
const INBOUND_TABLE_ACTIONS = grantedActions(inboundSmsManifest, 'table');
const FEEDBACK_TABLE_ACTIONS = grantedActions(emailFeedbackManifest, 'table');
const NOTIFIER_TABLE_ACTIONS = grantedActions(notifierManifest, 'table');

export class BookdropStack extends Stack {
  public constructor(scope: Construct, id: string, props: BookdropStackProps) {
    super(scope, id, props);
    for (const [flag, enabled] of Object.entries(SECURITY_FEATURE_FLAGS)) this.node.setContext(flag, enabled);
    const config = functionConfig(props.config);
    const keys = new BookdropKeys(this, 'Keys', { privacyOfficerRoleArn: config.privacy?.officerRoleArn });
    Aspects.of(this).add(new DataKeyViaServices(keys.dataKey));
    const deadLetterRetention = Duration.days(config.retention.deadLetterDays);
    const { table } = new DataStore(this, 'Data', { key: keys.dataKey, pointInTimeRecoveryDays: config.retention.pointInTimeRecoveryDays });
    const configurationSet = new ses.ConfigurationSet(this, 'EmailConfigurationSet', {
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    const common = { TABLE_NAME: table.tableName, BOOKDROP_CONFIG: JSON.stringify(config), CONTACT_KEYS: 'kms' } as const;

    // Throughput: the queue drives at most `maxConcurrency` instances, and each spaces its texts and
    // emails so that together they reach, and stay under, the origination identity's message parts per
    // second and SES's send rate (notices are one part each). All derived from the configured rates.
    const notifierTimeout = Duration.seconds(30);
    const throughput = notifierThroughput(
      { smsPartsPerSecond: config.sms.messagePartsPerSecond, emailsPerSecond: config.email.messagesPerSecond },
      notifierTimeout.toSeconds(),
    );
    const notifier: QueueConsumer = new QueueConsumer(this, 'Notifier', {
      key: keys.dataKey,
      handlerFolder: 'notifier',
      description: 'Bookdrop: sends notices by SMS (SNS) and email (SES), once, with consent',
      maxConcurrency: throughput.maxConcurrency,
      batchSize: throughput.batchSize,
      timeout: notifierTimeout,
      deadLetterRetention,
      // Its own queue and the unsubscribe endpoint exist only once it does: their names resolve at synthesis.
      environment: environmentFor(notifierManifest, {
        ...common,
        CONTACT_KEY_ID: keys.contactKey.keyArn,
        NOTICE_ID_KEY_ID: keys.noticeIdKey.keyArn,
        SES_CONFIGURATION_SET: configurationSet.configurationSetName,
        SMS_MIN_INTERVAL_MS: String(throughput.smsIntervalMs),
        EMAIL_MIN_INTERVAL_MS: String(throughput.emailIntervalMs),
        NOTICE_QUEUE_URL: Lazy.string({ produce: (): string => notifier.input.queue.queueUrl }),
        UNSUBSCRIBE_KEY_ID: Lazy.string({ produce: (): string => unsubscribe.macKey.keyArn }),
        UNSUBSCRIBE_URL: Lazy.string({ produce: (): string => unsubscribe.url }),
      }),
    });

    const circulation = new QueueConsumer(this, 'Circulation', {
      key: keys.dataKey,
      handlerFolder: 'circulation',
      description: 'Bookdrop: applies ILS circulation events to consent, contacts and holds',
      deadLetterRetention,
      environment: environmentFor(circulationManifest, {
        ...common,
        CONTACT_KEY_ID: keys.contactKey.keyArn,
        PHONE_INDEX_KEY_ID: keys.phoneIndexKey.keyArn,
        NOTICE_QUEUE_URL: notifier.input.queue.queueUrl,
      }),
    });

    const ingress = new EventIngress(this, 'Ingress', {
      config,
      targets: { circulation: { queue: circulation.input.queue, deadLetterQueue: circulation.input.deadLetterQueue } },
    });

    const stream = new TableStream(this, 'TableStream', {
      table,
      key: keys.dataKey,
      bus: ingress.bus,
      noticeQueue: notifier.input.queue,
      config,
      deadLetterRetention,
    });

    const feedback = new EmailFeedback(this, 'EmailFeedback', {
      key: keys.dataKey,
      topicKey: keys.topicKey,
      configurationSet,
      deadLetterRetention,
      environment: environmentFor(emailFeedbackManifest, { TABLE_NAME: table.tableName, BOOKDROP_CONFIG: JSON.stringify(config) }),
    });
    const feedbackFn = feedback.consumer.service.fn;
    feedbackFn.addToRolePolicy(new iam.PolicyStatement({ actions: FEEDBACK_TABLE_ACTIONS, resources: [table.tableArn] }));
    feedbackFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${TABLE.indexes.byNoticeId.name}`] }),
    );
    keys.dataKey.grant(feedbackFn, 'kms:Decrypt', 'kms:GenerateDataKey');

    // Inbound SMS: finds patrons by the phone's blind index, changes SMS consent, replies, and takes a
    // number off the SNS opt-out list on START. It never reads or writes a contact.
    const inbound: InboundSms = new InboundSms(this, 'InboundSms', {
      key: keys.dataKey,
      topicKey: keys.topicKey,
      originationIdentityArn: config.sms.originationIdentityArn,
      deadLetterRetention,
      // Its own queue exists only once it does: the name resolves at synthesis.
      environment: environmentFor(inboundSmsManifest, {
        ...common,
        PHONE_INDEX_KEY_ID: keys.phoneIndexKey.keyArn,
        EVENT_BUS_NAME: ingress.bus.eventBusName,
        NOTICE_QUEUE_URL: notifier.input.queue.queueUrl,
        RENEWAL_DEADLINE_QUEUE_URL: Lazy.string({ produce: (): string => inbound.consumer.input.queue.queueUrl }),
      }),
    });
    const inboundFn = inbound.consumer.service.fn;
    inboundFn.addToRolePolicy(new iam.PolicyStatement({ actions: INBOUND_TABLE_ACTIONS, resources: [table.tableArn] }));
    inboundFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${TABLE.indexes.byPhone.name}`] }),
    );
    keys.dataKey.grant(inboundFn, 'kms:Decrypt', 'kms:GenerateDataKey');
    keys.grantPhoneIndex(inboundFn);
    inboundFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish', 'sns:CheckIfPhoneNumberIsOptedOut', 'sns:OptInPhoneNumber'], resources: ['*'] }),
    );
    Validations.of(inbound.consumer.service).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'SMS to a phone number and the SNS opt-out list calls have no resource ARN; X-Ray actions likewise take no resource.',
    });
    grantTextCommands(inboundFn, { table, bus: ingress.bus, noticeQueue: notifier.input.queue, ownQueue: inbound.consumer.input.queue });
    acknowledgeEncryptedQueueSends(inbound.consumer.service);

    // Circulation: writes profiles, ledger and holds; encrypts contacts; indexes phones; enqueues notices.
    const circulationFn = circulation.service.fn;
    circulationFn.addToRolePolicy(new iam.PolicyStatement({ actions: CIRCULATION_TABLE_ACTIONS, resources: [table.tableArn] }));
    keys.dataKey.grant(circulationFn, 'kms:Decrypt', 'kms:GenerateDataKey');
    keys.grantContactEncrypt(circulationFn);
    keys.grantPhoneIndex(circulationFn);
    notifier.input.queue.grantSendMessages(circulationFn);

    // Notifier: reads profiles, writes the notice log; decrypts contacts; sends SMS and email.
    const notifierFn = notifier.service.fn;
    notifierFn.addToRolePolicy(new iam.PolicyStatement({ actions: NOTIFIER_TABLE_ACTIONS, resources: [table.tableArn] }));
    keys.dataKey.grant(notifierFn, 'kms:Decrypt', 'kms:GenerateDataKey');
    keys.grantContactDecrypt(notifierFn);
    keys.grantNoticeIds(notifierFn);
    // Fan-out pages: reads the audience index and queues notice requests and the next page on its own queue.
    notifier.input.queue.grantSendMessages(notifierFn);
    notifierFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [TABLE.indexes.byAudience.name, TABLE.indexes.bySweep.name].map((index) => `${table.tableArn}/index/${index}`),
      }),
    );
    new DailySweep(this, 'DailySweep', {
      config,
      queue: notifier.input.queue,
      deadLetterQueue: notifier.input.deadLetterQueue,
      key: keys.dataKey,
    });
    notifierFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    const senders = [config.consortium, ...config.libraries].map((sender) => sender.senderEmail);
    const identities = [...new Set([...senders, ...senders.map((address) => address.split('@')[1] ?? address)])];
    notifierFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          ...identities.map((identity) => this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
          this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
        ],
      }),
    );
    new SenderIdentities(this, 'Senders', { senderAddresses: senders, configurationSet });

    // One-click unsubscribe: the notifier signs each email's link, the endpoint verifies and opts out.
    const unsubscribe = new UnsubscribeEndpoint(this, 'Unsubscribe', { table, dataKey: keys.dataKey, environment: common });
    unsubscribe.grantIssue(notifierFn);
    Validations.of(notifier.service).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'sns:Publish to a phone number has no resource ARN; the function publishes to no topic. X-Ray actions likewise take no resource.',
    });
    for (const sender of [circulation.service, stream.service, notifier.service]) acknowledgeEncryptedQueueSends(sender);

    // ILS bridges: a signed webhook and a report-file drop, for an ILS that cannot call PutEvents itself.
    new IlsWebhook(this, 'IlsWebhook', { config, table, key: keys.dataKey, bus: ingress.bus });
    new IlsReportBridge(this, 'IlsReports', { config, table, key: keys.dataKey, bus: ingress.bus });

    new CfnOutput(this, 'EventBusName', { value: ingress.bus.eventBusName, description: 'Publish ILS events here' });
    new CfnOutput(this, 'EventBusArn', { value: ingress.bus.eventBusArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'CirculationDeadLetterQueue', { value: circulation.input.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'NotifierDeadLetterQueue', { value: notifier.input.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'TableStreamDeadLetterQueue', { value: stream.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'EmailFeedbackDeadLetterQueue', { value: feedback.consumer.input.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'InboundSmsTopicArn', {
      value: inbound.topic.topicArn,
      description: 'Two-way SMS destination of the origination number (see README: two-way SMS)',
    });
    new CfnOutput(this, 'InboundSmsDeadLetterQueue', { value: inbound.consumer.input.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'EmailConfigurationSetName', { value: configurationSet.configurationSetName });

    // Operations, last: the configuration parameters, alarms and dashboard discover every function and queue built above.
    const stage = props.stage ?? DEFAULT_STAGE;
    Aspects.of(this).add(new StageDefaults(stage));
    const parameters = new ConfigParameters(this, 'Config', { stage: stage.name, config });
    parameters.distribute();
    const alarms = new OperationsAlarms(this, 'Alarms', {
      stage: stage.name,
      recipients: stage.alarmEmails,
      smsMonthlyBudgetUsd: stage.smsMonthlyBudgetUsd,
    });
    const { dashboard } = new OperationsDashboard(this, 'Operations', { stage: stage.name, notifier: notifierFn });
    new CfnOutput(this, STACK_OUTPUT.contactKeyArn, {
      value: keys.contactKey.keyArn,
      description: 'Decrypts contacts for patron-report (needs kms:Decrypt)',
    });
    new CfnOutput(this, STACK_OUTPUT.alarmTopicArn, { value: alarms.topic.topicArn });
    new CfnOutput(this, STACK_OUTPUT.dashboardName, { value: dashboard.dashboardName });
    new CfnOutput(this, STACK_OUTPUT.configParameterName, {
      value: parameters.path,
      description: 'SSM parameter path of the consortium configuration',
    });
    new CfnOutput(this, 'CirculationQueue', { value: circulation.input.queue.queueUrl });
    new CfnOutput(this, 'NotifierQueue', { value: notifier.input.queue.queueUrl });
    new CfnOutput(this, 'InboundSmsQueue', { value: inbound.consumer.input.queue.queueUrl });
    new CfnOutput(this, 'EmailFeedbackQueue', { value: feedback.consumer.input.queue.queueUrl });
    // Operator tools (the patron import) index phone numbers as the functions do.
    new CfnOutput(this, STACK_OUTPUT.phoneIndexKeyArn, { value: keys.phoneIndexKey.keyArn });
  }
}
