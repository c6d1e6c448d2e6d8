/**
 * One running emulator: its configuration, clock, store, identity provider, operation engine and
 * HTTPS server. Everything a handler needs hangs off this object.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile, chmod } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { errors } from './arm/errors.js';
import type { Logger } from './arm/http.js';
import { KeyedLock, resourceLockKey } from './arm/locks.js';
import { Operations } from './arm/operations.js';
import { DEFAULT_PAGE_SIZE } from './arm/paging.js';
import { idKey, isValidResourceGroupName, parseResourceId, resourceGroupId, UUID } from './arm/resource-id.js';
import { Clock, isUsableOffset, LATEST_CLOCK_MS } from './clock.js';
import type { EmulatorConfig } from './config.js';
import { Faults } from './faults/engine.js';
import { ConnectionGuard, LISTEN_BACKLOG, serverOptions } from './connections.js';
import { PrincipalDirectory } from './identity/principals.js';
import { loadMsiSecret } from './identity/msi.js';
import { TokenService } from './identity/tokens.js';
import { ensureLocalCa } from './pki/local-ca.js';
import { resetSites, startSites, stopSites } from './pki/site.js';
import { resetLivePkiServices, startLivePkiServices, stopLivePkiServices } from './pki/live-services.js';
import { registerProviders, type ProviderRegistry } from './providers/registry.js';
import { RESOURCE_GROUPS, RESOURCES, SUBSCRIPTIONS, type StoredResource, type StoredResourceGroup, type StoredSubscription } from './providers/resource-store.js';
import { SecretRotation, secretResetOps } from './secrets/rotation.js';
import { ROLE_ASSIGNMENTS, type RoleAssignment } from './providers/authorization/rbac.js';
import { ROLE_IDS } from './providers/authorization/roles.js';
import { createHandler } from './server.js';
import { removeStoreFiles, Store, type StoreOp } from './store/store.js';
import { DataFolderLock } from './store/lock.js';
import { openSealer } from './secrets/at-rest.js';
import { repairInterrupted } from './providers/interrupted.js';
import type { DemoInfo, EmulatorHost, EmulatorMeta } from './host.js';

export type { DemoInfo, EmulatorMeta };

const META = 'meta';
const SECRETS = 'secrets';

export interface EmulatorInfo {
  endpoint: string;
  caCertFile: string | null;
  tenantId: string;
  subscriptionId: string;
  clientId: string;
  clientSecret: string;
  msiEndpoint: string;
  msiSecret: string;
  pid: number;
  demo?: DemoInfo;
}

export { resourceLockKey } from './arm/locks.js';

export class Emulator implements EmulatorHost {
  readonly clock: Clock;
  readonly operations: Operations;
  readonly principals: PrincipalDirectory;
  /** Serialises the check-then-write of each resource (see rp/arm/locks.ts). */
  readonly writeLock = new KeyedLock();
  /** Timeouts and connection caps, shared by the HTTPS port and every BMC/appliance listener (rp/connections.ts). */
  readonly connections: ConnectionGuard;
  providers!: ProviderRegistry;
  /** Fault rules (rp/faults/): injected errors, delays, drops, throttling and operation outcomes. */
  readonly faults: Faults;
  /** Credential rotation and the secret archive (rp/secrets/), driven by the clock. */
  rotation!: SecretRotation;
  tokens!: TokenService;
  msiSecret!: string;
  caCertPem!: string;
  caCertFile: string | null = null;
  server?: https.Server;
  port = 0;
  pageSize = DEFAULT_PAGE_SIZE;
  demo?: DemoInfo;
  private meta!: EmulatorMeta;
  /** This instance's hold on its data folder (none in memory). */
  private lock: DataFolderLock | null = null;

  private constructor(
    readonly config: EmulatorConfig,
    readonly store: Store,
    readonly log: Logger,
  ) {
    this.clock = new Clock(0);
    this.operations = new Operations(store, this.clock, config.operationDurationMs, (id, work) => this.writeLock.run(resourceLockKey(id), work), (line) => log.error(line));
    this.principals = new PrincipalDirectory(store);
    this.faults = new Faults({
      store, clock: this.clock, log,
      operation: (name) => this.operations.get(name),
      completeOperation: (name) => this.writeLock.run(resourceLockKey(this.operations.get(name)?.resourceId ?? name), () => this.operations.complete(name)),
    });
    this.operations.faults = this.faults.operationHooks();
    this.connections = new ConnectionGuard(config.connections, (line) => log.error(line));
  }

  /** Opens the data folder (or memory), loads or creates the emulator's identity and keys. */
  static async open(config: EmulatorConfig, log: Logger): Promise<Emulator> {
    const dataDir = path.resolve(config.dataDir);
    if (config.inMemory) {
      const emu = new Emulator(config, await Store.open(null), log);
      await emu.init();
      return emu;
    }
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // One owner per data folder: the lock comes before anything in it is read, reset or written.
    const lock = await DataFolderLock.acquire(dataDir);
    try {
      if (config.reset) {
        await removeStoreFiles(path.join(dataDir, 'db.json'));
        await rm(path.join(dataDir, 'emulator.json'), { force: true });
      }
      const store = await Store.open(path.join(dataDir, 'db.json'), await openSealer(dataDir));
      const emu = new Emulator(config, store, log);
      emu.lock = lock;
      await emu.init();
      return emu;
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  get dataDir(): string {
    return path.resolve(this.config.dataDir);
  }

  get tenantId(): string {
    return this.meta.tenantId;
  }

  get subscriptionId(): string {
    return this.meta.subscriptionId;
  }

  get seeded(): boolean {
    return this.meta.seeded;
  }

  /** The public base URL, with a trailing slash: https://localhost:PORT/ */
  get endpoint(): string {
    return `https://${this.config.publicHost}:${this.port}/`;
  }

  /** The local CA and serving certificate, begun while the store opens (see listen()). */
  private localCa?: ReturnType<typeof ensureLocalCa>;

  private loadLocalCa(): ReturnType<typeof ensureLocalCa> {
    const names = [this.config.publicHost, 'localhost'];
    const ips = ['127.0.0.1', '::1', this.config.host].filter((h) => /^[\d.:]+$/.test(h));
    return ensureLocalCa(this.config.inMemory ? null : path.join(this.dataDir, 'ca'), [...new Set(names)], [...new Set(ips)]);
  }

  private async init(): Promise<void> {
    this.localCa = this.loadLocalCa();
    this.localCa.catch(() => undefined);
    // On a first start the token signing key (RSA) is generated while the identity is made.
    const tokens = TokenService.open(this.store, { issuerOrigin: () => this.endpoint });
    tokens.catch(() => undefined);
    this.meta = this.store.get<EmulatorMeta>(META, 'emulator') ?? (await this.createIdentity());
    // The creation counter is not journaled on every use: after a crash, resume past the highest one stored.
    const seqs = [...this.store.list<{ seq?: number }>(RESOURCES), ...this.store.list<{ seq?: number }>(RESOURCE_GROUPS)].map((r) => r.seq ?? 0);
    this.meta.seq = Math.max(this.meta.seq, ...seqs);
    // The virtual clock survives restarts: it resumes as far ahead of the wall clock as it was.
    // A stored clock the emulator cannot run with (left by an older version) is repaired, and said so.
    let offset = this.meta.clockOffsetMs;
    if (!isUsableOffset(offset)) {
      const repaired = typeof offset === 'number' && offset > 0 ? Math.max(0, LATEST_CLOCK_MS - Date.now() - 1_000) : 0;
      this.log.error(
        `warning: the virtual clock stored in ${this.store.file ?? 'memory'} (offset ${String(offset)} ms) is beyond what the emulator can represent; ` +
          `it was set to ${new Date(Date.now() + repaired).toISOString()}.`,
      );
      offset = repaired;
      await this.saveMeta({ clockOffsetMs: offset });
    }
    await this.clock.advance(offset);
    // From here on, a new offset is durable before the clock shows it.
    this.clock.persistWith((clockOffsetMs) => this.saveMeta({ clockOffsetMs }));
    this.clock.reportErrorsTo((key, e) => this.log.error(`clock: scheduled event ${key} failed: ${(e as Error).message}`));
    this.clock.onChange(() => this.operations.prune().then(() => undefined));
    this.tokens = await tokens;
    this.msiSecret = await loadMsiSecret(this.store);
    this.demo = this.meta.demo;
    this.providers = registerProviders(this);
    this.rotation = new SecretRotation(this);
    this.clock.onChange(() => this.rotation.onClock());
    this.rotation.scheduleNext();
  }

  /** First start: a tenant, a subscription and the demo service principal. */
  private async createIdentity(): Promise<EmulatorMeta> {
    const tenantId = randomUUID();
    const subscriptionId = randomUUID();
    const { principal, clientSecret } = await this.principals.createServicePrincipal({ tenantId, displayName: 'networkcloud-emulator demo' });
    const secretStored = this.store.put(SECRETS, 'demoClientSecret', { value: clientSecret });
    const meta: EmulatorMeta = {
      tenantId,
      subscriptionId,
      demoPrincipalObjectId: principal.objectId,
      demoClientId: principal.appId,
      clockOffsetMs: 0,
      seq: 0,
      seeded: false,
    };
    // These share their journal appends (group commit); the meta record follows them.
    await Promise.all([
      secretStored,
      this.putSubscription({ subscriptionId, displayName: 'Operator Nexus emulator', tenantId, state: 'Enabled' }, principal.objectId),
      // The demo principal is the emulator's administrator: it may also manage role assignments at the tenant root.
      this.assignRole('/', ROLE_IDS.owner, principal.objectId, 'ServicePrincipal', 'The demo principal administers the emulator.'),
      this.assignRole('/', ROLE_IDS.emulatorAdministrator, principal.objectId, 'ServicePrincipal', 'The demo principal administers the emulator.'),
    ]);
    // Written last: a start interrupted before this point makes the identity again, never a half of it.
    await this.store.put(META, 'emulator', meta);
    return meta;
  }

  /** Grants a built-in or custom role at a scope (a role assignment as the RBAC API would store it). */
  async assignRole(scope: string, roleGuid: string, principalId: string, principalType: string, description?: string): Promise<void> {
    const now = new Date().toISOString();
    const name = randomUUID();
    const assignment: RoleAssignment = {
      name,
      scope,
      roleDefinitionId: `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
      principalId,
      principalType,
      description: description ?? null,
      condition: null,
      conditionVersion: null,
      createdOn: now,
      updatedOn: now,
      createdBy: null,
      updatedBy: null,
    };
    await this.store.put(ROLE_ASSIGNMENTS, name, assignment);
  }

  async saveMeta(changes: Partial<EmulatorMeta>): Promise<void> {
    this.meta = { ...this.meta, ...changes };
    await this.store.put(META, 'emulator', this.meta);
  }

  /** A number that only grows: the creation order of resources. */
  nextSeq(): number {
    this.meta.seq += 1;
    return this.meta.seq;
  }

  // ---------------------------------------------------------------- subscriptions and groups

  /** Creates or updates a subscription; a new one is owned by `ownerObjectId` when given (as its creator would be). */
  async putSubscription(sub: StoredSubscription, ownerObjectId?: string): Promise<void> {
    const isNew = !this.store.get(SUBSCRIPTIONS, sub.subscriptionId.toLowerCase());
    await this.store.put(SUBSCRIPTIONS, sub.subscriptionId.toLowerCase(), sub);
    if (isNew && ownerObjectId) await this.assignRole(`/subscriptions/${sub.subscriptionId}`, ROLE_IDS.owner, ownerObjectId, 'ServicePrincipal', 'The creator owns the subscription.');
  }

  requireSubscription(subscriptionId: string): StoredSubscription {
    if (!UUID.test(subscriptionId)) throw errors.invalidSubscriptionId(subscriptionId);
    const sub = this.store.get<StoredSubscription>(SUBSCRIPTIONS, subscriptionId.toLowerCase());
    if (!sub) throw errors.subscriptionNotFound(subscriptionId);
    return sub;
  }

  findResourceGroup(subscriptionId: string, name: string): StoredResourceGroup | undefined {
    return this.store.get<StoredResourceGroup>(RESOURCE_GROUPS, idKey(resourceGroupId(subscriptionId, name)));
  }

  requireResourceGroup(subscriptionId: string, name: string): StoredResourceGroup {
    if (!isValidResourceGroupName(name)) throw errors.invalidResourceGroupName(name);
    const group = this.findResourceGroup(subscriptionId, name);
    if (!group) throw errors.resourceGroupNotFound(name);
    return group;
  }

  /** Creates the group, or updates its tags; keeps its stored casing and location. */
  async putResourceGroup(subscriptionId: string, name: string, location: string, tags?: Record<string, string>, managedBy?: string): Promise<StoredResourceGroup> {
    const existing = this.findResourceGroup(subscriptionId, name);
    const sub = this.requireSubscription(subscriptionId);
    const group: StoredResourceGroup = existing
      ? { ...existing, tags: tags ?? existing.tags, managedBy: managedBy ?? existing.managedBy }
      : { id: resourceGroupId(sub.subscriptionId, name), subscriptionId: sub.subscriptionId, name, location, tags, managedBy, seq: this.nextSeq() };
    await this.store.put(RESOURCE_GROUPS, idKey(group.id), group);
    return group;
  }

  /** Deletes every resource in the group and, when asked, the group itself, in one durable write. */
  async deleteResourceGroupContents(group: StoredResourceGroup, deleteGroup: boolean): Promise<void> {
    const prefix = `${idKey(group.id)}/`;
    const doomed = this.store.entries<StoredResource>(RESOURCES).filter(([k]) => k.startsWith(prefix));
    const ops: StoreOp[] = doomed.map(([key]) => ({ op: 'delete' as const, collection: RESOURCES, key }));
    // What goes with them (a vault moves to deletedVaults, an identity's federated credentials go).
    ops.push(...this.providers.cascadeOps(doomed.map(([, r]) => r)));
    if (deleteGroup) ops.push({ op: 'delete', collection: RESOURCE_GROUPS, key: idKey(group.id) });
    await this.store.batch(ops);
  }

  /** Forgets every resource, group and operation; the tenant, subscriptions, principals and keys stay. */
  async reset(): Promise<void> {
    await this.operations.close();
    await this.store.batch([
      ...this.store.entries(RESOURCES).map(([key]) => ({ op: 'delete' as const, collection: RESOURCES, key })),
      ...this.store.entries(RESOURCE_GROUPS).map(([key]) => ({ op: 'delete' as const, collection: RESOURCE_GROUPS, key })),
      ...this.store.entries('operations').map(([key]) => ({ op: 'delete' as const, collection: 'operations', key })),
      ...this.store.entries('clusterPki').map(([key]) => ({ op: 'delete' as const, collection: 'clusterPki', key })),
      ...this.store.entries('clusterPkiKeys').map(([key]) => ({ op: 'delete' as const, collection: 'clusterPkiKeys', key })),
      ...secretResetOps(this.store),
      ...this.providers.resetOps(),
    ]);
    await resetSites(this);
    await resetLivePkiServices(this);
    // Role assignments go with the reset; the demo principal keeps owning the demo subscription.
    const demoScopes = new Set(this.store.list<RoleAssignment>(ROLE_ASSIGNMENTS).filter((a) => a.principalId === this.meta.demoPrincipalObjectId).map((a) => a.scope.toLowerCase()));
    if (!demoScopes.has(`/subscriptions/${this.subscriptionId}`.toLowerCase())) {
      await this.assignRole(`/subscriptions/${this.subscriptionId}`, ROLE_IDS.owner, this.meta.demoPrincipalObjectId, 'ServicePrincipal', 'The creator owns the subscription.');
    }
    if (!demoScopes.has('/')) await this.assignRole('/', ROLE_IDS.owner, this.meta.demoPrincipalObjectId, 'ServicePrincipal', 'The demo principal administers the emulator.');
    const demoAdmin = this.store.list<RoleAssignment>(ROLE_ASSIGNMENTS).some((a) => a.principalId === this.meta.demoPrincipalObjectId && a.scope === '/' && a.roleDefinitionId.toLowerCase().endsWith(ROLE_IDS.emulatorAdministrator));
    if (!demoAdmin) await this.assignRole('/', ROLE_IDS.emulatorAdministrator, this.meta.demoPrincipalObjectId, 'ServicePrincipal', 'The demo principal administers the emulator.');
    this.operations.reopen();
    this.demo = undefined;
    await this.saveMeta({ seeded: false, demo: undefined });
  }

  // ---------------------------------------------------------------- lifecycle

  async listen(): Promise<void> {
    const tls = await (this.localCa ?? this.loadLocalCa());
    this.localCa = undefined;
    this.caCertPem = tls.caCertPem;
    this.caCertFile = tls.caCertFile;
    if (!this.caCertFile) {
      // In-memory runs still publish the CA so clients can trust it; the folder holds no keys.
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      this.caCertFile = path.join(this.dataDir, 'ca.pem');
      await writeFile(this.caCertFile, tls.caCertPem, { mode: 0o644 });
    }
    const app = createHandler(this);
    const server = https.createServer(serverOptions(this.connections.limits, { cert: tls.serverCertPem, key: tls.serverKeyPem, maxHeaderSize: 32 * 1024 }), app);
    this.connections.attach(server, 'https');
    // Requests Node rejects before Express sees them (header floods, broken HTTP) still get an ARM-shaped answer.
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      // The headers or request timeout (rp/connections.ts) ran out: 408, as Node would say, in ARM's shape.
      const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const [status, reason, code, message] = timedOut
        ? [408, 'Request Timeout', 'RequestTimeout', 'The request was not received in time.']
        : tooLarge
          ? [431, 'Request Header Fields Too Large', 'RequestHeaderFieldsTooLarge', 'The request headers are too large.']
          : [400, 'Bad Request', 'BadRequest', 'The request is not valid HTTP.'];
      const body = JSON.stringify({ error: { code, message } });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.config.port, host: this.config.host, backlog: LISTEN_BACKLOG }, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    await this.lock?.setEndpoint(this.endpoint);
    // The clusters' BMC and storage endpoints listen again; the site scheduler follows the clock from here.
    await startSites(this);
    startLivePkiServices(this);
    // Operations left in flight resume; a resource left busy without one (older data) is freed.
    await this.operations.resume();
    await repairInterrupted(this.store, this.operations.busyResources(), this.clock.iso());
  }

  info(): EmulatorInfo {
    const secret = this.store.get<{ value: string }>(SECRETS, 'demoClientSecret');
    return {
      endpoint: this.endpoint,
      caCertFile: this.caCertFile,
      tenantId: this.tenantId,
      subscriptionId: this.subscriptionId,
      clientId: this.meta.demoClientId,
      clientSecret: secret?.value ?? '',
      msiEndpoint: `${this.endpoint}msi/token`,
      msiSecret: this.msiSecret,
      pid: process.pid,
      ...(this.demo ? { demo: this.demo } : {}),
    };
  }

  /** Writes <data-dir>/emulator.json (mode 0600) for scripts and the CLI. */
  async writeInfoFile(): Promise<string> {
    const file = path.join(this.dataDir, 'emulator.json');
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    // Written aside and renamed into place: whoever polls for the file never reads half of it.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.info(), null, 2) + '\n', { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
    return file;
  }

  get demoPrincipalObjectId(): string {
    return this.meta.demoPrincipalObjectId;
  }

  private readonly inFlight = new Set<Promise<unknown>>();

  /** Registers a request's work, so close() lets it finish (and reach the store) before the store closes. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  async close(): Promise<void> {
    // Stop taking requests, let those under way finish, then stop the engines and the store.
    if (this.server) {
      this.server.close();
      this.server.closeAllConnections();
    }
    this.faults.close();
    await Promise.allSettled([...this.inFlight]);
    await this.operations.close();
    await stopLivePkiServices(this);
    await stopSites(this);
    this.clock.stop();
    await this.store.close();
    await this.lock?.release();
    this.lock = null;
  }
}
