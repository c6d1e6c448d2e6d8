#!/usr/bin/env node
/**
 * npm start -- [--host 127.0.0.1] [--port 8443] [--data-dir DIR] [--in-memory] [--seed demo|none]
 *              [--loose-auth] [--reset] [--operation-duration 1s] [--certificate-dating wall|virtual] [--page-size N] [--faults FILE] [--quiet]
 *              [--handshake-timeout 10s] [--headers-timeout 20s] [--request-timeout 60s]
 *              [--keep-alive-timeout 15s] [--idle-timeout 120s] [--max-connections N] [--max-connections-per-client N]
 * Starts the emulator, seeds the demo environment on an empty data folder, writes
 * <data-dir>/emulator.json when ready and prints the same facts for a person.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { parseDuration } from './clock.js';
import { DEFAULT_CONFIG, type EmulatorConfig } from './config.js';
import { validateLimits, type ConnectionLimits } from './connections.js';
import { Emulator } from './emulator.js';
import { readFaultsFile } from './faults/file.js';
import { seedDemo } from './seed/demo.js';
import { StoreKeyError } from './secrets/at-rest.js';
import { DataFolderLockedError } from './store/lock.js';
import { formatBytes, isOutOfSpace, storeBytes, StoreCorruptError, StoreOutOfSpaceError } from './store/store.js';
import path from 'node:path';

/** What a start that failed for a known reason prints (without a stack), or undefined for a bug. */
async function startFailure(e: unknown, dataDir: string): Promise<string | undefined> {
  if (e instanceof StoreCorruptError || e instanceof DataFolderLockedError || e instanceof StoreKeyError) return e.message;
  if (isOutOfSpace(e) || e instanceof StoreOutOfSpaceError) {
    const need = (await storeBytes(path.join(path.resolve(dataDir), 'db.json'))) + 64 * 1024;
    return `the disk holding ${path.resolve(dataDir)} is full (${(e as Error).message}). The emulator needs about ${formatBytes(need)} free there to start (it rewrites its store and writes emulator.json). Free that much space and start again.`;
  }
  return undefined;
}

/** Replaces the stored fault rules with a --faults file's; a bad file ends the start with exit 2. */
async function loadFaultsFile(emu: Emulator, file: string, quiet: boolean): Promise<void> {
  try {
    const rules = await emu.faults.replaceAll(await readFaultsFile(file));
    if (!quiet) console.log(`fault rules in force from ${file}: ${rules.map((r) => r.id).join(', ') || '(none)'}`);
  } catch (e) {
    const err = e as Error & { details?: { message: string }[] };
    console.error(`error: --faults ${file}: ${err.message}${err.details?.length ? `\n  ${err.details.map((d) => d.message).join('\n  ')}` : ''}`);
    await emu.close();
    process.exit(2);
  }
}

const USAGE = `Usage: npm start -- [options]
  --host HOST                 address to listen on (default 127.0.0.1)
  --port PORT                 HTTPS port; 0 picks a free one (default 8443)
  --data-dir DIR              where state, keys and emulator.json live (default ./.nce)
  --in-memory                 keep state in memory only
  --seed demo|none            build the demo environment (default: demo on an empty data folder)
  --loose-auth                accept any well-formed bearer token
  --reset                     start from an empty store
  --operation-duration TIME   how long long-running operations take, e.g. 1s, 250ms, 0 (default 1s)
  --page-size N               items per page of list operations (default 100)
  --faults FILE               fault rules to put in force (JSON or YAML); they replace the stored ones
  --certificate-dating MODE   wall (default: notBefore in real time, real clients verify) or virtual
                              (every certificate dated on the virtual clock; see docs/pki.md)
  --quiet                     print only errors and the ready line

  --handshake-timeout TIME    close a connection whose TLS handshake is not done by then (default 10s)
  --headers-timeout TIME      close a connection whose request headers are not in by then (default 20s)
  --request-timeout TIME      close a connection whose whole request is not in by then (default 60s)
  --keep-alive-timeout TIME   close an idle keep-alive connection after this (default 15s)
  --idle-timeout TIME         close any connection silent for this long (default 120s)
  --max-connections N         open connections over all listeners (default 2000)
  --max-connections-per-client N
                              open connections from one client address (default 250)`;

function parseMs(text: string): number {
  const ms = /^(\d+)\s*ms$/.exec(text.trim());
  if (ms) return Number(ms[1]);
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  return parseDuration(text);
}

