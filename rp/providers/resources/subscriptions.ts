/** GET /subscriptions and /subscriptions/{id}: the subscriptions of the caller's tenant. */
import { sendJson } from '../../arm/http.js';
import { callerSees } from '../authorization/arm-access.js';
import type { ArmContext } from '../context.js';
import { SUBSCRIPTIONS, type StoredSubscription } from '../resource-store.js';

function view(sub: StoredSubscription) {
  return {
    id: `/subscriptions/${sub.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: sub.tenantId,
    displayName: sub.displayName,
    state: sub.state,
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'Internal_2014-09-01', spendingLimit: 'Off' },
  };
}

export const subscriptions = {
  list(ctx: ArmContext): void {
    const all = ctx.emu.store
      .list<StoredSubscription>(SUBSCRIPTIONS)
      .filter((s) => s.tenantId.toLowerCase() === ctx.caller.tenantId.toLowerCase() && callerSees(ctx.emu, ctx.caller, `/subscriptions/${s.subscriptionId}`));
    sendJson(ctx.res, 200, { value: all.map(view), count: { type: 'Total', value: all.length } });
  },
  get(ctx: ArmContext, sub: StoredSubscription): void {
    sendJson(ctx.res, 200, view(sub));
  },
};
