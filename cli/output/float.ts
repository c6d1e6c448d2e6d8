/**
 * A number the response schema declares as a float (AAZFloatType): Python keeps it a float, so
 * az prints 100.0 where JSON.parse gave us 100. Applied after --query, just before formatting.
 */
export class PyFloat {
  constructor(readonly value: number) {}
  toString(): string {
    return Number.isInteger(this.value) && Number.isFinite(this.value) ? this.value.toFixed(1) : String(this.value);
  }
}

/** Wrap the integral numbers stored under one of `keys`, anywhere in the result. */
export function markFloats(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => markFloats(v, keys));
  if (value === null || typeof value !== 'object' || value instanceof PyFloat) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = keys.has(k) && typeof v === 'number' ? new PyFloat(v) : markFloats(v, keys);
  return out;
}
