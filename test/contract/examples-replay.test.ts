/**
 * examples/ replayed against a live emulator: each example's request is sent as written (placeholders
 * mapped to the live values they stand for) and the reply, normalised the same way, must equal the
 * recorded one. Re-record with: npx tsc -p tsconfig.json && node dist/rp/api/record-examples.js
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonObject } from '../../rp/api/derive.js';
import { Normaliser, walk, walkOrder, type Target } from '../../rp/api/example-scenario.js';
import { addExampleSubscription, exampleFile } from '../../rp/api/record-examples.js';
import { API_VERSIONS } from '../../rp/api/versions.js';
import { startEmulator, type Running } from '../helpers/emulator.js';
import { committedSpec, operations } from './spec-tools.js';

const RERECORD = 'node dist/rp/api/record-examples.js';
const example = (v: string, id: string) => JSON.parse(readFileSync(exampleFile(v, id), 'utf8')) as { parameters: JsonObject; responses: JsonObject };

describe('examples/ replayed against the emulator', function () {
  let running: Running;
  let target: Target;

  before(async () => {
    running = await startEmulator({ demo: true });
    await addExampleSubscription(running.emu);
    const { client } = running;
    target = { endpoint: client.endpoint, send: (method, p, body, headers) => client.send(method, p, body, { headers }) };
  });
  after(() => running.stop());

  for (const v of API_VERSIONS) {
    describe(v, () => {
      it('has one example per operation of the spec, and no other', () => {
        const files = readdirSync(path.dirname(exampleFile(v, 'x'))).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
        const ops = operations(committedSpec(v)).map((o) => o.op.operationId).sort();
        expect(files, `examples/${v} does not match the spec: run ${RERECORD}`).to.deep.equal(ops);
        expect([...walkOrder(v)].sort(), 'the example walk misses operations of the spec').to.deep.equal(ops);
      });

      it('replays every example with the recorded status, headers and normalised body', async () => {
        const normaliser = new Normaliser(target.endpoint);
        const differing: { id: string; got: JsonObject; want: JsonObject }[] = [];
        let replayed = 0;
        // The walk goes on after a difference, so that it still cleans up after itself.
        for await (const x of walk(target, v, normaliser, (id) => example(v, id).parameters)) {
          const want = example(v, x.operationId).responses;
          if (JSON.stringify(x.example.responses) !== JSON.stringify(want)) differing.push({ id: x.operationId, got: x.example.responses, want });
          replayed += 1;
        }
        expect(replayed).to.equal(walkOrder(v).length);
        if (differing.length) {
          expect(differing[0].got, `examples/${v} differ for ${differing.map((d) => d.id).join(', ')} (first shown): re-record with ${RERECORD} if the change is intended`)
            .to.deep.equal(differing[0].want);
        }
      });
    });
  }
});