export function configFromArgs(argv: string[]): EmulatorConfig & { pageSize?: number; faultsFile?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean' },
      seed: { type: 'string' },
      'loose-auth': { type: 'boolean' },
      reset: { type: 'boolean' },
      'operation-duration': { type: 'string' },
      'certificate-dating': { type: 'string' },
      'page-size': { type: 'string' },
      faults: { type: 'string' },
      quiet: { type: 'boolean' },
      'handshake-timeout': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'keep-alive-timeout': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-connections-per-client': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = values.port === undefined ? DEFAULT_CONFIG.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not '${values.port}'`);
  const seed = values.seed ?? 'auto';
  if (seed !== 'demo' && seed !== 'none' && seed !== 'auto') throw new Error(`--seed must be demo or none, not '${seed}'`);
  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) throw new Error(`--page-size must be a positive integer`);
  const dating = values['certificate-dating'] ?? DEFAULT_CONFIG.certificateDating;
  if (dating !== 'wall' && dating !== 'virtual') throw new Error(`--certificate-dating must be wall or virtual, not '${dating}'`);
  const limits = DEFAULT_CONFIG.connections;
  const time = (flag: string, fallback: number) => (values[flag as keyof typeof values] === undefined ? fallback : parseMs(String(values[flag as keyof typeof values])));
  const count = (flag: string, fallback: number) => {
    const text = values[flag as keyof typeof values];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, not '${text}'`);
    return n;
  };
  const connections: ConnectionLimits = validateLimits({
    handshakeTimeoutMs: time('handshake-timeout', limits.handshakeTimeoutMs),
    headersTimeoutMs: time('headers-timeout', limits.headersTimeoutMs),
    requestTimeoutMs: time('request-timeout', limits.requestTimeoutMs),
    keepAliveTimeoutMs: time('keep-alive-timeout', limits.keepAliveTimeoutMs),
    idleTimeoutMs: time('idle-timeout', limits.idleTimeoutMs),
    maxConnections: count('max-connections', limits.maxConnections),
    maxConnectionsPerClient: count('max-connections-per-client', limits.maxConnectionsPerClient),
  });
  return {
    ...DEFAULT_CONFIG,
    connections,
    host: values.host ?? DEFAULT_CONFIG.host,
    port,
    dataDir: values['data-dir'] ?? DEFAULT_CONFIG.dataDir,
    inMemory: values['in-memory'] ?? false,
    seed,
    looseAuth: values['loose-auth'] ?? false,
    reset: values.reset ?? false,
    operationDurationMs: values['operation-duration'] === undefined ? DEFAULT_CONFIG.operationDurationMs : parseMs(values['operation-duration']),
    quiet: values.quiet ?? false,
    certificateDating: dating,
    pageSize,
    faultsFile: values.faults,
  };
}

async function main(): Promise<void> {
  let config: ReturnType<typeof configFromArgs>;
  try {
    config = configFromArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const quiet = config.quiet;
  const log = {
    request: (line: string) => console.log(line),
    error: (line: string) => console.error(line),
    requests: !quiet,
  };
  let emu: Emulator | undefined;
  let infoFile: string;
  try {
    const opened = await Emulator.open(config, log);
    emu = opened;
    // Handled before emulator.json says "ready": a stop right after it still closes the store cleanly.
    const stop = async () => {
      await opened.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (config.pageSize) opened.pageSize = config.pageSize;
    if (config.faultsFile) await loadFaultsFile(opened, config.faultsFile, quiet);
    await opened.listen();
    const seed = config.seed === 'auto' ? (opened.seeded ? 'none' : 'demo') : config.seed;
    // The seed goes through the emulator's own API: rules in force must not break it.
    if (seed === 'demo' && !opened.demo) await opened.faults.paused(() => seedDemo(opened));
    infoFile = await opened.writeInfoFile();
  } catch (e) {
    // Let go of the data folder (and its lock) before exiting.
    await emu?.close().catch(() => undefined);
    const message = await startFailure(e, config.dataDir);
    if (message === undefined) throw e;
    console.error(`error: ${message}`);
    process.exit(1);
  }
  const info = emu.info();
  console.log(
    [
      `networkcloud-emulator ready at ${info.endpoint}`,
      `  trust this CA:      ${info.caCertFile}`,
      `  tenant:             ${info.tenantId}`,
      `  subscription:       ${info.subscriptionId}`,
      `  client id:          ${info.clientId}   (client secret in ${infoFile})`,
      `  managed identity:   ${info.msiEndpoint}`,
      ...(info.demo
        ? [
            `  demo cluster:       ${info.demo.clusterId}`,
            `  demo machines:      ${info.demo.bareMetalMachineIds.length} in resource group ${info.demo.managedResourceGroup}`,
          ]
        : []),
      `  facts for scripts:  ${infoFile}`,
    ].join('\n'),
  );
  // kill -USR2 <pid>: one line with the connection counters (rp/connections.ts), for operators and the tests.
  process.on('SIGUSR2', () => console.log(`connections ${JSON.stringify(emu!.connections.stats)}`));
}

main().catch((e) => {
  console.error(`error: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
