/**
 * The seeded pseudo-random generator behind a rule's probability: mulberry32, a 32-bit state
 * that advances by one step per draw. The state is stored with the rule, so the same seed and the
 * same sequence of matching requests give the same faults on every run (and across restarts).
 */

/** One draw: a number in [0, 1) and the state after it. */
export function draw(state: number): { value: number; next: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let r = Math.imul(next ^ (next >>> 15), next | 1);
  r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
  return { value: ((r ^ (r >>> 14)) >>> 0) / 4294967296, next };
}

/** A fresh seed for a rule that asks for a probability without one (reported back so it can be replayed). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
