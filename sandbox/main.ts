/**
 * `npm start`: runs the local sandbox until Ctrl-C.
 *
 * Options (environment): `BOOKDROP_PORT` (default 4010), `BOOKDROP_CONFIG_FILE` (default
 * `config/consortium.json`), `BOOKDROP_KEY_FILE` (default `.bookdrop/sandbox-keys.json`),
 * `BOOKDROP_LOG_LEVEL` (handlers' log level, default WARN), `BOOKDROP_DATA_DIR` or `--data-dir DIR`
 * (keep the sandbox's state on disk; by default it lives in memory and is gone when the sandbox stops).
 */
import { resolve } from 'node:path';
import { loadConfigFile, DEFAULT_CONFIG_FILE } from '#shared/config/loadConfigFile.ts';
import { Sandbox } from '#sandbox/sandbox.ts';
import { serveSandbox } from '#sandbox/httpApi.ts';

const started = Date.now();
const port = Number(process.env.BOOKDROP_PORT ?? 4010);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('BOOKDROP_PORT must be a port number\n');
  process.exit(2);
}
const config = loadConfigFile(process.env.BOOKDROP_CONFIG_FILE ?? DEFAULT_CONFIG_FILE);
const keyFile = resolve(process.env.BOOKDROP_KEY_FILE ?? '.bookdrop/sandbox-keys.json');
const dataDirFlag = process.argv.indexOf('--data-dir');
const dataDirArgument = dataDirFlag >= 0 ? process.argv[dataDirFlag + 1] : process.env.BOOKDROP_DATA_DIR;
if (dataDirFlag >= 0 && !dataDirArgument) {
  process.stderr.write('--data-dir needs a folder, e.g. --data-dir .bookdrop/data\n');
  process.exit(2);
}
const dataDir = dataDirArgument ? resolve(dataDirArgument) : undefined;

const sandbox = await Sandbox.start({ config, port, keyFile, ...(dataDir ? { dataDir } : {}) });
let server: Awaited<ReturnType<typeof serveSandbox>>;
try {
  server = await serveSandbox(sandbox, port);
} catch (error) {
  await sandbox.stop();
  process.stderr.write(`cannot listen on 127.0.0.1:${port}: ${(error as Error).message}\n`);
  process.exit(1);
}

const status = sandbox.status();
process.stdout.write(
  [
    `Bookdrop sandbox ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  API (EventBridge PutEvents, /sandbox/*)  ${status.endpoints.api}`,
    `  event bus                                 ${status.eventBusName}`,
    `  DynamoDB Local                            ${status.endpoints.dynamodb}  (table ${status.tables.join(', ')})`,
    `  local SES                                 ${status.endpoints.ses}`,
    `  SMS sink (SNS API)                        ${status.endpoints.sms}`,
    `  ILS webhook (signed)                      ${status.endpoints.api}/ils/events  (secret in ${resolve(keyFile, '..', 'ils-webhook-secret.json')})`,
    `  ILS report drop folder                    ${sandbox.ils.drop.root}`,
    `  consortium                                ${config.consortium.name}: ${config.libraries.map((lib) => lib.id).join(', ')} (${config.timeZone})`,
    `  state                                     ${dataDir ? `kept in ${dataDir}` : 'in memory (gone when the sandbox stops; --data-dir DIR keeps it)'}`,
    ...Object.values((await sandbox.health()).emulators).flatMap((emulator) =>
      'warning' in emulator && emulator.warning ? [`  warning: ${emulator.warning}`] : [],
    ),
    'Try `npm run demo` in another terminal. Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping the sandbox...\n');
  server.close();
  await sandbox.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
