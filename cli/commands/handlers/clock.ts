/** `azemu emulator clock show|advance|set`: the emulator's clock (GET/POST {endpoint}_emulator/clock). */
import type { Handler } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Run } from '../types.js';

type ClockRun = Extract<Run, { handler: 'clock' }>;

export const run: Handler = async (ctx) => {
  const client = ctx.client();
  const op = (ctx.command.run as ClockRun).op;
  if (op === 'show') return { result: await client.json('GET', '_emulator/clock') };
  const body = op === 'advance' ? { advance: checkDuration(String(ctx.values.duration)) } : { set: checkTime(String(ctx.values.time)) };
  return { result: await client.json('POST', '_emulator/clock', { body }) };
};

function checkDuration(text: string): string {
  if (!/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text)) throw new UsageError(`argument DURATION: invalid duration: '${text}' (use a number followed by d, h, m, s or ms, e.g. 30d)`);
  return text;
}

function checkTime(text: string): string {
  if (Number.isNaN(Date.parse(text))) throw new UsageError(`argument ISO_TIME: invalid time: '${text}' (use ISO 8601, e.g. 2026-01-01T00:00:00Z)`);
  return text;
}
