/**
 * `azemu group ...`: resource groups through ARM's Microsoft.Resources API (api-version
 * 2021-04-01, lower-case /resourcegroups/ like az). Output has the SDK model's keys, so
 * absent ones print as null the way az shows them.
 */
import { Progress, armError } from '../../client.js';
import type { CommandContext, Handler, Outcome } from '../../context.js';
import type { Run } from '../types.js';
import { waitFor } from './wait.js';

type GroupRun = Extract<Run, { handler: 'group' }>;

const API = 'api-version=2021-04-01';
const enc = encodeURIComponent;
const groupPath = (ctx: CommandContext) => `/subscriptions/${enc(ctx.subscriptionId())}/resourcegroups/${enc(String(ctx.values.name))}?${API}`;

/** The ResourceGroup model's attributes, in az's output. */
function asModel(group: Record<string, unknown>): Record<string, unknown> {
  return { id: null, location: null, managedBy: null, name: null, properties: null, tags: null, type: null, ...group };
}

/** az's transform_resource_group_list. */
function groupTable(result: unknown): unknown {
  return (result as Record<string, unknown>[]).map((g) => ({
    Name: g.name,
    Location: g.location,
    Status: (g.properties as { provisioningState?: string } | null)?.provisioningState,
  }));
}

export const run: Handler = async (ctx) => OPS[(ctx.command.run as GroupRun).op](ctx);

const OPS: Record<GroupRun['op'], (ctx: CommandContext) => Promise<Outcome | void>> = {
  create: async (ctx) => {
    const body: Record<string, unknown> = { location: ctx.values.location };
    if (ctx.values.tags !== undefined) body.tags = ctx.values.tags;
    if (ctx.values.managedBy !== undefined) body.managedBy = ctx.values.managedBy;
    return { result: asModel(await ctx.client().json('PUT', groupPath(ctx), { body })) };
  },
  show: async (ctx) => ({ result: asModel(await ctx.client().json('GET', groupPath(ctx))) }),
  list: async (ctx) => {
    const tag = ctx.values.tag as string | undefined;
    let filter = '';
    if (tag !== undefined) {
      const [name, value] = tag.split(/=(.*)/s);
      filter = `&$filter=${enc(value === undefined ? `tagName eq '${name}'` : `tagName eq '${name}' and tagValue eq '${value}'`)}`;
    }
    const { items } = await ctx.client().listAll(`/subscriptions/${enc(ctx.subscriptionId())}/resourcegroups?${API}${filter}`);
    return { result: items.map((g) => asModel(g as Record<string, unknown>)), tableTransformer: groupTable };
  },
  delete: async (ctx) => {
    const client = ctx.client();
    const first = await client.arm('DELETE', groupPath(ctx));
    if (!ctx.values.noWait) await client.completeLro(first, 'delete', groupPath(ctx), new Progress());
    // az group delete prints nothing
  },
  exists: async (ctx) => {
    const response = await ctx.client().send('HEAD', groupPath(ctx));
    if (response.status !== 404 && response.status >= 400) throw armError(response);
    return { result: response.status !== 404 };
  },
  wait: async (ctx) => {
    await waitFor(ctx, () => ctx.client().send('GET', groupPath(ctx)));
  },
};
