/**
 * The module graph of the emulator and azemu has no circles (type-only imports included), as
 * `npx madge --circular --extensions ts rp cli` checks: handlers get rp/host.ts's narrow view of
 * the emulator instead of importing the class that imports them.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const root = process.cwd();
const madge = path.join(root, 'node_modules', '.bin', 'madge');

describe('import graph', function () {
  this.timeout(120_000);

  it('has no circular imports in rp/ and cli/ (madge)', async () => {
    expect(existsSync(madge), 'madge is a devDependency').to.equal(true);
    const { stdout } = await promisify(execFile)(madge, ['--circular', '--json', '--extensions', 'ts', 'rp', 'cli'], { cwd: root, maxBuffer: 16 << 20 });
    const circles = JSON.parse(stdout) as string[][];
    expect(circles.map((c) => c.join(' > '))).to.deep.equal([]);
  });
});
