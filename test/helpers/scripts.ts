/** Running the walkthroughs in examples/ as a user would: bash, with the tools they need. */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './emulator.js';

/** The tools of `tools` that are not on this machine. */
export function missingTools(tools: string[]): string[] {
  return tools.filter((tool) => {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/** Runs examples/<script> against the emulator whose data folder is `dataDir`; resolves with its exit code and output. */
export function runExample(script: string, dataDir: string, timeoutMs: number, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [path.join(ROOT, 'examples', script)], { cwd: ROOT, env: { ...process.env, NCE_DATA_DIR: dataDir, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}
