/**
 * The server against specs/: every operation at every api-version, its status code, its LRO headers
 * and its body (errors included) as the committed document declares them, checked with ajv; plus
 * version projection both ways, driven by the model.
 */
import { expect } from 'chai';
import type { Json, JsonObject } from '../../rp/api/derive.js';
import { treePaths, type TypeModel } from '../../rp/api/model.js';
import { Normaliser, RECORDED_HEADERS, walk, type Reply, type Target } from '../../rp/api/example-scenario.js';
import type { OpenApiDocument, Operation, Schema } from '../../rp/api/openapi.js';
import { addExampleSubscription } from '../../rp/api/record-examples.js';
import { bareMetalMachineDef, clusterDef, clusterManagerDef, storageApplianceDef } from '../../rp/api/registry.js';
import type { Field } from '../../rp/api/schema.js';
import { API_VERSIONS, atLeast, LATEST_STABLE, VERSION_FEATURES, type ApiVersion } from '../../rp/api/versions.js';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, startEmulator, type Client, type Reply as HttpReply, type Running } from '../helpers/emulator.js';
import { committedSpec, operations, ResponseValidator } from './spec-tools.js';

interface Checked {
  doc: OpenApiDocument;
  validator: ResponseValidator;
}

const specs = new Map<ApiVersion, Checked>(API_VERSIONS.map((v) => {
  const doc = committedSpec(v);
  return [v, { doc, validator: new ResponseValidator(doc) }];
}));

