/**
 * Crash consistency by construction: the real server is killed at EVERY fdatasync of a PATCH, of
 * an action and of a deploy (strace's fault injection: the Nth fdatasync gets SIGKILL instead of
 * running). After each kill the emulator restarts on the same data folder, and:
 * - what was acknowledged is there (an accepted PATCH's tags, an accepted action's effect);
 * - no resource stays busy: PATCH succeeds and finishes, actions are accepted, a deploy that never
 *   finished can be deployed again (no 409 AnotherOperationInProgress / ClusterAlreadyDeployed).
 *
 * strace attaches to the running emulator (after its start), so N counts only the scenario's
 * fdatasyncs. Each scenario runs N = 1, 2, ... until a run finishes without being killed. strace
 * counts calls per thread, so the emulator runs with one libuv worker thread (UV_THREADPOOL_SIZE=1):
 * every fdatasync is then made by the same thread and N really is the Nth of the scenario.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterBody, clusterManagerBody } from '../helpers/bodies.js';
import { ncPath, rgPath, spawnEmulator, type Client, type Reply, type Spawned } from '../helpers/emulator.js';

const STRACE = '/usr/bin/strace';
const V = '2025-09-01';
const ARGS = ['--seed', 'none', '--operation-duration', '300ms'];
const RG = 'crash-rg';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why strace fault injection cannot run here, or undefined when it can. */
function straceProblem(): string | undefined {
  if (!existsSync(STRACE)) return `${STRACE} is not installed`;
  const probe = spawnSync(STRACE, ['-f', '-qq', '-e', 'trace=fdatasync', '-e', 'inject=fdatasync:error=EIO:when=1', '-o', '/dev/null', 'true']);
  if (probe.status !== 0) return `strace cannot trace here: ${probe.stderr.toString().trim()}`;
  return undefined;
}

