import { defineConfig } from 'vitest/config';

/**
 * Test files that need no emulator: pure domain logic, contracts, templates. `npm run test:unit` runs
 * them alone in seconds; add a file here when it starts neither DynamoDB Local nor the local SES.
 */
const UNIT = [
  'test/events/**/*.test.ts',
  'test/operations/deadLetterReasons.test.ts',
  'test/import/importRows.test.ts',
  'test/import/importTarget.test.ts',
  'test/import/patronFile.test.ts',
  'test/ilsBridge/adapters.test.ts',
  'test/ilsBridge/reportMappings.test.ts',
  'test/ilsBridge/webhookSignature.test.ts',
  'test/ilsBridge/webhook.test.ts',
  'test/notices/compose.test.ts',
  'test/notices/emailFooter.test.ts',
  'test/notices/noticeRegistry.test.ts',
  'test/bench/capacityUnits.test.ts',
  'test/notices/noticeIds.test.ts',
  'test/notices/quietHours.test.ts',
  'test/notices/smsPacer.test.ts',
  'test/notices/broadcastRate.test.ts',
  'test/config/timeZone.test.ts',
  'test/config/validatedConfig.test.ts',
  'test/patrons/tieRules.test.ts',
  'test/circulation/strayLoan.test.ts',
  'test/privacy/privacyChart.test.ts',
  'test/circulation/circulationService.test.ts',
  'test/sms/keywords.test.ts',
  'test/sms/smsCommands.test.ts',
  'test/sandbox/putEventsContract.test.ts',
  'test/sandbox/streamPoller.test.ts',
  'test/scripts/loadPlan.test.ts',
  'test/scripts/loadThroughput.test.ts',
  'test/unsubscribe/unsubscribeToken.test.ts',
  'test/sms/smsTextRules.test.ts',
  'test/table/keys.test.ts',
  'test/notices/fanOut.test.ts',
  'test/sweep/sweepPages.test.ts',
  'test/docs/documentReferences.test.ts',
  'test/scripts/cliTarget.test.ts',
  'test/config/functionManifests.test.ts',
  'test/patrons/patronInitial.test.ts',
  'test/import/firstInitial.test.ts',
  'test/sms/renewalWindow.test.ts',
  'test/contacts/contactKeys.test.ts',
  'test/functions/batchHandlers.test.ts',
];
/**
 * No emulator, but tens of seconds: stack synthesis (bundles every function) and static checks that
 * run the TypeScript compiler over the source tree.
 */
const INFRA = ['test/infra/**/*.test.ts', 'test/privacy/recordKeys.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/reporters/summaryLine.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    env: {
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    projects: [
      // Unit files share one module graph (isolate: false): each module is imported once per run, not once per file.
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'infra', include: INFRA } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...INFRA],
          // DynamoDB Local and the local SES start once per run; each test file gets its own table.
          globalSetup: ['test/globalSetup.ts'],
        },
      },
    ],
  },
});