/** The operation of `doc` that serves `verb url`, matched against the path templates as ARM does (case-insensitively). */
function operationFor(doc: OpenApiDocument, verb: string, url: string): Operation | undefined {
  const pathname = new URL(url, 'https://x/').pathname;
  const found = operations(doc).find((o) => o.verb === verb.toLowerCase() && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`, 'i').test(pathname));
  return found?.op;
}

/** What in a reply the spec does not declare, as sentences; empty when the reply conforms. */
function conformance(v: ApiVersion, op: Operation | undefined, what: string, reply: Reply): string[] {
  if (!op) return [`${what}: no operation of the ${v} spec serves it`];
  const { validator } = specs.get(v)!;
  const declared = op.responses[String(reply.status)] as Schema | undefined;
  const response = declared ?? (reply.status >= 400 ? (op.responses.default as Schema) : undefined);
  const at = `${v} ${op.operationId} ${reply.status}`;
  if (!response) return [`${at}: status not declared (declared: ${Object.keys(op.responses).join(', ')})`];
  const problems: string[] = [];
  if (response.schema) problems.push(...validator.check(response.schema as Schema, reply.body).map((p) => `${at}: ${p}`));
  else if (reply.body !== undefined) problems.push(`${at}: a body where the spec declares none`);
  if (declared) {
    const headers = (response.headers ?? {}) as Record<string, Schema>;
    for (const h of RECORDED_HEADERS) {
      const present = reply.headers[h.toLowerCase()] !== undefined;
      // Retry-After on an operation status is only sent while the operation runs.
      const optional = op.operationId === 'OperationStatuses_Get' && h === 'Retry-After';
      if (present && !headers[h]) problems.push(`${at}: header ${h} sent but not declared`);
      if (!present && headers[h] && !optional) problems.push(`${at}: header ${h} declared but not sent`);
      if (present && headers[h]?.type === 'integer' && !/^\d+$/.test(String(reply.headers[h.toLowerCase()]))) problems.push(`${at}: header ${h} is not an integer`);
    }
  }
  return problems;
}

const check = (v: ApiVersion, verb: string, url: string, reply: Reply) => conformance(v, operationFor(specs.get(v)!.doc, verb, url), `${verb} ${url}`, reply);

/**
 * The paths of a body, walked along the model's tree (array items and map keys add no segment);
 * members the tree lacks entirely are reported as 'unknown:<path>'.
 */
function bodyPaths(field: Field, value: Json | undefined, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (field.type === 'array') return Array.isArray(value) ? value.flatMap((item) => bodyPaths(field.items!, item, prefix)) : [];
  if (field.type === 'map') return Object.values(value).flatMap((item) => bodyPaths(field.values!, item as Json, prefix));
  return Object.entries(value as JsonObject).flatMap(([key, child]) => {
    const p = prefix ? `${prefix}.${key}` : key;
    const f = field.fields?.[key];
    return f ? [p, ...bodyPaths(f, child, p)] : [`unknown:${p}`];
  });
}

/** A value of the field's type, for sending a member a version does not have. */
const sample = (f: Field): Json => (f.type === 'object' || f.type === 'map' ? {} : f.type === 'array' ? [] : f.type === 'string' ? 'x' : f.type === 'boolean' ? true : 1);

async function pollAll(client: Client, v: ApiVersion, url: string, problems: string[]): Promise<HttpReply> {
  const statusUrl = url.includes('/operationStatuses/');
  for (let i = 0; i < 200; i++) {
    const r = await client.get(url);
    problems.push(...check(v, 'get', url, r));
    const running = statusUrl ? r.body?.status === 'InProgress' : r.status === 202;
    if (!running) return r;
    await new Promise((res) => setTimeout(res, 40));
  }
  throw new Error(`${url} did not finish`);
}

describe('contract: the server answers as specs/ declares', function () {
  let run: Running;
  let client: Client;
  let sub: string;
  let demoRg: string;
  let mrg: string;
  let cmLocation: { name: string; type: string };

  before(async () => {
    run = await startEmulator({ demo: true });
    client = run.client;
    await addExampleSubscription(run.emu);
    sub = client.info.subscriptionId;
    demoRg = run.emu.demo!.clusterId.split('/')[4];
    mrg = run.emu.demo!.managedResourceGroup;
    cmLocation = (await client.get(`${run.emu.demo!.clusterManagerId}?api-version=${LATEST_STABLE}`)).body.properties.managerExtendedLocation;
  });
  after(() => run.stop());

  describe('every operation at every api-version, with both status URLs of every long-running one', () => {
    for (const v of API_VERSIONS) {
      it(v, async () => {
        const target: Target = { endpoint: client.endpoint, send: (method, p, body, headers) => client.send(method, p, body, { headers }) };
        const problems: string[] = [];
        const seen = new Set<string>();
        for await (const x of walk(target, v, new Normaliser(client.endpoint))) {
          seen.add(x.operationId);
          const op = operations(specs.get(v)!.doc).find((o) => o.op.operationId === x.operationId)!.op;
          problems.push(...conformance(v, op, x.operationId, x.raw));
          for (const h of ['azure-asyncoperation', 'location']) {
            const url = x.raw.headers[h];
            if (typeof url === 'string') problems.push(...check(v, 'get', url, await client.get(url)));
          }
        }
        expect(problems).to.deep.equal([]);
        expect(seen.size).to.equal(operations(specs.get(v)!.doc).length);
      });
    }
  });

  describe('PUT of an existing cluster manager replaces it with 200', () => {
    for (const v of API_VERSIONS) {
      it(v, async () => {
        const url = `${ncPath(sub, demoRg, 'clusterManagers', `replace-cm-${API_VERSIONS.indexOf(v)}`)}?api-version=${v}`;
        const created = await client.put(url, clusterManagerBody(sub, demoRg));
        const replaced = await client.put(url, clusterManagerBody(sub, demoRg, { tags: { replaced: 'yes' } }));
        expect([created.status, replaced.status, replaced.body.tags]).to.deep.equal([201, 200, { replaced: 'yes' }]);
        expect([...check(v, 'put', url, created), ...check(v, 'put', url, replaced)]).to.deep.equal([]);
        expect((await client.delete(url)).status).to.equal(202);
      });
    }
  });

  describe('errors are ErrorResponses with ARM codes', () => {
    for (const v of API_VERSIONS) {
      it(v, async () => {
        const problems: string[] = [];
        const send = async (verb: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
          const r = await client.send(verb, url, body, { headers });
          problems.push(...check(v, verb, url, r));
          return r;
        };
        const cluster = (name: string) => `${ncPath(sub, demoRg, 'clusters', name)}?api-version=${v}`;
        const valid = clusterBody(sub, demoRg, cmLocation);

        const missing = await send('GET', cluster('no-such-cluster'));
        expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'ResourceNotFound']);
        const unknown = await send('PUT', cluster(`err-${v.slice(0, 4)}`), { ...valid, properties: { ...valid.properties, bogus: 1 } });
        expect([unknown.status, unknown.body.error.code, unknown.body.error.target]).to.deep.equal([400, 'InvalidRequestContent', 'properties.bogus']);
        const wrongType = await send('PUT', cluster('err-type'), { ...valid, properties: { ...valid.properties, clusterVersion: 5 } });
        expect([wrongType.status, wrongType.body.error.target]).to.deep.equal([400, 'properties.clusterVersion']);
        const { clusterVersion: _dropped, ...withoutVersion } = valid.properties;
        const required = await send('PUT', cluster('err-required'), { ...valid, properties: withoutVersion });
        expect([required.status, required.body.error.target]).to.deep.equal([400, 'properties.clusterVersion']);
        const badName = await send('PUT', cluster('bad.name'), valid);
        expect([badName.status, badName.body.error.code]).to.deep.equal([400, 'InvalidResourceName']);
        const machine = `${run.emu.demo!.bareMetalMachineIds[0]}?api-version=${v}`;
        const notPatchable = await send('PATCH', machine, { properties: { serialNumber: 'NEW' } });
        expect([notPatchable.status, notPatchable.body.error.target]).to.deep.equal([400, 'properties.serialNumber']);
        const rejected = await send('DELETE', machine);
        expect([rejected.status, rejected.body.error.code]).to.deep.equal([400, 'OperationNotAllowed']);

        const manager = `${run.emu.demo!.clusterManagerId}?api-version=${v}`;
        const stale = await send('PATCH', manager, { tags: { environment: 'demo' } }, { 'If-Match': '"stale"' });
        if (atLeast(v, VERSION_FEATURES.etag)) expect([stale.status, stale.body.error.code]).to.deep.equal([412, 'PreconditionFailed']);
        else expect(stale.status, 'If-Match is ignored before 2025-02-01').to.equal(200);

        // A long-running operation that fails: both status URLs report it as declared.
        const twins = clusterBody(sub, demoRg, cmLocation);
        for (const m of twins.properties.aggregatorOrSingleRackDefinition.bareMetalMachineConfigurationData) Object.assign(m, { machineName: 'twin' });
        const twinsUrl = cluster(`twins-${API_VERSIONS.indexOf(v)}`);
        expect((await send('PUT', twinsUrl, twins)).status).to.equal(201);
        const deploy = await send('POST', twinsUrl.replace('?', '/deploy?'), {});
        const outcome = await send('GET', deploy.headers.location as string);
        expect([outcome.status, outcome.body.error.code]).to.deep.equal([400, 'DuplicateMachineName']);
        const status = await send('GET', (deploy.headers.location as string).replace('/operationResults/', '/operationStatuses/'));
        expect([status.status, status.body.status, status.body.error.code]).to.deep.equal([200, 'Failed', 'DuplicateMachineName']);
        expect((await send('DELETE', twinsUrl)).status).to.equal(202);

        const noVersion = await client.get(run.emu.demo!.clusterId);
        const oldVersion = await client.get(`${run.emu.demo!.clusterId}?api-version=2020-01-01`);
        for (const r of [noVersion, oldVersion]) problems.push(...conformance(v, operationFor(specs.get(v)!.doc, 'get', cluster('x')), 'bad api-version', r));
        expect([noVersion.status, noVersion.body.error.code, oldVersion.status]).to.deep.equal([400, 'MissingApiVersionParameter', 400]);
        expect(problems).to.deep.equal([]);
      });
    }
  });

  describe('paging: nextLink at every version, $top from 2025-07-01-preview', () => {
    for (const v of API_VERSIONS) {
      it(v, async () => {
        const problems: string[] = [];
        const all: string[] = [];
        let url: string | undefined = `${rgPath(sub, mrg)}/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=${v}&$top=2`;
        const pageSize = run.emu.pageSize;
        run.emu.pageSize = 4;
        try {
          while (url) {
            const r: HttpReply = await client.get(url);
            problems.push(...check(v, 'get', url, r));
            all.push(...r.body.value.map((m: { id: string }) => m.id));
            expect(r.body.value.length).to.be.at.most(atLeast(v, VERSION_FEATURES.listPaging) ? 2 : 4);
            url = r.body.nextLink;
          }
        } finally {
          run.emu.pageSize = pageSize;
        }
        expect(all).to.deep.equal(run.emu.demo!.bareMetalMachineIds);
        expect(problems).to.deep.equal([]);
      });
    }
  });

  describe('version projection, both ways', () => {
    for (const v of API_VERSIONS) {
      it(`${v}: a reply never shows a path the model lacks at this version`, async () => {
        const demo = run.emu.demo!;
        const ids: [TypeModel, string][] = [
          [clusterManagerDef, demo.clusterManagerId], [clusterDef, demo.clusterId],
          ...demo.bareMetalMachineIds.map((id): [TypeModel, string] => [bareMetalMachineDef, id]),
          ...demo.storageApplianceIds.map((id): [TypeModel, string] => [storageApplianceDef, id]),
        ];
        for (const [def, id] of ids) {
          const allowed = new Set(def.require(v).paths());
          const r = await client.get(`${id}?api-version=${v}`);
          const extra = bodyPaths(def.hub, r.body).filter((p) => !allowed.has(p));
          expect(extra, `${def.type} at ${v}`).to.deep.equal([]);
        }
      });

      it(`${v}: a PUT or PATCH carrying a member this version lacks is refused with 400 naming it`, async () => {
        // Members of other versions (the hub) that v neither shows nor takes.
        const newer = (def: TypeModel) => {
          const at = def.require(v);
          const here = new Set([...at.paths(), ...(at.put ? treePaths(at.put) : [])]);
          const top = def.hub.fields!;
          const candidates: [string, Field][] = [
            ...Object.entries(top),
            ...Object.entries(top.properties.fields!).map(([k, f]): [string, Field] => [`properties.${k}`, f]),
          ];
          return candidates.filter(([p]) => !here.has(p));
        };
        const put = (_def: TypeModel, base: JsonObject, p: string, f: Field): JsonObject =>
          p.startsWith('properties.') ? { ...base, properties: { ...(base.properties as JsonObject), [p.slice(11)]: sample(f) } } : { ...base, [p]: sample(f) };
        const cases: [string, string, JsonObject, string][] = [];
        for (const [p, f] of newer(clusterManagerDef)) cases.push(['PUT', ncPath(sub, demoRg, 'clusterManagers', 'proj-cm'), put(clusterManagerDef, clusterManagerBody(sub, demoRg), p, f), p]);
        for (const [p, f] of newer(clusterDef)) {
          cases.push(['PUT', ncPath(sub, demoRg, 'clusters', 'proj-cluster'), put(clusterDef, clusterBody(sub, demoRg, cmLocation) as unknown as JsonObject, p, f), p]);
          const patchable = clusterDef.versions.some((x) => treePaths(clusterDef.require(x).patch ?? { type: 'object' }).includes(p));
          if (patchable) cases.push(['PATCH', run.emu.demo!.clusterId, put(clusterDef, {}, p, f), p]);
        }
        for (const [p, f] of newer(bareMetalMachineDef)) cases.push(['PATCH', run.emu.demo!.bareMetalMachineIds[0], put(bareMetalMachineDef, {}, p, f), p]);
        for (const [verb, url, body, p] of cases) {
          const r = await client.send(verb, `${url}?api-version=${v}`, body);
          expect([r.status, r.body?.error?.target], `${verb} ${p} at ${v}`).to.deep.equal([400, p]);
          expect(check(v, verb, url, r)).to.deep.equal([]);
        }
        if (v === '2024-07-01') expect(cases.map((c) => c[3])).to.include('properties.secretArchiveSettings');
        if (v === '2023-07-01') expect(cases.map((c) => c[3])).to.include('identity');
      });

      it(`${v}: caCertificate ${atLeast(v, '2025-07-01-preview') ? 'is shown' : 'is absent'}, secrets are never returned, etag only from 2025-02-01`, async () => {
        const demo = run.emu.demo!;
        for (const id of [...demo.bareMetalMachineIds, ...demo.storageApplianceIds]) {
          const r = await client.get(`${id}?api-version=${v}`);
          if (atLeast(v, '2025-07-01-preview')) expect(r.body.properties.caCertificate).to.have.keys('value', 'hash');
          else expect(r.body.properties).to.not.have.property('caCertificate');
          expect(r.text).to.not.match(/password/i);
          expect(r.body.etag === undefined && r.headers.etag === undefined).to.equal(!atLeast(v, VERSION_FEATURES.etag));
        }
        const c = await client.get(`${demo.clusterId}?api-version=${v}`);
        expect(c.text).to.not.match(/password/i);
      });

      it(`${v}: read-only input is ignored`, async () => {
        const url = `${ncPath(sub, demoRg, 'clusters', `ro-${API_VERSIONS.indexOf(v)}`)}?api-version=${v}`;
        const body = clusterBody(sub, demoRg, cmLocation) as unknown as JsonObject;
        const sneaky = { ...body, id: '/subscriptions/x', name: 'other', type: 'Other/type', properties: { ...(body.properties as JsonObject), detailedStatus: 'Running', manualActionCount: 99, clusterManagerId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.NetworkCloud/clusterManagers/z' } };
        const r = await client.put(url, sneaky);
        expect(r.status, r.text).to.equal(201);
        expect(check(v, 'put', url, r)).to.deep.equal([]);
        expect([r.body.name, r.body.type, r.body.properties.detailedStatus, r.body.properties.manualActionCount]).to.deep.equal([`ro-${API_VERSIONS.indexOf(v)}`, 'Microsoft.NetworkCloud/clusters', 'PendingDeployment', 0]);
        const replaced = await client.put(url, { ...body, tags: { replaced: 'yes' } });
        expect([replaced.status, replaced.body.tags]).to.deep.equal([200, { replaced: 'yes' }]);
        expect(check(v, 'put', url, replaced)).to.deep.equal([]);
        const machine = `${run.emu.demo!.bareMetalMachineIds[1]}?api-version=${v}`;
        const patched = await client.patch(machine, { properties: { machineDetails: `patched at ${v}`, powerState: 'Off' } });
        expect(patched.status, patched.text).to.equal(200);
        expect((await client.get(machine)).body.properties).to.include({ machineDetails: `patched at ${v}`, powerState: 'On' });
        expect((await client.delete(url)).status).to.equal(202);
      });
    }
  });
});

describe('contract: long-running operations that take time, polled to the end', function () {
  let run: Running;
  let client: Client;
  let sub: string;
  const results = new Map<ApiVersion, Promise<string[]>>();

  /** PUT, PATCH, POST and DELETE at version v, every reply and every poll checked against the spec. */
  async function lifecycle(v: ApiVersion, i: number): Promise<string[]> {
    const problems: string[] = [];
    const send = async (verb: string, url: string, body?: unknown) => {
      const r = await client.send(verb, url, body);
      problems.push(...check(v, verb, url, r));
      return r;
    };
    const rg = 'lro-rg';
    const cmUrl = `${ncPath(sub, rg, 'clusterManagers', `lro-cm-${i}`)}?api-version=${v}`;
    const clusterUrl = `${ncPath(sub, rg, 'clusters', `lro-cluster-${i}`)}?api-version=${v}`;

    const cm = await send('PUT', cmUrl, clusterManagerBody(sub, rg));
    expect([cm.status, cm.body.properties.provisioningState]).to.deep.equal([201, 'Accepted']);
    const cmDone = await pollAll(client, v, cm.headers['azure-asyncoperation'] as string, problems);
    expect(cmDone.body.status).to.equal('Succeeded');

    const created = await send('PUT', clusterUrl, clusterBody(sub, rg, (await client.get(cmUrl)).body.properties.managerExtendedLocation));
    expect(created.status).to.equal(201);
    const first = await client.get(created.headers['azure-asyncoperation'] as string);
    expect([first.body.status, first.headers['retry-after']]).to.deep.equal(['InProgress', '1']);
    await pollAll(client, v, created.headers['azure-asyncoperation'] as string, problems);

    const patched = await send('PATCH', clusterUrl, { tags: { step: 'patched' } });
    expect(patched.status).to.equal(202);
    const patchDone = await pollAll(client, v, patched.headers.location as string, problems);
    // A PATCH's Location ends in the patched resource.
    expect([patchDone.status, patchDone.body.properties.provisioningState]).to.deep.equal([200, 'Succeeded']);
    expect(patchDone.body.tags).to.deep.equal({ step: 'patched' });
    expect((await client.get(clusterUrl)).body.tags).to.deep.equal({ step: 'patched' });

    // An action of the cluster (updateVersion needs a deployed cluster; its rolling update is in test/rp/cluster-actions.test).
    const action = await send('POST', clusterUrl.replace('?', '/deploy?'), {});
    expect(action.status).to.equal(202);
    expect(action.headers['retry-after'] !== undefined).to.equal(clusterDef.require(v).action('deploy')!.acceptedHeaders.includes('Retry-After'));
    const actionDone = await pollAll(client, v, action.headers.location as string, problems);
    expect(actionDone.body.status).to.equal('Succeeded');
    expect((await client.get(clusterUrl)).body.properties.detailedStatus).to.equal('Running');

    for (const url of [clusterUrl, cmUrl]) {
      const deleted = await send('DELETE', url);
      expect(deleted.status).to.equal(202);
      const gone = await pollAll(client, v, deleted.headers.location as string, problems);
      expect([gone.status, gone.body.status]).to.deep.equal([200, 'Succeeded']);
      expect((await send('GET', url)).status).to.equal(404);
      expect((await send('DELETE', url)).status).to.equal(204);
    }
    return problems;
  }

  before(async () => {
    run = await startEmulator({ operationDurationMs: 250 });
    client = run.client;
    sub = client.info.subscriptionId;
    await client.put(`${rgPath(sub, 'lro-rg')}?api-version=2021-04-01`, { location: 'eastus' });
    // The versions run side by side; each test below awaits its own.
    API_VERSIONS.forEach((v, i) => {
      const p = lifecycle(v, i);
      p.catch(() => undefined);
      results.set(v, p);
    });
  });
  after(() => run.stop());

  for (const v of API_VERSIONS) {
    it(`${v}: PUT, PATCH, POST and DELETE run, poll (Azure-AsyncOperation and Location) and finish as declared`, async () => {
      expect(await results.get(v)!).to.deep.equal([]);
    });
  }
});
