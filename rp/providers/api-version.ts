/** The api-version query parameter and ARM's answers when a type does not serve the one given. */
import type { Request } from 'express';
import { ArmError, errors } from '../arm/errors.js';

const API_VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(-preview|-beta|-alpha|-privatepreview)?$/;

/** Reads the single api-version query parameter; missing or repeated ones are ARM errors. */
export function apiVersionOf(req: Request): string {
  const raw = req.query['api-version'];
  if (raw === undefined || raw === '') throw errors.missingApiVersion();
  if (typeof raw !== 'string') {
    throw new ArmError(400, 'InvalidApiVersionParameter', "The api-version query parameter may be given only once.");
  }
  return raw;
}

export function requireVersion(given: string, supported: readonly string[], namespace: string, type: string, location?: string): void {
  if (supported.includes(given)) return;
  const newestFirst = [...supported].reverse();
  if (!API_VERSION_SHAPE.test(given)) throw errors.invalidApiVersion(given, type, newestFirst);
  throw errors.noRegisteredProvider(given, namespace, type, location ?? 'global', newestFirst);
}
