/**
 * /_emulator/faults: add, list, show and remove fault rules. Every route needs the caller's bearer
 * token, like the emulator's other control routes (the /_emulator guard adds the role check).
 */
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ArmError, errors } from '../arm/errors.js';
import { sendJson } from '../arm/http.js';
import type { Faults } from './engine.js';

const parseJson = express.json({ limit: '64kb', strict: false, type: () => true });

/** JSON bodies; malformed or oversized ones are ARM 400/413s rather than Express's own answers. */
const body: RequestHandler = (req, res, next) =>
  parseJson(req, res, (err?: unknown) => {
    if (!err) return next();
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return next(errors.payloadTooLarge(64 * 1024));
    return next(errors.invalidRequestContent('The request content is not valid JSON.'));
  });

export function faultRouter(faults: Faults, requireAuth: RequestHandler): Router {
  const router = Router();
  const wrap = (fn: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (e) {
      next(e);
    }
  };
  const notFound = (id: string) => new ArmError(404, 'FaultRuleNotFound', `There is no fault rule with id '${id}'.`, 'id');

  router.post('/_emulator/faults', requireAuth, body, wrap(async (req, res) => {
    const rule = await faults.add(req.body);
    sendJson(res, 201, faults.view(rule), { Location: `/_emulator/faults/${encodeURIComponent(rule.id)}` });
  }));

  router.get('/_emulator/faults', requireAuth, (_req, res) => {
    sendJson(res, 200, { value: faults.rules.all().map((r) => faults.view(r)) });
  });

  router.get('/_emulator/faults/:id', requireAuth, wrap((req, res) => {
    const rule = faults.rules.get(String(req.params.id));
    if (!rule) throw notFound(String(req.params.id));
    sendJson(res, 200, faults.view(rule));
  }));

  router.delete('/_emulator/faults/:id', requireAuth, wrap(async (req, res) => {
    const id = String(req.params.id);
    const rule = faults.rules.get(id);
    if (!rule || !(await faults.rules.remove(id))) throw notFound(id);
    sendJson(res, 200, faults.view(rule));
  }));

  router.delete('/_emulator/faults', requireAuth, wrap(async (_req, res) => {
    sendJson(res, 200, { removed: await faults.rules.clear() });
  }));

  return router;
}
