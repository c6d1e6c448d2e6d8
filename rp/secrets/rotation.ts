/**
 * The credential rotation engine, driven by the emulator's clock. For every deployed cluster it
 * rotates each machine's BMC and console credentials, each storage appliance's administrator
 * credential and the cluster's service credential when they are due (every rotationPeriodDays),
 * on deployment, and on demand (rotateCredential). Each new value goes to the managed store and,
 * when the cluster has a secret archive whose identity may write to it, into that key vault as a
 * new secret version, written through the vault data plane as that identity (with a token the
 * emulator issues it). secretRotationStatus on machines and appliances says what happened; a failed
 * archive is also spelled out in the machine's detailedStatusMessage.
 */
import { isObject, type Json, type JsonObject } from '../api/derive.js';
import { ArmError, errors } from '../arm/errors.js';
import { idKey, parseResourceId } from '../arm/resource-id.js';
import type { EmulatorHost } from '../host.js';
import { resourceLockKey } from '../arm/locks.js';
import { ROLE_ASSIGNMENTS, type RoleAssignment } from '../providers/authorization/rbac.js';
import { ROLE_IDS, SECRET_DATA_ACTIONS } from '../providers/authorization/roles.js';
import { findVaultById, findVaultByUri, vaultUriOf } from '../providers/keyvault/vaults.js';
import { updateResource } from '../providers/networkcloud/update.js';
import { RESOURCES, type StoredResource } from '../providers/resource-store.js';
import type { Store, StoreOp } from '../store/store.js';
import { VaultError } from '../vault/errors.js';
import { newSecretVersion, VAULT_SECRETS } from '../vault/secret-store.js';
import { VAULT_AUDIENCE, VaultDataPlane, type Vault, type VaultCaller } from '../vault/service.js';
import {
  archiveSecretName, CREDENTIAL_KINDS, credentialKindsNamed, DAY_MS, DEFAULT_EXPIRE_PERIOD_DAYS, DEFAULT_ROTATION_PERIOD_DAYS,
  kindsFor, MANAGED_CREDENTIAL_NAMES, newCredentialValue, type CredentialKind,
} from './credentials.js';
import {
  ARCHIVE_NOTICES, MANAGED_CREDENTIALS, putCredentialOp, readCredential, type ArchiveNotice, type ArchiveReference, type ManagedCredential,
} from './managed-store.js';
import { isDue, planArchive, type ArchivePlan, type ArchiveTarget, type RotationSummary, type VaultRef } from './policy.js';

const CLUSTERS = 'microsoft.networkcloud/clusters';
const MACHINES = 'microsoft.networkcloud/baremetalmachines';
const APPLIANCES = 'microsoft.networkcloud/storageappliances';
const MANAGERS = 'microsoft.networkcloud/clustermanagers';

/** Store collections this feature owns that an emulator reset empties. */
export const SECRET_COLLECTIONS = [VAULT_SECRETS, MANAGED_CREDENTIALS, ARCHIVE_NOTICES] as const;

/**
 * What an emulator reset forgets here: vault secrets, the managed store, and the role assignments
 * at resource-group and resource scopes (those scopes are gone). Assignments at the tenant root and
 * at subscriptions stay, as subscriptions and principals do; so do custom role definitions.
 */
