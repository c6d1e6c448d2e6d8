/** specs/ must be exactly what the model produces, and every document must hold together. */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../rp/api/emit-specs.js';
import { buildSpec, renderSpec, specFile } from '../../rp/api/openapi.js';
import { API_VERSIONS } from '../../rp/api/versions.js';
import { structuralProblems } from './spec-tools.js';

function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, n) => line !== y[n]);
  const at = i < 0 ? Math.min(x.length, y.length) : i;
  return `line ${at + 1}: committed ${JSON.stringify(x[at] ?? '(end)')}, model ${JSON.stringify(y[at] ?? '(end)')}`;
}

describe('specs/ (generated from rp/api)', () => {
  for (const v of API_VERSIONS) {
    describe(v, () => {
      it('is up to date with the model', () => {
        const file = path.join(REPO_ROOT, specFile(v));
        if (!existsSync(file)) expect.fail(`${specFile(v)} is missing: run npm run specs`);
        const committed = readFileSync(file, 'utf8');
        const fresh = renderSpec(v);
        if (committed !== fresh) expect.fail(`${specFile(v)} is stale (${firstDifference(committed, fresh)}): run npm run specs`);
      });

      it('is structurally sound (refs resolve, default ErrorResponse everywhere, unique operationIds)', () => {
        expect(structuralProblems(buildSpec(v), v)).to.deep.equal([]);
      });
    });
  }

  it('has a document for each served api-version and no other', () => {
    const dirs = readdirSync(path.join(REPO_ROOT, 'specs')).sort();
    expect(dirs, 'run npm run specs (and remove folders of versions no longer served)').to.deep.equal([...API_VERSIONS].sort());
  });
});
