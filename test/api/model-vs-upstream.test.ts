/**
 * Checks the model in rp/api against the per-version property trees derived from the published
 * API (../shared/networkcloud-api/derived/property-trees): same paths at every version, same
 * read-only, required and secret flags. The trees are reference data beside the checkout, not
 * part of it; when they are absent the suite says so and skips.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenAt, resourceField } from '../../rp/api/derive.js';
import { NETWORKCLOUD_TYPES } from '../../rp/api/registry.js';
import type { Field } from '../../rp/api/schema.js';
import { API_VERSIONS, type ApiVersion } from '../../rp/api/versions.js';
import { requirePrereq } from '../helpers/prereq.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const treesDir = path.resolve(here, '../../../../shared/networkcloud-api/derived/property-trees');

interface Flags { readOnly: boolean; required: boolean; secret: boolean }

function parseTree(text: string): Map<string, Flags> {
  const out = new Map<string, Flags>();
  const stack: { name: string; ro: boolean }[] = [];
  for (const line of text.split('\n')) {
    const m = /^( *)- ([A-Za-z0-9_@]+): .*\[([^\]]*)\]\s*$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 2;
    stack.length = depth;
    const flags = m[3].split(',').map((s) => s.trim());
    const parentRo = stack.some((s) => s.ro);
    const ro = parentRo || flags.includes('ReadOnly');
    stack.push({ name: m[2], ro });
    out.set(stack.map((s) => s.name).join('.'), { readOnly: ro, required: flags.includes('Required'), secret: flags.includes('Secret') });
  }
  return out;
}

function modelPaths(field: Field, v: ApiVersion, prefix = '', parentRo = false, out = new Map<string, Flags>()): Map<string, Flags> {
  const holder = field.type === 'array' ? field.items : field.type === 'map' ? field.values : field;
  for (const [key, child] of childrenAt(holder?.fields, v)) {
    const p = prefix ? `${prefix}.${key}` : key;
    const ro = parentRo || !!child.readOnly;
    out.set(p, { readOnly: ro, required: !!child.required, secret: !!child.secret });
    modelPaths(child, v, p, ro, out);
  }
  return out;
}

/** Deliberate simplifications, each with its reason. */
const KNOWN: Record<string, string> = {
  // 2023-07-01 still let clients write these; from 2024-07-01 they are read-only. We serve them read-only throughout.
  '2023-07-01 clusters properties.clusterCapacity': 'read-only from 2024-07-01 on',
  '2023-07-01 baremetalmachines properties.hardwareInventory': 'read-only from 2024-07-01 on',
  '2023-07-01 baremetalmachines properties.hardwareValidationStatus': 'read-only from 2024-07-01 on',
  '2023-07-01 clustermanagers properties.managerExtendedLocation': 'read-only from 2024-07-01 on',
};

describe('API model matches the published property trees', function () {
  before(function () {
    requirePrereq(this, existsSync(treesDir), `the reference property trees are not at ${treesDir} (the ../shared checkout)`);
  });

  for (const def of NETWORKCLOUD_TYPES) {
    for (const v of API_VERSIONS) {
      it(`${def.type} @ ${v}`, () => {
        const file = path.join(treesDir, `${v}-${def.type.toLowerCase()}.txt`);
        const upstream = parseTree(readFileSync(file, 'utf8'));
        const ours = modelPaths(resourceField(def), v);
        const missing = [...upstream.keys()].filter((p) => !ours.has(p));
        const extra = [...ours.keys()].filter((p) => !upstream.has(p));
        expect(missing, 'paths the model lacks').to.deep.equal([]);
        expect(extra, 'paths the model has that this version lacks').to.deep.equal([]);
        const flagDiffs: string[] = [];
        for (const [p, f] of upstream) {
          const o = ours.get(p)!;
          const top = p.split('.').slice(0, 2).join('.');
          if (KNOWN[`${v} ${def.type.toLowerCase()} ${top}`]) continue;
          if (o.readOnly !== f.readOnly) flagDiffs.push(`${p} readOnly ours=${o.readOnly} upstream=${f.readOnly}`);
          if (o.secret !== f.secret) flagDiffs.push(`${p} secret ours=${o.secret} upstream=${f.secret}`);
          if (!f.readOnly && o.required !== f.required) flagDiffs.push(`${p} required ours=${o.required} upstream=${f.required}`);
        }
        expect(flagDiffs).to.deep.equal([]);
      });
    }
  }
});