export function secretResetOps(store: Store): StoreOp[] {
  const ops: StoreOp[] = SECRET_COLLECTIONS.flatMap((collection) => store.entries(collection).map(([key]) => ({ op: 'delete' as const, collection, key })));
  for (const [key, a] of store.entries<RoleAssignment>(ROLE_ASSIGNMENTS)) {
    if (/^\/subscriptions\/[^/]+\/resourcegroups\//i.test(a.scope)) ops.push({ op: 'delete', collection: ROLE_ASSIGNMENTS, key });
  }
  return ops;
}

interface Target {
  resource: StoredResource;
  kind: CredentialKind;
}

/** How one pass writes to the archive: as whom, where, or why it cannot. */
type Writer = { target: ArchiveTarget; vault: Vault; caller: VaultCaller } | { failure: string } | undefined;

function usernameOf(kind: CredentialKind, resource: StoredResource): string {
  const props = (resource.resource.properties ?? {}) as JsonObject;
  const from = (field: string, fallback: string) => (isObject(props[field]) && typeof (props[field] as JsonObject).username === 'string' ? String((props[field] as JsonObject).username) : fallback);
  switch (kind.credential) {
    case 'BMC Credential':
      return from('bmcCredentials', 'root');
    case 'Storage Appliance Credential':
      return from('administratorCredentials', 'pureuser');
    case 'Console Credential':
      return 'nc-console';
    default:
      return 'nexus-service';
  }
}

export class SecretRotation {
  private readonly plane: VaultDataPlane;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly emu: EmulatorHost) {
    this.plane = new VaultDataPlane(emu);
  }

  /** One pass at a time: the clock, deployments and rotateCredential never interleave. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    // After every pass, the next rotation is a clock event (a jump rotates at each due instant).
    void run.then(() => this.scheduleNext(true), () => this.scheduleNext(true));
    return run;
  }

  /** Schedules the earliest due rotation of any managed credential on the clock (discrete-event time). */
  scheduleNext(afterPass = false): void {
    let due = Infinity;
    for (const c of this.emu.store.list<ManagedCredential>(MANAGED_CREDENTIALS)) {
      due = Math.min(due, Date.parse(c.lastRotationTime) + c.rotationPeriodDays * DAY_MS);
    }
    // A credential a pass could not rotate (its machine is going away) is looked at again a day later, not in a loop.
    const now = this.emu.clock.nowMs();
    if (afterPass && due <= now) due = now + DAY_MS;
    this.emu.clock.schedule(due, 'secrets:rotation', () => this.onClock());
  }

  /** Clock listener: rotates whatever is due at the new time. */
  onClock(): Promise<void> {
    return this.serial(async () => {
      const nowMs = this.emu.clock.nowMs();
      const clusters = this.clusters();
      await this.forgetDeleted(clusters);
      for (const cluster of clusters) {
        await this.rotateCluster(cluster, (_kind, record) => !record || isDue(Date.parse(record.lastRotationTime), record.rotationPeriodDays, nowMs), false);
      }
    });
  }

  /** Drops the managed credentials and notices of clusters, machines and appliances that no longer exist. */
  private async forgetDeleted(clusters: StoredResource[]): Promise<void> {
    const { store } = this.emu;
    const live = new Set(clusters.map((c) => idKey(c.id)));
    const ops: StoreOp[] = [];
    for (const [key, c] of store.entries<ManagedCredential>(MANAGED_CREDENTIALS)) {
      if (!live.has(idKey(c.clusterId)) || !store.get(RESOURCES, idKey(c.resourceId))) ops.push({ op: 'delete', collection: MANAGED_CREDENTIALS, key });
    }
    for (const [key] of store.entries(ARCHIVE_NOTICES)) if (!store.get(RESOURCES, key)) ops.push({ op: 'delete', collection: ARCHIVE_NOTICES, key });
    if (ops.length) await store.batch(ops);
  }

  /** A deployment rotates every credential of the new cluster at once, as the platform does. */
  onDeployed(clusterId: string): Promise<RotationSummary> {
    return this.serial(async () => {
      const cluster = this.emu.store.get<StoredResource>(RESOURCES, idKey(clusterId));
      // Runs inside the deploy operation, which holds the cluster's write lock.
      return cluster ? this.rotateCluster(cluster, () => true, true) : { rotated: 0, archived: 0 };
    });
  }

  /** rotateCredential's checks at the request: a deployed cluster and known credential names. */
  checkRequest(cluster: StoredResource, body: JsonObject): void {
    const names = Array.isArray(body.credentials) ? (body.credentials as Json[]).map(String) : [];
    if (!names.length) throw errors.badRequest('InvalidCredentials', `Name at least one credential to rotate: ${MANAGED_CREDENTIAL_NAMES.join(', ')}.`, 'credentials');
    const { unknown } = credentialKindsNamed(names);
    if (unknown.length) {
      throw errors.badRequest('InvalidCredentials', `The cluster manages no credential named ${unknown.map((u) => `'${u}'`).join(', ')}. Its managed credentials are ${MANAGED_CREDENTIAL_NAMES.join(', ')}.`, 'credentials');
    }
    if (!this.machinesOf(cluster).length) {
      throw new ArmError(409, 'ClusterNotDeployed', `The cluster '${String(cluster.resource.name)}' has not been deployed, so it has no credentials to rotate yet.`);
    }
  }

  /** rotateCredential's effect: rotate the named credentials now, due or not. */
  rotateOnDemand(clusterId: string, names: string[]): Promise<string> {
    return this.serial(async () => {
      const cluster = this.emu.store.get<StoredResource>(RESOURCES, idKey(clusterId));
      if (!cluster) throw new ArmError(404, 'ResourceNotFound', `The cluster '${clusterId}' no longer exists.`);
      const wanted = new Set(credentialKindsNamed(names).kinds);
      // Runs inside the rotateCredential operation, which holds the cluster's write lock.
      const summary = await this.rotateCluster(cluster, (kind) => wanted.has(kind), true);
      return describeSummary(summary);
    });
  }

  // ---------------------------------------------------------------- gathering

  private clusters(): StoredResource[] {
    return this.emu.store.list<StoredResource>(RESOURCES).filter((r) => r.type.toLowerCase() === CLUSTERS).sort((a, b) => a.seq - b.seq);
  }

  private machinesOf(cluster: StoredResource): StoredResource[] {
    const id = cluster.id.toLowerCase();
    return this.emu.store
      .list<StoredResource>(RESOURCES)
      .filter((r) => {
        const type = r.type.toLowerCase();
        const props = r.resource.properties;
        return (type === MACHINES || type === APPLIANCES) && isObject(props) && String(props.clusterId ?? '').toLowerCase() === id;
      })
      .sort((a, b) => a.seq - b.seq);
  }

  private targetsOf(cluster: StoredResource, machines: StoredResource[]): Target[] {
    const out: Target[] = [];
    for (const m of machines) {
      const target = m.type.toLowerCase() === MACHINES ? 'bareMetalMachine' : 'storageAppliance';
      for (const kind of kindsFor(target)) out.push({ resource: m, kind });
    }
    for (const kind of kindsFor('cluster')) out.push({ resource: cluster, kind });
    return out;
  }

  private managerOf(cluster: StoredResource): JsonObject | undefined {
    const id = (cluster.resource.properties as JsonObject | undefined)?.clusterManagerId;
    if (typeof id !== 'string') return undefined;
    const m = this.emu.store.get<StoredResource>(RESOURCES, idKey(id));
    return m && m.type.toLowerCase() === MANAGERS ? m.resource : undefined;
  }

  private plan(cluster: StoredResource): ArchivePlan {
    const ref = (r: StoredResource | undefined): VaultRef | undefined => (r ? { id: r.id, name: String(r.resource.name), uri: vaultUriOf(String(r.resource.name)) } : undefined);
    return planArchive(cluster.resource, this.managerOf(cluster), {
      byUri: (uri) => ref(findVaultByUri(this.emu, uri)),
      byId: (id) => ref(findVaultById(this.emu, id)),
    });
  }

  /** Signs the archive identity in (a token for the vault audience) the way any client would. */
  private async writer(plan: ArchivePlan): Promise<Writer> {
    if (plan.kind === 'none') return undefined;
    if (plan.kind === 'unusable') return { failure: plan.reason };
    const { target } = plan;
    const principal = this.emu.principals.byObjectId(target.principalId);
    if (!principal) return { failure: `${target.identity} (principal ${target.principalId}) no longer exists in the directory.` };
    let vault: Vault;
    try {
      vault = this.plane.vault(target.vault.name);
      const token = await this.emu.tokens.issue(principal, VAULT_AUDIENCE);
      const caller = await this.plane.authenticate(`Bearer ${token.accessToken}`, vault);
      return { target, vault, caller };
    } catch (e) {
      if (e instanceof VaultError) return { failure: archiveFailure(target, e) };
      throw e;
    }
  }

  // ---------------------------------------------------------------- rotating

  /**
   * A replaced machine's BMC credential (replace's bmcCredentials) becomes its managed credential,
   * archived like a rotated one when the cluster has a secret archive. The caller (the replace
   * operation) holds the machine's write lock, so this neither takes it nor waits for a clock pass.
   */
  async adoptReplacedBmcCredential(machineId: string, username: string, password: string): Promise<RotationSummary> {
    const machine = this.emu.store.get<StoredResource>(RESOURCES, idKey(machineId));
    const clusterId = machine && isObject(machine.resource.properties) ? String(machine.resource.properties.clusterId ?? '') : '';
    const cluster = clusterId ? this.emu.store.get<StoredResource>(RESOURCES, idKey(clusterId)) : undefined;
    if (!machine || !cluster) return { rotated: 0, archived: 0 };
    const bmc = CREDENTIAL_KINDS.find((k) => k.target === 'bareMetalMachine' && k.slug.startsWith('bmc'))!;
    return this.rotateCluster(cluster, (kind) => kind === bmc, false, { only: machine.id, value: password, username, machineLocked: true });
  }

  /** `clusterLocked`: the caller already holds the cluster's write lock (an operation of the cluster). */
  private async rotateCluster(
    cluster: StoredResource,
    select: (kind: CredentialKind, record: ManagedCredential | undefined) => boolean,
    clusterLocked: boolean,
    given: { only: string; value: string; username: string; machineLocked: boolean } | undefined = undefined,
  ): Promise<RotationSummary> {
    const { store } = this.emu;
    const machines = this.machinesOf(cluster);
    if (!machines.length) return { rotated: 0, archived: 0 };
    const due = this.targetsOf(cluster, machines)
      .filter((t) => !given || idKey(t.resource.id) === idKey(given.only))
      .filter((t) => select(t.kind, readCredential(store, t.resource.id, t.kind.credential)));
    await this.listManagedCredentials(cluster, clusterLocked);
    if (!due.length) return { rotated: 0, archived: 0 };

    const nowMs = this.emu.clock.nowMs();
    const now = new Date(nowMs).toISOString();
    const writer = await this.writer(this.plan(cluster));
    const id = parseResourceId(cluster.id)!;
    const summary: RotationSummary = { rotated: 0, archived: 0 };
    if (writer && 'vault' in writer) summary.vaultUri = vaultUriOf(writer.vault.name);
    const ops: StoreOp[] = [];
    const byResource = new Map<string, { resource: StoredResource; done: { kind: CredentialKind; credential: ManagedCredential }[]; failure?: string }>();

    for (const t of due) {
      const previous = readCredential(store, t.resource.id, t.kind.credential);
      const rotationPeriodDays = previous?.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
      const expirePeriodDays = previous?.expirePeriodDays ?? DEFAULT_EXPIRE_PERIOD_DAYS;
      const value = given?.value ?? newCredentialValue();
      const username = given?.username ?? usernameOf(t.kind, t.resource);
      let archive: ArchiveReference | undefined;
      let failure: string | undefined;
      if (writer && 'vault' in writer) {
        const secretName = archiveSecretName(id.subscriptionId, id.resourceGroup, id.name, t.kind, t.resource.id);
        try {
          this.plane.authorize(writer.caller, writer.vault, 'setSecret', secretName);
          const bundle = await this.plane.set(writer.vault, secretName, {
            value,
            tags: { secretType: t.kind.secretType, username, resourceId: t.resource.id.length <= 256 ? t.resource.id : t.resource.id.slice(-256) },
            attributes: { exp: Math.floor((nowMs + expirePeriodDays * DAY_MS) / 1000) },
          });
          archive = { keyVaultId: writer.vault.id, keyVaultUri: vaultUriOf(writer.vault.name), secretName, secretVersion: bundle.id.split('/').pop()! };
          summary.archived += 1;
        } catch (e) {
          if (!(e instanceof VaultError)) throw e;
          failure = archiveFailure(writer.target, e);
        }
      } else if (writer) {
        failure = writer.failure;
      }
      const credential: ManagedCredential = {
        clusterId: cluster.id,
        resourceId: t.resource.id,
        credential: t.kind.credential,
        secretType: t.kind.secretType,
        username,
        value,
        version: newSecretVersion(),
        lastRotationTime: now,
        rotationPeriodDays,
        expirePeriodDays,
        ...(archive ? { archive } : {}),
      };
      ops.push(putCredentialOp(credential));
      summary.rotated += 1;
      if (failure) summary.failure ??= failure;
      const entry = byResource.get(t.resource.id) ?? { resource: t.resource, done: [] };
      entry.done.push({ kind: t.kind, credential });
      entry.failure ??= failure;
      byResource.set(t.resource.id, entry);
    }
    await store.batch(ops);

    for (const { resource, done, failure } of byResource.values()) {
      if (resource.id === cluster.id) continue;
      await this.report(resource, done, failure, now, given?.machineLocked ?? false);
    }
    return summary;
  }

  /** Writes secretRotationStatus, the machine's live credential, and the archive notice (or its removal). */
  private async report(resource: StoredResource, done: { kind: CredentialKind; credential: ManagedCredential }[], failure: string | undefined, now: string, locked = false): Promise<void> {
    const { store } = this.emu;
    const key = idKey(resource.id);
    const notice = store.get<ArchiveNotice>(ARCHIVE_NOTICES, key);
    let noticeOp: StoreOp | undefined;
    // Taken like any other write to the machine, so a concurrent PATCH or action cannot lose this update.
    const write = (work: () => Promise<unknown>) => (locked ? work() : this.emu.writeLock.run(resourceLockKey(resource.id), work));
    await write(() => updateResource(this.emu, resource.id, (_hub, props) => {
      const statuses = Array.isArray(props.secretRotationStatus) ? (props.secretRotationStatus as JsonObject[]).filter(isObject) : [];
      for (const { kind, credential } of done) {
        const status: JsonObject = {
          secretType: kind.secretType,
          lastRotationTime: credential.lastRotationTime,
          rotationPeriodDays: credential.rotationPeriodDays,
          expirePeriodDays: credential.expirePeriodDays,
          ...(credential.archive ? { secretArchiveReference: { ...credential.archive } } : {}),
        };
        const at = statuses.findIndex((s) => s.secretType === kind.secretType);
        if (at >= 0) statuses[at] = status;
        else statuses.push(status);
        // The machine now answers to the new value (never shown: these fields are write-only).
        const field = kind.target === 'bareMetalMachine' && kind.slug.startsWith('bmc') ? 'bmcCredentials' : kind.target === 'storageAppliance' ? 'administratorCredentials' : undefined;
        if (field) props[field] = { ...(isObject(props[field]) ? (props[field] as JsonObject) : { username: credential.username }), password: credential.value };
      }
      props.secretRotationStatus = statuses as Json;
      const current = typeof props.detailedStatusMessage === 'string' ? props.detailedStatusMessage : '';
      if (failure) {
        const text = `Credential rotation at ${now} kept the new credentials in the platform's managed store only: they could not be written to the secret archive because ${failure}`;
        const baseline = notice && current === notice.notice ? notice.baseline : current;
        props.detailedStatusMessage = text;
        noticeOp = { op: 'put', collection: ARCHIVE_NOTICES, key, value: { baseline, notice: text } satisfies ArchiveNotice };
      } else if (notice) {
        if (current === notice.notice) props.detailedStatusMessage = notice.baseline;
        noticeOp = { op: 'delete', collection: ARCHIVE_NOTICES, key };
      }
    }));
    if (noticeOp) await store.batch([noticeOp]);
  }

  /** The 2026-07-01 managedCredentials list on the cluster: what rotateCredential accepts. */
  /**
   * Only under the cluster's own operation (deploy, rotateCredential), which holds its write lock:
   * the clock pass must not wait for that lock, since such an operation may be waiting for the pass.
   */
  private async listManagedCredentials(cluster: StoredResource, locked: boolean): Promise<void> {
    const props = (cluster.resource.properties ?? {}) as JsonObject;
    const names = CREDENTIAL_KINDS.map((k) => k.credential);
    if (!locked || JSON.stringify(props.managedCredentials) === JSON.stringify(names)) return;
    await updateResource(this.emu, cluster.id, (_hub, p) => {
      p.managedCredentials = names;
    });
  }
}

