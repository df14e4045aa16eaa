/**
 * Two stages synthesize side by side in one app, each with its own names, log retention, removal
 * policy, alarm recipients and configuration path.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BookdropStack } from '#infra/bookdropStack.ts';
import { stageSettings } from '#shared/config/stageSettings.ts';
import { stackNameFor } from '#shared/stages.ts';
import { testConfig } from '#test/helpers/factories.ts';

const stagesFile = JSON.parse(readFileSync('config/stages.json', 'utf8')) as unknown;
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

describe('Stages', () => {
  const templates: Record<string, Record<string, Resource>> = {};

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = ['prod', 'test'].map(
      (name) => [name, new BookdropStack(app, stackNameFor(name), { config: testConfig, stage: stageSettings(stagesFile, name) })] as const,
    );
    for (const [name, stack] of stacks) templates[name] = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  });

  const ofType = (stage: string, type: string) => Object.values(templates[stage]!).filter((resource) => resource.Type === type);

  it('names the stacks, dashboards, alarms and parameters after the stage', () => {
    expect(stackNameFor('prod')).toBe('Bookdrop-prod');
    for (const stage of ['prod', 'test']) {
      expect(ofType(stage, 'AWS::CloudWatch::Dashboard')[0]?.Properties.DashboardName).toBe(`Bookdrop-${stage}`);
      for (const alarm of ofType(stage, 'AWS::CloudWatch::Alarm'))
        expect(alarm.Properties.AlarmName).toMatch(new RegExp(`^Bookdrop-${stage}-`));
      for (const parameter of ofType(stage, 'AWS::SSM::Parameter'))
        expect(parameter.Properties.Name).toMatch(new RegExp(`^/bookdrop/${stage}/config/`));
    }
  });

  it('keeps logs as long as each stage says', () => {
    const retention = (stage: string) => new Set(ofType(stage, 'AWS::Logs::LogGroup').map((group) => group.Properties.RetentionInDays));
    expect(retention('prod')).toEqual(new Set([365]));
    expect(retention('test')).toEqual(new Set([30]));
  });

  it('retains the table, keys and logs in prod and removes them with a test stack', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      expect(new Set(ofType('prod', type).map((resource) => resource.DeletionPolicy)), type).toEqual(new Set(['Retain']));
      expect(new Set(ofType('test', type).map((resource) => resource.DeletionPolicy)), type).toEqual(new Set(['Delete']));
    }
    expect(ofType('prod', 'AWS::DynamoDB::Table')[0]?.Properties.DeletionProtectionEnabled).toBe(true);
    expect(ofType('test', 'AWS::DynamoDB::Table')[0]?.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it('sends each stage alarms to its own recipients', () => {
    const recipients = (stage: string) =>
      ofType(stage, 'AWS::SNS::Subscription')
        .filter((sub) => sub.Properties.Protocol === 'email')
        .map((sub) => sub.Properties.Endpoint);
    expect(recipients('prod')).toEqual(['it-oncall@hvlc.example.org']);
    expect(recipients('test')).toEqual(['bookdrop-test-alarms@hvlc.example.org']);
  });

  it('refuses an unknown stage or a bad setting with a message that says what to fix', () => {
    expect(() => stageSettings(stagesFile, 'staging')).toThrow('config/stages.json has no stage "staging"; known stages: dev, test, prod');
    expect(() =>
      stageSettings({ prod: { alarmEmails: [], logRetentionDays: 10, removal: 'keep', smsMonthlyBudgetUsd: 5, extra: 1 } }, 'prod'),
    ).toThrow(
      /stages\.prod\.logRetentionDays must be a CloudWatch Logs retention.*stages\.prod\.removal must be "retain" or "destroy".*unrecognized|extra/,
    );
  });
});
