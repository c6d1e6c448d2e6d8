/** Helpers for the fault tests: add rules through the route, capture the emulator's fault log lines. */
import { expect } from 'chai';
import https from 'node:https';
import type { Client, Running } from '../helpers/emulator.js';

export async function addRule(client: Client, rule: unknown): Promise<any> {
  const r = await client.post('/_emulator/faults', rule);
  expect(r.status, r.text).to.equal(201);
  return r.body;
}

export async function ruleById(client: Client, id: string): Promise<any> {
  const r = await client.get(`/_emulator/faults/${id}`);
  expect(r.status, r.text).to.equal(200);
  return r.body;
}

/** Collects the lines the emulator logs from now on (its logger object is shared with the fault engine). */
export function captureLog(run: Running): string[] {
  const lines: string[] = [];
  const log = run.emu.log as { request: (line: string) => void };
  const previous = log.request;
  log.request = (line: string) => {
    lines.push(line);
    previous(line);
  };
  return lines;
}

/** A raw request that reports a transport error (such as a reset) instead of throwing. */
export function rawGet(client: Client, path: string, token: string): Promise<{ status?: number; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const req = https.request(
      { host: '127.0.0.1', servername: 'localhost', port: client.port, method: 'GET', path, headers: { Authorization: `Bearer ${token}` }, ca: client.ca, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
    req.end();
  });
}