/** Why a write to the archive failed, in words for a status message. */
export function archiveFailure(target: ArchiveTarget, e: VaultError): string {
  const vault = `key vault '${target.vault.name}' (${target.vault.uri})`;
  if (e.status === 403 && e.innerCode === 'ForbiddenByRbac') {
    return `${target.identity} (principal ${target.principalId}) holds no role on ${vault} that allows '${SECRET_DATA_ACTIONS.setSecret}'. Assign it the Operator Nexus Key Vault Writer Service Role (Preview) (${ROLE_IDS.operatorNexusKeyVaultWriter}) on the vault.`;
  }
  if (e.status === 403) return `the access policies of ${vault} do not give ${target.identity} (principal ${target.principalId}) the secrets 'set' permission.`;
  if (e.status === 401) return `${vault} refused the token of ${target.identity}: ${e.message}`;
  if (e.status === 409) return `${vault} refused the new version: ${e.message}`;
  return `${vault} answered ${e.status} ${e.code}: ${e.message}`;
}

function describeSummary(s: RotationSummary): string {
  if (!s.rotated) return 'No credentials were rotated.';
  const head = `Rotated ${s.rotated} credential(s)`;
  if (s.failure) return `${head}; they are kept in the platform's managed store only: ${s.failure}`;
  if (s.vaultUri) return `${head} and archived ${s.archived} to ${s.vaultUri}.`;
  return `${head}; the cluster has no secret archive, so they are kept in the platform's managed store only.`;
}
