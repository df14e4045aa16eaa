/**
 * One logger and one metrics instance per function (Powertools). Log lines and metric dimensions
 * carry identifiers only: never a phone number, an email address, a name or a title.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'bookdrop' });
export const metrics = new Metrics({ namespace: 'Bookdrop', serviceName: 'bookdrop' });

export type BookdropLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
export type BookdropMetrics = Pick<Metrics, 'addMetric'>;
