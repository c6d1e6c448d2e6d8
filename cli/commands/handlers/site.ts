/**
 * `azemu emulator site ...` and `azemu emulator pki root`: the emulator's read-only site view
 * (GET /_emulator/sites/{subscriptionId}/{resourceGroup}/{cluster}[/issuers|/certificates[/NAME]|/trust-bundle]),
 * revocation rules (POST …/revocations, with the bearer token) and the root lookup
 * (GET /_emulator/pki/roots/{sha256}). Lists print their `value`, like az's list commands; the
 * issuer and certificate lists get a table transformer, since their PEMs make poor table cells.
 */
import type { CommandContext, Handler, Outcome } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Run, SiteOp } from '../types.js';

type SiteRun = Extract<Run, { handler: 'site' }>;
type Json = Record<string, unknown>;

const enc = encodeURIComponent;
const CLUSTER_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.NetworkCloud\/clusters\/([^/]+)\/?$/i;

export const run: Handler = async (ctx) => OPS[(ctx.command.run as SiteRun).op](ctx);

/** The site path of the cluster named by --cluster-id, or by --resource-group and --cluster. */
export function sitePath(ctx: CommandContext): string {
  const v = ctx.values;
  const id = v.clusterId as string | undefined;
  const usage = 'usage error: --cluster-id ID | --resource-group RG --cluster NAME';
  if (id !== undefined) {
    if (v.cluster !== undefined || v.resourceGroup !== undefined) throw new UsageError(usage);
    const m = CLUSTER_ID.exec(id.trim());
    if (!m) throw new UsageError(`argument --cluster-id: invalid cluster ID: '${id}' (expected /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.NetworkCloud/clusters/NAME)`);
    return `/_emulator/sites/${enc(m[1])}/${enc(m[2])}/${enc(m[3])}`;
  }
  if (v.cluster === undefined || v.resourceGroup === undefined) throw new UsageError(usage);
  return `/_emulator/sites/${enc(ctx.subscriptionId())}/${enc(String(v.resourceGroup))}/${enc(String(v.cluster))}`;
}

const get = (ctx: CommandContext, path: string) => ctx.client().json<Json>('GET', path);

const ready = (status: unknown) => {
  const conditions = ((status as Json | undefined)?.conditions ?? []) as Json[];
  return conditions.find((c) => c.type === 'Ready')?.status ?? null;
};

function issuerTable(result: unknown): unknown {
  return (result as Json[]).map((i) => ({ Name: i.name, Role: i.role, Revision: i.revision, Serial: i.serial, NotAfter: i.notAfter, Ready: ready(i.status) }));
}

function certificateTable(result: unknown): unknown {
  return (result as Json[]).map((c) => {
    const status = (c.status ?? {}) as Json;
    return { Name: c.name, Purpose: c.purpose, Revision: status.revision, Serial: c.serial, NotAfter: status.notAfter, RenewalTime: status.renewalTime, Ready: ready(status) };
  });
}

function bundleTable(result: unknown): unknown {
  const certificates = ((result as Json).certificates ?? []) as Json[];
  return certificates.map((c) => ({ Name: c.name, Role: c.role, Revision: c.revision, Serial: c.serial, NotAfter: c.notAfter }));
}

const OPS: Record<SiteOp, (ctx: CommandContext) => Promise<Outcome>> = {
  list: async (ctx) => ({ result: (await get(ctx, '/_emulator/sites')).value, addResourceGroup: false }),
  show: async (ctx) => ({ result: await get(ctx, sitePath(ctx)), addResourceGroup: false }),
  issuers: async (ctx) => ({ result: (await get(ctx, `${sitePath(ctx)}/issuers`)).value, addResourceGroup: false, tableTransformer: issuerTable }),
  certificates: async (ctx) => ({ result: (await get(ctx, `${sitePath(ctx)}/certificates`)).value, addResourceGroup: false, tableTransformer: certificateTable }),
  'certificate-show': async (ctx) => ({ result: await get(ctx, `${sitePath(ctx)}/certificates/${enc(String(ctx.values.name))}`), addResourceGroup: false }),
  'trust-bundle': async (ctx) => ({ result: await get(ctx, `${sitePath(ctx)}/trust-bundle`), addResourceGroup: false, tableTransformer: bundleTable }),
  revoke: async (ctx) => {
    const v = ctx.values;
    const body: Json = { by: v.by, value: v.value };
    if (v.notBefore !== undefined) {
      if (Number.isNaN(Date.parse(String(v.notBefore)))) throw new UsageError(`argument --not-before: invalid time: '${String(v.notBefore)}' (use ISO 8601, e.g. 2026-01-01T00:00:00Z)`);
      body.notBefore = v.notBefore;
    }
    if (v.reason !== undefined) body.reason = v.reason;
    return { result: await ctx.client().json('POST', `${sitePath(ctx)}/revocations`, { body }), addResourceGroup: false };
  },
  root: async (ctx) => {
    const sha = String(ctx.values.sha256).replace(/:/g, '');
    if (!/^[0-9a-f]{64}$/i.test(sha)) throw new UsageError(`argument --sha256: invalid SHA-256 fingerprint: '${String(ctx.values.sha256)}' (64 hex digits, colons allowed)`);
    return { result: await get(ctx, `/_emulator/pki/roots/${sha.toLowerCase()}`), addResourceGroup: false };
  },
};