/** Attaches strace to pid so that its `n`th fdatasync is replaced by SIGKILL; resolves once attached. */
async function armKill(pid: number, n: number): Promise<{ detach(): Promise<void> }> {
  const tracer = spawn(STRACE, ['-f', '-p', String(pid), '-e', 'trace=fdatasync', '-e', `inject=fdatasync:signal=KILL:when=${n}`, '-o', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<void>((resolve) => tracer.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`strace did not attach: ${err}`)), 10_000);
    tracer.stderr!.on('data', (d) => {
      err += d;
      if (/attached/.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
    tracer.once('exit', () => reject(new Error(`strace exited before attaching: ${err}`)));
  });
  // strace reports the first thread before it has seized them all: give it a moment.
  await sleep(300);
  return {
    async detach() {
      if (tracer.exitCode === null && tracer.signalCode === null) tracer.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls until the resource shows no transitional state (a resumed operation may still be finishing). */
async function settled(client: Client, url: string): Promise<Reply> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await client.get(url);
    const p = r.body?.properties ?? {};
    if (r.status !== 200 || (!['Accepted', 'Updating', 'Provisioning'].includes(p.provisioningState) && p.detailedStatus !== 'Deploying')) return r;
    if (Date.now() > deadline) throw new Error(`${url} stayed busy: ${r.text}`);
    await sleep(100);
  }
}

/** An acknowledged reply from before the restart, with its status URLs pointed at the new instance. */
function rebased(reply: Reply, client: Client): Reply {
  const headers = { ...reply.headers };
  for (const h of ['azure-asyncoperation', 'location']) {
    const url = headers[h];
    if (typeof url === 'string') headers[h] = new URL(new URL(url).pathname + new URL(url).search, client.endpoint).toString();
  }
  return { ...reply, headers };
}

interface Acts {
  /** Acknowledgements received before the kill (the test asserts on them after the restart). */
  acked: Record<string, Reply>;
}

interface Scenario {
  name: string;
  /** Sends the requests and follows them to the end; throws when the emulator dies under it. */
  act(client: Client, sub: string, acts: Acts): Promise<void>;
  /** After the restart: acknowledged effects are there and every resource can be written again. */
  verify(client: Client, sub: string, acts: Acts): Promise<void>;
}

const clusterUrl = (sub: string) => `${ncPath(sub, RG, 'clusters', 'c1')}?api-version=${V}`;
const managerUrl = (sub: string) => `${ncPath(sub, RG, 'clusterManagers', 'cm1')}?api-version=${V}`;

/** The write-again checks every scenario ends with. */
async function writableAgain(client: Client, sub: string, marker: string): Promise<void> {
  for (const url of [clusterUrl(sub), managerUrl(sub)]) {
    await settled(client, url);
    const patch = await client.patch(url, { tags: { after: marker } });
    expect(patch.status, `PATCH ${url} after restart: ${patch.text}`).to.be.oneOf([200, 202]);
    const done = await client.poll(patch);
    if (patch.status === 202) expect(done.body.status, done.text).to.equal('Succeeded');
    const got = await settled(client, url);
    expect(got.body.tags.after).to.equal(marker);
    expect(got.body.properties.provisioningState).to.equal('Succeeded');
  }
}

const SCENARIOS: Scenario[] = [
  {
    name: 'PATCH',
    async act(client, sub, acts) {
      const r = await client.patch(clusterUrl(sub), { tags: { env: 'patched' } });
      expect(r.status, r.text).to.equal(202);
      acts.acked.patch = r;
      const done = await client.poll(r);
      expect(done.body.status).to.equal('Succeeded');
    },
    async verify(client, sub, acts) {
      const got = await settled(client, clusterUrl(sub));
      if (acts.acked.patch) {
        expect(got.body.tags, 'an acknowledged PATCH was lost').to.deep.equal({ env: 'patched' });
        const op = await client.poll(rebased(acts.acked.patch, client));
        expect(op.body.status, op.text).to.equal('Succeeded');
      }
      const action = await client.post(clusterUrl(sub).replace('?', '/scanRuntime?'), { scanActivity: 'Scan' });
      expect(action.status, action.text).to.equal(202);
      expect((await client.poll(action)).status).to.equal(200);
      await writableAgain(client, sub, 'patch');
    },
  },
  {
    // An action with an effect on an undeployed cluster (updateVersion needs a deployed one).
    name: 'action (scanRuntime)',
    async act(client, sub, acts) {
      const r = await client.post(clusterUrl(sub).replace('?', '/scanRuntime?'), { scanActivity: 'Scan' });
      expect(r.status, r.text).to.equal(202);
      acts.acked.action = r;
      const done = await client.poll(r);
      expect(done.status, done.text).to.equal(200);
    },
    async verify(client, sub, acts) {
      if (acts.acked.action) {
        // Accepted before the kill: it is resumed after the restart and takes effect.
        const done = await client.poll(rebased(acts.acked.action, client));
        expect(done.status, done.text).to.equal(200);
        const states = (await settled(client, clusterUrl(sub))).body.properties.actionStates;
        expect(states[0]).to.include({ actionType: 'Microsoft.NetworkCloud/clusters/scanRuntime/action', correlationId: done.body.name });
      }
      const again = await client.post(clusterUrl(sub).replace('?', '/scanRuntime?'), { scanActivity: 'Skip' });
      expect(again.status, again.text).to.equal(202);
      expect((await client.poll(again)).status).to.equal(200);
      await writableAgain(client, sub, 'action');
    },
  },
  {
    name: 'deploy',
    async act(client, sub, acts) {
      const r = await client.post(clusterUrl(sub).replace('?', '/deploy?'), {});
      expect(r.status, r.text).to.equal(202);
      acts.acked.deploy = r;
      const done = await client.poll(r);
      expect(done.status, done.text).to.equal(200);
    },
    async verify(client, sub, acts) {
      let cluster = await settled(client, clusterUrl(sub));
      if (acts.acked.deploy) {
        const done = await client.poll(rebased(acts.acked.deploy, client));
        expect(done.status, `an acknowledged deploy did not finish after the restart: ${done.text}`).to.equal(200);
        cluster = await settled(client, clusterUrl(sub));
        expect(cluster.body.properties.detailedStatus).to.equal('Running');
      }
      if (cluster.body.properties.detailedStatus !== 'Running') {
        // Never finished: it may be deployed again (no ClusterAlreadyDeployed for good).
        const again = await client.post(clusterUrl(sub).replace('?', '/deploy?'), {});
        expect(again.status, again.text).to.equal(202);
        expect((await client.poll(again)).status).to.equal(200);
        cluster = await settled(client, clusterUrl(sub));
      }
      expect(cluster.body.properties.detailedStatus).to.equal('Running');
      const machine = await client.get(`${ncPath(sub, 'c1-mrg', 'bareMetalMachines', 'r01c001')}?api-version=${V}`);
      expect(machine.status, machine.text).to.equal(200);
      // Exactly one set of platform resources, whatever the kill point.
      const list = await client.get(`${rgPath(sub, 'c1-mrg')}/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=${V}`);
      expect(list.body.value.map((m: { name: string }) => m.name)).to.deep.equal(['r01c001', 'r01c002']);
      await writableAgain(client, sub, 'deploy');
    },
  },
];

describe('kill -9 at every fdatasync (strace fault injection)', function () {
  this.timeout(540_000);
  let template: string;
  let sub: string;
  const figures: string[] = [];

  const savedPool = process.env.UV_THREADPOOL_SIZE;
  before(async function () {
    process.env.UV_THREADPOOL_SIZE = '1';
    const problem = straceProblem();
    if (problem) {
      if (process.env.CI === 'true') throw new Error(`CI needs strace fault injection: ${problem} (.ci/run installs strace)`);
      console.log(`      skipped: ${problem}`);
      this.skip();
    }
    // One prepared data folder (group, manager, cluster with two machines), copied for every kill point.
    const emu = await spawnEmulator(ARGS);
    template = emu.dataDir;
    sub = emu.client.info.subscriptionId;
    try {
      expect((await emu.client.put(`${rgPath(sub, RG)}?api-version=2021-04-01`, { location: 'eastus' })).status).to.equal(201);
      const cm = await emu.client.put(managerUrl(sub), clusterManagerBody(sub, RG));
      expect(cm.status, cm.text).to.equal(201);
      await emu.client.poll(cm);
      const manager = await settled(emu.client, managerUrl(sub));
      const c = await emu.client.put(clusterUrl(sub), clusterBody(sub, RG, manager.body.properties.managerExtendedLocation, { machines: 2, appliances: 0, mrg: 'c1-mrg' }));
      expect(c.status, c.text).to.equal(201);
      await emu.client.poll(c);
      expect((await settled(emu.client, clusterUrl(sub))).body.properties.provisioningState).to.equal('Succeeded');
    } finally {
      expect(await emu.stop()).to.equal(0);
    }
  });

  after(() => {
    if (savedPool === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = savedPool;
    if (figures.length) console.log(figures.map((f) => `      ${f}`).join('\n'));
    if (template) rmSync(template, { recursive: true, force: true });
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: after a kill at any of its fdatasyncs, nothing acknowledged is lost and everything can be written again`, async () => {
      const started = Date.now();
      let killPoints = 0;
      for (let n = 1; n <= 20; n++) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'nce-kill-'));
        cpSync(template, dir, { recursive: true });
        rmSync(path.join(dir, 'emulator.json'), { force: true });
        let emu: Spawned | undefined = await spawnEmulator(ARGS, dir);
        const acts: Acts = { acked: {} };
        try {
          const tracer = await armKill(emu.child.pid!, n);
          let died = false;
          try {
            await scenario.act(emu.client, sub, acts);
          } catch (e) {
            died = true;
            void e;
          }
          // A kill after the last acknowledged response (an operation's completion) shows once it has landed.
          if (!died) await sleep(500);
          const exit = await Promise.race([new Promise((r) => emu!.child.once('exit', (_c, s) => r(s))), sleep(died ? 5_000 : 0).then(() => null)]);
          const killed = emu.child.signalCode === 'SIGKILL' || exit === 'SIGKILL';
          await tracer.detach();
          if (!killed) {
            expect(died, `the ${scenario.name} failed without a kill:\n${emu.output()}`).to.equal(false);
            // The scenario ran to its end: n-1 fdatasyncs were all the kill points there are.
            killPoints = n - 1;
            try {
              await scenario.verify(emu.client, sub, acts);
            } catch (e) {
              throw new Error(`unkilled run (n=${n}): ${(e as Error).message}\n${emu.output()}`);
            }
            break;
          }
          killPoints = n;
          emu = await spawnEmulator(ARGS, dir);
          try {
            await scenario.verify(emu.client, sub, acts);
          } catch (e) {
            throw new Error(`after a kill at fdatasync ${n} (acknowledged: ${Object.keys(acts.acked).join(', ') || 'nothing'}): ${(e as Error).message}\n${emu.output()}`);
          }
        } finally {
          await emu?.stop('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        }
        if (n === 20) throw new Error('more than 19 fdatasyncs: the scenario never finished unkilled');
      }
      expect(killPoints, 'the scenario made no fdatasync at all').to.be.greaterThan(0);
      figures.push(`${scenario.name}: ${killPoints} kill point(s), ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
});
