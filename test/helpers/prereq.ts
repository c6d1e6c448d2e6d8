/**
 * Prerequisites a test needs from the machine (openssl, chromium, azure-cli, strace, ../shared ...).
 * Under CI=true a missing one FAILS the test: the CI image is supposed to have it (.ci/run installs
 * it), so its absence is a broken run, never a quiet pass. Elsewhere the test is reported pending
 * with the reason printed.
 */
import { spawnSync } from 'node:child_process';

export const IN_CI = process.env.CI === 'true';

/** Continue when `ok`; otherwise fail under CI=true, else skip (pending) with `reason` printed. */
export function requirePrereq(ctx: Mocha.Context, ok: boolean, reason: string): void {
  if (ok) return;
  if (IN_CI) throw new Error(`missing prerequisite under CI=true: ${reason}`);
  // In a hook ctx.test is the hook; currentTest is the test it guards.
  const title = ctx.currentTest?.title ?? ctx.test?.title ?? 'this test';
  console.log(`      (skipped "${title}": ${reason})`);
  ctx.skip();
}

/** The commands of `tools` that are not on PATH. */
export function missingCommands(tools: string[]): string[] {
  return tools.filter((tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status !== 0);
}

/** requirePrereq for commands on PATH, naming the missing ones and the Debian package hint. */
export function requireCommands(ctx: Mocha.Context, tools: string[], hint = ''): void {
  const missing = missingCommands(tools);
  requirePrereq(ctx, missing.length === 0, `${missing.join(', ')} not installed${hint ? ` (${hint})` : ''}`);
}
