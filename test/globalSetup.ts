/**
 * Starts DynamoDB Local and the local SES once for the whole test run, on free ports, and hands
 * their endpoints to the test files (`inject('dynamoEndpoint')`).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startSesLocal } from '#sandbox/localServices.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesLocal()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), ses.stop()]);
  };
}
