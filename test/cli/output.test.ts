import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { formatJson } from '../../cli/output/json.js';
import { formatTable } from '../../cli/output/table.js';
import { formatTsv } from '../../cli/output/tsv.js';
import { formatYaml } from '../../cli/output/yaml.js';
import { render } from '../../cli/output/index.js';
import { requirePrereq } from '../helpers/prereq.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

describe('cli output: json (json.dumps indent=2, sort_keys, ensure_ascii=False)', () => {
  it('sorts every key as a string (also integer-like ones), keeps non-ASCII, ends with a newline', () => {
    expect(formatJson({ b: 'é', a: [], c: {}, '10': 1, '9': 2 })).to.equal('{\n  "10": 1,\n  "9": 2,\n  "a": [],\n  "b": "é",\n  "c": {}\n}\n');
  });

  it('prints scalars and nested lists', () => {
    expect(formatJson('x')).to.equal('"x"\n');
    expect(formatJson([{ z: 1, y: [true, null] }])).to.equal('[\n  {\n    "y": [\n      true,\n      null\n    ],\n    "z": 1\n  }\n]\n');
  });
});

describe('cli output: yaml (PyYAML safe_dump as az calls it)', () => {
  const doc = {
    name: 'r01c001',
    tags: { '10': 'x', '9': 'y' },
    readyState: 'True',
    enabled: true,
    count: 3,
    none: null,
    createdAt: '2025-01-01T00:00:00Z',
    empty: {},
    list: [],
    machineRoles: ['platform.afo-nc.microsoft.com/management-plane=true'],
    caCertificate: { hash: 'ab12', value: PEM },
    items: [{ b: 1, a: 'yes' }, [1, 2]],
    msg: 'a: b',
    uni: 'héllo',
  };

  it('matches PyYAML byte for byte: sorted keys, quoting of look-alikes, indentless lists, multi-line strings', () => {
    // expected text produced by PyYAML 6.0 yaml.safe_dump(doc, default_flow_style=False, allow_unicode=True)
    expect(formatYaml(doc)).to.equal(
      "caCertificate:\n  hash: ab12\n  value: '-----BEGIN CERTIFICATE-----\n\n    MIIB\n\n    -----END CERTIFICATE-----'\ncount: 3\ncreatedAt: '2025-01-01T00:00:00Z'\nempty: {}\nenabled: true\nitems:\n- a: 'yes'\n  b: 1\n- - 1\n  - 2\nlist: []\nmachineRoles:\n- platform.afo-nc.microsoft.com/management-plane=true\nmsg: 'a: b'\nname: r01c001\nnone: null\nreadyState: 'True'\ntags:\n  '10': x\n  '9': y\nuni: héllo\n",
    );
  });

  it('ends a plain top-level scalar with the document end marker, like PyYAML', () => {
    expect(formatYaml('text')).to.equal('text\n...\n');
    expect(formatYaml('off')).to.equal("'off'\n");
    expect(formatYaml([])).to.equal('[]\n');
  });

  it('agrees with PyYAML on random documents (when python3 with PyYAML is installed)', function () {
    // The python3 on PATH may be a pyenv build that does not see Debian's python3-yaml: try Debian's too.
    const python = ['python3', '/usr/bin/python3'].find((exe) => spawnSync(exe, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0);
    requirePrereq(this, python !== undefined, "python3 with PyYAML is not installed, so az's YAML emitter cannot be compared (apt-get install python3-yaml)");
    const pieces = ['a', 'yes', 'No', '1', '0x1F', '1.5', '1_000', '- x', 'x: y', '#c', 'a #c', ' lead', 'trail ', 'x\ny', 'x\n', 'tab\there', "quote's", 'dq"x', '{a}', '@x', 'null', '~', '', '2025-01-01', '12:30', '=', '<<', 'héllo', '😀', '\x01', '---x', 'a,b', '-1', '010', PEM, 'word '.repeat(25)];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const str = () => pieces[rnd(pieces.length)] + (rnd(3) === 0 ? pieces[rnd(pieces.length)] : '');
    const value = (depth: number): unknown => {
      const r = rnd(depth > 2 ? 5 : 8);
      if (r === 0) return null;
      if (r === 1) return rnd(2) === 0;
      if (r === 2) return rnd(1000) - 500;
      if (r === 3 || r === 4) return str();
      if (r === 5 || r === 6) return Object.fromEntries(Array.from({ length: rnd(4) }, () => [str(), value(depth + 1)]));
      return Array.from({ length: rnd(4) }, () => value(depth + 1));
    };
    const docs = Array.from({ length: 150 }, () => value(0));
    const py = spawnSync(
      python!,
      ['-c', 'import yaml,json,sys\nfor d in json.loads(sys.stdin.read()): sys.stdout.write(json.dumps(yaml.safe_dump(d, default_flow_style=False, allow_unicode=True))+"\\n")'],
      { input: JSON.stringify(docs), encoding: 'utf8' },
    );
    const expected = py.stdout.trim().split('\n').map((l) => JSON.parse(l) as string);
    docs.forEach((d, i) => expect(formatYaml(d), JSON.stringify(d)).to.equal(expected[i]));
  });
});

describe('cli output: tsv (knack _TsvOutput)', () => {
  it('writes an object as one line of values in sorted-key order, raw strings', () => {
    expect(formatTsv({ value: PEM, hash: 'ab12' })).to.equal(`ab12\t${PEM}\n`);
  });

  it('nested object -> empty field, list -> its length, null -> None, booleans -> True/False', () => {
    expect(formatTsv({ a: { x: 1 }, b: [1, 2, 3], c: null, d: true, e: false, f: 1.5, g: 'x' })).to.equal('\t3\tNone\tTrue\tFalse\t1.5\tx\n');
  });

  it('writes one line per list item; a list item that is a list gives its items', () => {
    expect(formatTsv([{ b: 2, a: 1 }, { a: 3, b: 4 }])).to.equal('1\t2\n3\t4\n');
    expect(formatTsv([['x', ['y']], 'z'])).to.equal('x\t1\nz\n');
  });

  it('keeps the written order of a --query multiselect hash', () => {
    const hash = { z: 1, a: 2 };
    expect(formatTsv(hash, (o) => o === hash)).to.equal('1\t2\n');
    expect(formatTsv(hash)).to.equal('2\t1\n');
  });

  it('prints a top-level boolean lower-case and a top-level null as None', () => {
    expect(formatTsv(true)).to.equal('true\n');
    expect(formatTsv(null)).to.equal('None\n');
  });

  it('prints nothing at all for a null result in any format (knack skips None)', async () => {
    for (const format of ['json', 'tsv', 'table', 'yaml'] as const) expect(await render(null, format, { queryActive: true, color: false })).to.equal('');
    expect(await render({ a: 1 }, 'none', { queryActive: false, color: false })).to.equal('');
  });
});

describe('cli output: table (knack _TableOutput + tabulate "simple")', () => {
  it('keeps scalar columns only, skips id/type/etag/nulls/objects/lists, capitalises and sorts headers', () => {
    const rows = [
      { name: 'r01c001', id: '/x', type: 't', etag: 'e', powerState: 'On', rackSlot: 1, readyState: true, tags: { a: 'b' }, list: [1], gone: null },
      { name: 'r01c002', powerState: 'Off', rackSlot: 12, readyState: false },
    ];
    expect(formatTable(rows, true)).to.equal(
      ['Name     PowerState    RackSlot    ReadyState', '-------  ------------  ----------  ------------', 'r01c001  On            1           True', 'r01c002  Off           12          False', ''].join('\n'),
    );
  });

  it('keeps the query order of columns and makes a scalar a Result column', () => {
    expect(formatTable([{ b: 'x', a: 'y' }], false)).to.equal('B    A\n---  ---\nx    y\n');
    expect(formatTable('hello', false)).to.equal('Result\n--------\nhello\n');
    expect(formatTable([['a', 'b']], false)).to.equal('Column1    Column2\n---------  ---------\na          b\n');
  });

  it('prints an empty line for an empty list, and splits multi-line cells over lines', () => {
    expect(formatTable([], true)).to.equal('\n');
    expect(formatTable({ a: 'x\nyy', b: 'z' }, true)).to.equal('A    B\n---  ---\nx    z\nyy\n');
  });
});
