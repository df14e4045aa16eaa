/**
 * CDK assertions for one-click unsubscribe and sender authentication: the HTTP API's two routes,
 * stage throttle and access log, the endpoint function's least-privilege role, the token key split
 * between signing (notifier) and verifying (endpoint), and the SES identities with their DNS outputs.
 * One synthesized template (cdk-nag AwsSolutions on) for the whole file.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { UNSUBSCRIBE_THROTTLE } from '#infra/constructs/unsubscribeEndpoint.ts';
import { NO_FORGED_INBOUND_SID } from '#infra/aspects/forgedInboundGuard.ts';
import { testConfig } from '#test/helpers/factories.ts';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

describe('Construct: UnsubscribeEndpoint and SenderIdentities', () => {
  let template: Template;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(new BookdropStack(app, 'Bookdrop', { config: testConfig }));
    resources = template.toJSON().Resources as Record<string, Resource>;
  });

  const idOf = (type: string, fragment: string) => {
    const ids = Object.keys(resources).filter((id) => resources[id]!.Type === type && id.includes(fragment));
    expect(ids, `${type} ${fragment}`).toHaveLength(1);
    return ids[0]!;
  };
  const statementsOf = (policyFragment: string) =>
    (resources[idOf('AWS::IAM::Policy', policyFragment)]!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

  it('serves exactly GET and POST /unsubscribe, unauthenticated (the token authorizes), through one Lambda proxy integration', () => {
    const api = { Ref: idOf('AWS::ApiGatewayV2::Api', 'UnsubscribeApi') };
    const ofApi = (type: string) =>
      Object.values(resources).filter(
        (resource) => resource.Type === type && JSON.stringify(resource.Properties.ApiId) === JSON.stringify(api),
      );
    expect(
      ofApi('AWS::ApiGatewayV2::Route')
        .map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType])
        .sort(),
    ).toEqual([
      ['GET /unsubscribe', 'NONE'],
      ['POST /unsubscribe', 'NONE'],
    ]);
    expect(ofApi('AWS::ApiGatewayV2::Integration')).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: api,
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: arnOf(idOf('AWS::Lambda::Function', 'UnsubscribeHandler')),
    });
    expect(resources[api.Ref]!.Properties.ProtocolType).toBe('HTTP');
  });

  it('lets only this API invoke the function, only on the unsubscribe path', () => {
    const permissions = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(resource.Properties.FunctionName).includes(idOf('AWS::Lambda::Function', 'UnsubscribeHandler')),
    );
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      const sourceArn = JSON.stringify(permission.Properties.SourceArn);
      expect(sourceArn).toContain(idOf('AWS::ApiGatewayV2::Api', 'UnsubscribeApi'));
      expect(sourceArn).toContain('/*/*/unsubscribe');
    }
  });

  it('throttles the stage and logs access without the query string or source IP', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: UNSUBSCRIBE_THROTTLE.rateLimit, ThrottlingBurstLimit: UNSUBSCRIBE_THROTTLE.burstLimit },
      AccessLogSettings: {
        DestinationArn: arnOf(idOf('AWS::Logs::LogGroup', 'UnsubscribeAccessLogs')),
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
    const stage = resources[idOf('AWS::ApiGatewayV2::Stage', 'UnsubscribeStage')]!;
    const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
    for (const leaky of ['$context.path', 'rawQueryString', 'sourceIp', 'userAgent']) expect(format).not.toContain(leaky);
  });

  it('has its own HMAC key, kept when the stack is deleted (links in sent emails live a year)', () => {
    const key = resources[idOf('AWS::KMS::Key', 'UnsubscribeTokenKey')]!;
    expect(key.Properties).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(key.DeletionPolicy).toBe('Retain');
  });

  it('grants the endpoint function exactly: its logs, X-Ray, Get/Put on the table, the data key, and VerifyMac on the token key', () => {
    const tokenKey = arnOf(idOf('AWS::KMS::Key', 'UnsubscribeTokenKey'));
    const statements = statementsOf('UnsubscribeHandlerRoleDefaultPolicy');
    // The consortium configuration, read from its parameter path (asserted for every function in operations.test.ts).
    const configRead = statements.filter((statement) => statement.Action === 'ssm:GetParametersByPath');
    expect(configRead).toHaveLength(1);
    expect(JSON.stringify(configRead[0]!.Resource)).toContain(':parameter/bookdrop/');
    expect(statements.filter((statement) => statement.Action !== 'ssm:GetParametersByPath')).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: arnOf(idOf('AWS::Logs::LogGroup', 'UnsubscribeHandlerLogs')),
      },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      { Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Effect: 'Allow', Resource: arnOf(idOf('AWS::DynamoDB::Table', 'DataTable')) },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: arnOf(idOf('AWS::KMS::Key', 'KeysDataKey')),
        // Only through the services that hold its data (the confused-deputy guard every role gets).
        Condition: {
          StringEquals: {
            'kms:ViaService': ['dynamodb', 'sqs'].map((service) => ({
              'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
            })),
          },
        },
      },
      { Action: 'kms:VerifyMac', Effect: 'Allow', Resource: tokenKey },
      // Every role's explicit Deny on the inbound topics (no forged STOP or complaint).
      {
        Action: 'sns:Publish',
        Effect: 'Deny',
        Resource: [{ Ref: idOf('AWS::SNS::Topic', 'EmailFeedbackTopic') }, { Ref: idOf('AWS::SNS::Topic', 'InboundSmsTopic') }],
        Sid: NO_FORGED_INBOUND_SID,
      },
    ]);
    const role = resources[idOf('AWS::IAM::Role', 'UnsubscribeHandlerRole')]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the notifier sign tokens but not verify them, and points its links at the API', () => {
    const tokenKey = idOf('AWS::KMS::Key', 'UnsubscribeTokenKey');
    const onTokenKey = statementsOf('NotifierConsumerRoleDefaultPolicy').filter((statement) =>
      JSON.stringify(statement.Resource).includes(tokenKey),
    );
    expect(onTokenKey).toEqual([{ Action: 'kms:GenerateMac', Effect: 'Allow', Resource: arnOf(tokenKey) }]);
    const notifier = resources[idOf('AWS::Lambda::Function', 'NotifierConsumer')]!;
    const variables = (notifier.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.UNSUBSCRIBE_KEY_ID).toEqual(arnOf(tokenKey));
    expect(variables.UNSUBSCRIBE_URL).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf('AWS::ApiGatewayV2::Api', 'UnsubscribeApi'), 'ApiEndpoint'] }, '/unsubscribe']],
    });
  });

  it('gives the endpoint function no contact key, only the token key id and KMS mode', () => {
    const fn = resources[idOf('AWS::Lambda::Function', 'UnsubscribeHandler')]!;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({ CONTACT_KEYS: 'kms', UNSUBSCRIBE_KEY_ID: arnOf(idOf('AWS::KMS::Key', 'UnsubscribeTokenKey')) });
    expect(variables.CONTACT_KEY_ID).toBeUndefined();
    expect(variables.PHONE_INDEX_KEY_ID).toBeUndefined();
  });

  it('creates an SES identity per sender domain with 2048-bit Easy DKIM, a custom MAIL FROM and the configuration set', () => {
    const domains = [...new Set([testConfig.consortium, ...testConfig.libraries].map((sender) => sender.senderEmail.split('@')[1]))].sort();
    const identities = Object.values(resources).filter((resource) => resource.Type === 'AWS::SES::EmailIdentity');
    expect(identities.map((identity) => identity.Properties.EmailIdentity).sort()).toEqual(domains);
    const configurationSet = idOf('AWS::SES::ConfigurationSet', 'EmailConfigurationSet');
    for (const identity of identities) {
      expect(identity.Properties).toMatchObject({
        DkimAttributes: { SigningEnabled: true },
        DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
        MailFromAttributes: {
          MailFromDomain: `bounce.${String(identity.Properties.EmailIdentity)}`,
          BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
        },
        ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSet } },
      });
    }
  });

  it('keeps publishing bounces and complaints from the configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { Enabled: true, MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']) },
    });
  });

  it('outputs the unsubscribe URL and, per sender domain, three DKIM CNAMEs, the MAIL FROM MX and its SPF record', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const identity = idOf('AWS::SES::EmailIdentity', 'SendersRiversideExampleOrg');
    expect(outputs.SenderDnsRiversideExampleOrgDkim2?.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [identity, 'DkimDNSTokenName2'] }, ' CNAME ', { 'Fn::GetAtt': [identity, 'DkimDNSTokenValue2'] }]],
    });
    expect(outputs.SenderDnsRiversideExampleOrgMailFromMx?.Value).toEqual({
      'Fn::Join': ['', ['bounce.riverside.example.org MX 10 feedback-smtp.', { Ref: 'AWS::Region' }, '.amazonses.com']],
    });
    expect(outputs.SenderDnsRiversideExampleOrgMailFromSpf?.Value).toBe(
      'bounce.riverside.example.org TXT "v=spf1 include:amazonses.com ~all"',
    );
    expect(Object.keys(outputs).filter((name) => name.startsWith('SenderDns'))).toHaveLength(3 * 5);
    expect(outputs.UnsubscribeUrl).toBeDefined();
  });
});
