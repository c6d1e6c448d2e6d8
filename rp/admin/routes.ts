/**
 * The emulator's own control surface under /_emulator: health for scripts, the virtual clock,
 * reset, extra subscriptions and service principals. Who may call what is decided once, in front
 * of every /_emulator route, by the admin guard (guard.ts): changes need the Emulator
 * Administrator role (or Owner) at '/'.
 */
import express, { Router, type RequestHandler } from 'express';
import { ArmError, errors } from '../arm/errors.js';
import { sendJson } from '../arm/http.js';
import { parseDuration } from '../clock.js';
import type { EmulatorHost } from '../host.js';
import { UUID } from '../arm/resource-id.js';
import { SUBSCRIPTIONS, type StoredSubscription } from '../providers/resource-store.js';
import { seedDemo } from '../seed/demo.js';
import { callerCan, callerSees } from '../providers/authorization/arm-access.js';
import type { CallerPrincipal } from '../identity/auth.js';
import { SUBSCRIPTIONS_READ_ACTION, TENANT_ROOT } from './guard.js';

const VERSION = '0.1.0';

export function adminRouter(emu: EmulatorHost, requireAuth: RequestHandler): Router {
  const router = Router();
  const started = Date.now();

  router.get('/_emulator/health', (_req, res) => {
    sendJson(res, 200, { status: 'ok', version: VERSION, endpoint: emu.endpoint, uptimeSeconds: Math.round((Date.now() - started) / 1000), now: emu.clock.iso() });
  });

  router.get('/_emulator/clock', (_req, res) => {
    sendJson(res, 200, clockView(emu));
  });

  router.post('/_emulator/clock', requireAuth, express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as { advance?: unknown; set?: unknown };
      if ((body.advance === undefined) === (body.set === undefined)) {
        throw errors.invalidRequestContent('Send exactly one of {"advance": "80d"} or {"set": "2027-01-01T00:00:00Z"}.');
      }
      let events = 0;
      try {
        if (body.advance !== undefined) {
          if (typeof body.advance !== 'string' && typeof body.advance !== 'number') throw new RangeError('advance must be a duration string such as "80d" or "PT12H"');
          events = (await emu.clock.step(typeof body.advance === 'number' ? body.advance * 1000 : parseDuration(body.advance))).events;
        } else {
          const target = new Date(String(body.set));
          if (typeof body.set !== 'string' || Number.isNaN(target.getTime())) throw new RangeError(`'${String(body.set)}' is not an ISO 8601 date-time`);
          events = (await emu.clock.setStep(target)).events;
        }
      } catch (e) {
        if (e instanceof RangeError) throw new ArmError(400, 'InvalidClockChange', e.message);
        throw e;
      }
      // How many scheduled events (renewals, rotations, CRL updates, …) the move processed, in order.
      sendJson(res, 200, { ...clockView(emu), events });
    } catch (e) {
      next(e);
    }
  });

  router.post('/_emulator/reset', requireAuth, express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const seed = (req.query.seed ?? (req.body as { seed?: unknown } | undefined)?.seed ?? 'none') as string;
      if (seed !== 'demo' && seed !== 'none') throw errors.badRequest('InvalidParameter', `seed must be 'demo' or 'none', not '${seed}'.`, 'seed');
      await emu.reset();
      if (seed === 'demo') await emu.faults.paused(() => seedDemo(emu));
      await emu.writeInfoFile();
      sendJson(res, 200, { status: 'reset', seed, demo: emu.demo ?? null });
    } catch (e) {
      next(e);
    }
  });

  // Subscriptions and service principals beyond the demo ones, for multi-subscription and multi-tenant tests.
  router.put('/_emulator/subscriptions/:subscriptionId', requireAuth, express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const id = String(req.params.subscriptionId);
      if (!UUID.test(id)) throw errors.invalidSubscriptionId(id);
      const body = (req.body ?? {}) as { displayName?: unknown; tenantId?: unknown; ownerObjectId?: unknown };
      const tenantId = body.tenantId === undefined ? emu.tenantId : String(body.tenantId);
      if (!UUID.test(tenantId)) throw errors.badRequest('InvalidParameter', `tenantId '${tenantId}' is not a GUID.`, 'tenantId');
      const existing = emu.store.get<StoredSubscription>(SUBSCRIPTIONS, id.toLowerCase());
      const sub: StoredSubscription = {
        subscriptionId: existing?.subscriptionId ?? id,
        displayName: typeof body.displayName === 'string' ? body.displayName : existing?.displayName ?? `Subscription ${id.slice(0, 8)}`,
        tenantId: existing?.tenantId ?? tenantId,
        state: 'Enabled',
      };
      // A new subscription is owned by the principal named in ownerObjectId, else by its creator, as in Azure.
      const owner = typeof body.ownerObjectId === 'string' ? body.ownerObjectId : (res.locals.principal as { objectId: string } | undefined)?.objectId;
      await emu.putSubscription(sub, owner);
      sendJson(res, existing ? 200 : 201, sub);
    } catch (e) {
      next(e);
    }
  });

  // An administrator sees every subscription; anyone else what ARM's subscription list would show them.
  router.get('/_emulator/subscriptions', requireAuth, (_req, res) => {
    const caller = res.locals.principal as CallerPrincipal;
    const all = emu.store.list<StoredSubscription>(SUBSCRIPTIONS);
    const value = callerCan(emu, caller, SUBSCRIPTIONS_READ_ACTION, TENANT_ROOT)
      ? all
      : all.filter((s) => s.tenantId.toLowerCase() === caller.tenantId.toLowerCase() && callerSees(emu, caller, `/subscriptions/${s.subscriptionId}`));
    sendJson(res, 200, { value });
  });

  /** Creates a service principal (in any tenant) and returns its client secret: the only time it is shown. */
  router.post('/_emulator/principals', requireAuth, express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as { displayName?: unknown; tenantId?: unknown };
      const tenantId = body.tenantId === undefined ? emu.tenantId : String(body.tenantId);
      if (!UUID.test(tenantId)) throw errors.badRequest('InvalidParameter', `tenantId '${tenantId}' is not a GUID.`, 'tenantId');
      const displayName = typeof body.displayName === 'string' && body.displayName ? body.displayName : 'service principal';
      const { principal, clientSecret } = await emu.principals.createServicePrincipal({ tenantId, displayName });
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, 201, { objectId: principal.objectId, clientId: principal.appId, tenantId: principal.tenantId, displayName, clientSecret });
    } catch (e) {
      next(e);
    }
  });

  return router;
}

function clockView(emu: EmulatorHost) {
  return { now: emu.clock.iso(), offsetSeconds: Math.round(emu.clock.offset / 1000) };
}
