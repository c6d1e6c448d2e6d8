/**
 * Records examples/<api-version>/<OperationId>.json, the x-ms-examples of specs/, by walking every
 * operation of every version against a real emulator started in this process:
 *
 *   npx tsc -p tsconfig.json && node dist/rp/api/record-examples.js
 *
 * test/contract/examples-replay.test.ts replays them and fails when they no longer match.
 */
import 'reflect-metadata';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CONFIG } from '../config.js';
import { Emulator } from '../emulator.js';
import { EXAMPLE_SUBSCRIPTION, Normaliser, walk, type Reply, type Target } from './example-scenario.js';
import { REPO_ROOT } from './emit-specs.js';
import { API_VERSIONS } from './versions.js';

/** Adds the fixed subscription the example walk runs in, owned by the demo principal that walks it. */
export async function addExampleSubscription(emu: Emulator): Promise<void> {
  await emu.putSubscription({ subscriptionId: EXAMPLE_SUBSCRIPTION, displayName: 'Examples', tenantId: emu.tenantId, state: 'Enabled' }, emu.demoPrincipalObjectId);
}

/** A target that calls the emulator over HTTPS as its demo service principal. */
async function targetOf(emu: Emulator): Promise<Target> {
  const principal = emu.principals.byObjectId(emu.demoPrincipalObjectId)!;
  const { accessToken } = await emu.tokens.issue(principal, 'https://management.azure.com/');
  return {
    endpoint: emu.endpoint,
    send: (method, urlPath, body, headers) =>
      new Promise<Reply>((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = https.request({
          host: '127.0.0.1', port: emu.port, servername: 'localhost', method, path: urlPath, ca: emu.caCertPem,
          headers: { Authorization: `Bearer ${accessToken}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}), ...headers },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
          });
        });
        req.on('error', reject);
        if (payload) req.write(payload);
        req.end();
      }),
  };
}

export const exampleFile = (v: string, operationId: string) => path.join(REPO_ROOT, 'examples', v, `${operationId}.json`);

async function main(): Promise<void> {
  const dataDir = path.join(os.tmpdir(), `nce-examples-${process.pid}`);
  const config = { ...DEFAULT_CONFIG, port: 0, inMemory: true, seed: 'none' as const, operationDurationMs: 0, quiet: true, dataDir };
  const emu = await Emulator.open(config, { request: () => undefined, error: (line) => console.error(line) });
  try {
    await emu.listen();
    await addExampleSubscription(emu);
    const target = await targetOf(emu);
    for (const v of API_VERSIONS) {
      const normaliser = new Normaliser(emu.endpoint);
      const dir = path.dirname(exampleFile(v, 'x'));
      await mkdir(dir, { recursive: true });
      for (const f of await readdir(dir)) if (f.endsWith('.json')) await rm(path.join(dir, f));
      let count = 0;
      for await (const x of walk(target, v, normaliser)) {
        await writeFile(exampleFile(v, x.operationId), `${JSON.stringify(x.example, null, 2)}\n`);
        count += 1;
      }
      console.log(`examples/${v}: ${count} operations`);
    }
  } finally {
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
