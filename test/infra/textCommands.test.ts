/**
 * The text commands' infrastructure (infra/constructs/textCommands.ts): the inbound-SMS function may
 * query patron partitions only, put events on the Bookdrop bus, and send to its own queue (renewal
 * deadlines) and the notifier queue (renewal replies); it still may not decrypt or encrypt contacts.
 * Every cdk-nag pack passes (nagApp).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { nagApp } from '#test/helpers/nagApp.ts';
import { testConfig } from '#test/helpers/factories.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

describe('Construct: text commands', () => {
  let template: Template;
  let resources: Resources;
  let statements: Statement[];
  const idOf = (type: string, fragment: string) => {
    const found = Object.entries(resources).filter(([id, resource]) => resource.Type === type && id.includes(fragment));
    expect(found, `${type} ${fragment}`).toHaveLength(1);
    return found[0]![0];
  };

  beforeAll(() => {
    template = Template.fromStack(new BookdropStack(nagApp(), 'Bookdrop', { config: testConfig }));
    resources = template.toJSON().Resources as Resources;
    const fn = Object.entries(resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Function' &&
        (resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME ===
          'bookdrop-inbound-sms',
    );
    const role = (fn![1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    statements = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(`"${role}"`))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  });

  const allowing = (action: string) =>
    statements.filter((statement) => statement.Effect === 'Allow' && [statement.Action].flat().includes(action));

  it('lets the inbound-SMS function query the table only in patron partitions, and no index but the phone index', () => {
    const queries = allowing('dynamodb:Query');
    const table = idOf('AWS::DynamoDB::Table', 'Data');
    const onTable = queries.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [table, 'Arn'] }));
    expect(onTable).toEqual([
      expect.objectContaining({ Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PATRON#*'] } } }),
    ]);
    expect(queries).toHaveLength(2);
    expect(allowing('dynamodb:Scan')).toEqual([]);
  });

  it("lets it put events on the Bookdrop bus only, with Bookdrop's outbound source", () => {
    const puts = allowing('events:PutEvents');
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0]!.Resource)).toContain(idOf('AWS::Events::EventBus', 'Bus'));
    expect(puts[0]!.Condition).toEqual({ StringEquals: { 'events:source': ['library.notices'] } });
  });

  it('lets it send to its own queue (deadlines) and the notifier queue (replies), and tells it their URLs', () => {
    const sends = allowing('sqs:SendMessage').map((statement) => JSON.stringify(statement.Resource));
    const inboundQueue = idOf('AWS::SQS::Queue', 'InboundSmsConsumerInputQueue');
    const noticeQueue = idOf('AWS::SQS::Queue', 'NotifierInputQueue');
    expect(sends.filter((resource) => resource.includes(inboundQueue) || resource.includes(noticeQueue))).toHaveLength(2);
    expect(sends).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'bookdrop-inbound-sms',
          RENEWAL_DEADLINE_QUEUE_URL: { Ref: inboundQueue },
          NOTICE_QUEUE_URL: { Ref: noticeQueue },
          EVENT_BUS_NAME: { Ref: idOf('AWS::Events::EventBus', 'Bus') },
        },
      },
    });
  });

  it('still gives it no use of the contact key', () => {
    const contactKey = idOf('AWS::KMS::Key', 'ContactKey');
    const kms = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('kms:')));
    expect(kms.length).toBeGreaterThan(0);
    for (const statement of kms) expect(JSON.stringify(statement.Resource)).not.toContain(contactKey);
  });
});
