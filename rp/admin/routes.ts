/**
 * The emulator's own control surface under /_emulator: health for scripts, the virtual clock,
 * and reset. Reading is open; changing anything needs a bearer token like any ARM write.
 */
import express, { Router, type RequestHandler } from 'express';
import { ArmError, errors } from '../arm/errors.js';
import { sendJson } from '../arm/http.js';
import { parseDuration } from '../clock.js';
import type { Emulator } from '../emulator.js';
import { seedDemo } from '../seed/demo.js';

const VERSION = '0.1.0';

export function adminRouter(emu: Emulator, requireAuth: RequestHandler): Router {
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
      try {
        if (body.advance !== undefined) {
          if (typeof body.advance !== 'string' && typeof body.advance !== 'number') throw new RangeError('advance must be a duration string such as "80d" or "PT12H"');
          await emu.clock.advance(typeof body.advance === 'number' ? body.advance * 1000 : parseDuration(body.advance));
        } else {
          const target = new Date(String(body.set));
          if (typeof body.set !== 'string' || Number.isNaN(target.getTime())) throw new RangeError(`'${String(body.set)}' is not an ISO 8601 date-time`);
          await emu.clock.set(target);
        }
      } catch (e) {
        if (e instanceof RangeError) throw new ArmError(400, 'InvalidClockChange', e.message);
        throw e;
      }
      sendJson(res, 200, clockView(emu));
    } catch (e) {
      next(e);
    }
  });

  router.post('/_emulator/reset', requireAuth, express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const seed = (req.query.seed ?? (req.body as { seed?: unknown } | undefined)?.seed ?? 'none') as string;
      if (seed !== 'demo' && seed !== 'none') throw errors.badRequest('InvalidParameter', `seed must be 'demo' or 'none', not '${seed}'.`, 'seed');
      await emu.reset();
      if (seed === 'demo') await seedDemo(emu);
      await emu.writeInfoFile();
      sendJson(res, 200, { status: 'reset', seed, demo: emu.demo ?? null });
    } catch (e) {
      next(e);
    }
  });

  return router;
}

function clockView(emu: Emulator) {
  return { now: emu.clock.iso(), offsetSeconds: Math.round(emu.clock.offset / 1000) };
}
