/**
 * az's generic `wait` (WaitCommandOperation): poll a GET every --interval seconds until
 * --created/--updated (provisioningState Succeeded), --deleted (404), --exists (200) or
 * --custom (a JMESPath query on the resource as the API returns it is truthy).
 */
import { intArg } from '../../argv.js';
import { Progress, armError, parseJson, sleep, type HttpResponse } from '../../client.js';
import type { CommandContext } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';
import { loadJmespath, type JmesPath } from '../../jmespath.js';

export async function waitFor(ctx: CommandContext, get: () => Promise<HttpResponse>): Promise<null> {
  const v = ctx.values;
  const interval = intArg(v, 'interval', '--interval') ?? 30;
  const timeout = intArg(v, 'timeout', '--timeout') ?? 3600;
  const custom = v.custom as string | undefined;
  if (!v.created && !v.updated && !v.deleted && !v.exists && custom === undefined) {
    throw new UsageError('incorrect usage: --created | --updated | --deleted | --exists | --custom JMESPATH');
  }
  const jmespath = custom === undefined ? undefined : await compileCustom(custom);
  const progress = new Progress('Waiting');
  try {
    // az: for _ in range(0, timeout, interval)
    for (let elapsed = 0; elapsed < timeout; elapsed += Math.max(interval, 1)) {
      progress.tick();
      const response = await get();
      if (response.status === 404) {
        if (v.deleted) return null;
        if (!v.created && !v.exists && custom === undefined) throw armError(response);
      } else if (response.status >= 400) {
        throw armError(response);
      } else {
        if (v.exists) return null;
        const instance = parseJson<Record<string, unknown>>(response.body);
        const state = provisioningState(instance)?.toLowerCase();
        if (state === 'failed') throw new CliError('The operation failed');
        if ((v.created || v.updated) && state === 'succeeded') return null;
        if (jmespath && pythonTruthy(jmespath.search(instance, custom!))) return null;
      }
      await sleep(interval * 1000);
    }
  } finally {
    progress.done();
  }
  throw new CliError(`Wait operation timed-out after ${timeout} seconds`);
}

function provisioningState(instance: Record<string, unknown>): string | undefined {
  const props = instance.properties as Record<string, unknown> | undefined;
  const state = instance.provisioningState ?? props?.provisioningState;
  return typeof state === 'string' ? state : undefined;
}

/** Python's bool(): empty strings, lists and objects, 0, false and null are false. */
function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

async function compileCustom(expression: string): Promise<JmesPath> {
  const jp = await loadJmespath();
  try {
    jp.compile(expression);
  } catch {
    throw new UsageError(`argument --custom: invalid jmespath_type value: '${expression}'`);
  }
  return jp;
}
