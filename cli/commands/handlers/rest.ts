/**
 * `azemu rest`: like `az rest`. The token is attached only for the emulator's own host,
 * {subscriptionId} is substituted, a JSON body gets Content-Type application/json, errors
 * are `ERROR: <Reason>(<body>)` with exit 1 (no 404 -> 3 and no retries, as in az rest).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Handler } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';

export const run: Handler = async (ctx) => {
  const v = ctx.values;
  const client = ctx.client();
  let url = String(v.url);
  if (url.includes('{subscriptionId}')) url = url.replace(/\{subscriptionId\}/g, ctx.subscriptionId());
  url = client.url(url);
  const params = keyValues(v.uriParameters as string[] | undefined, '--uri-parameters');
  if (Object.keys(params).length) {
    const u = new URL(url);
    for (const [k, value] of Object.entries(params)) u.searchParams.set(k, value);
    url = u.toString();
  }
  const headers = keyValues(v.headers as string[] | undefined, '--headers');
  let body: string | undefined;
  if (v.body !== undefined) {
    body = readAt(String(v.body));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const auth = !v.skipAuthorizationHeader && client.isEmulatorUrl(url);
  const response = await client.send(String(v.method).toUpperCase(), url, { body, headers, auth, retry: false });
  if (response.status >= 400) throw new CliError(`${response.reason}(${response.body})`);
  if (v.outputFile !== undefined) {
    writeFileSync(String(v.outputFile), response.body);
    return;
  }
  if (!response.body) return;
  try {
    return { result: JSON.parse(response.body), addResourceGroup: false };
  } catch {
    // not JSON: az rest prints the text as it came
    process.stdout.write(response.body.endsWith('\n') ? response.body : response.body + '\n');
  }
};

function readAt(value: string): string {
  if (!value.startsWith('@')) return value;
  try {
    return readFileSync(value.slice(1), 'utf8');
  } catch (err) {
    throw new CliError(`cannot read file '${value.slice(1)}': ${(err as Error).message}`);
  }
}

/** KEY=VALUE words, or one JSON object (possibly from @file). */
function keyValues(words: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of words ?? []) {
    const word = readAt(raw);
    if (word.trim().startsWith('{')) {
      try {
        Object.assign(out, JSON.parse(word));
        continue;
      } catch {
        throw new UsageError(`argument ${option}: invalid JSON: '${word}'`);
      }
    }
    const eq = word.indexOf('=');
    if (eq <= 0) throw new UsageError(`argument ${option}: expected KEY=VALUE, got '${word}'`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}
