/**
 * The emulator's one clock. Certificate validity, renewal, credential rotation and
 * systemData timestamps all read it; tests and users move it forward, never back.
 */
export type ClockListener = (now: Date) => Promise<void> | void;

/** The largest instant a JavaScript Date can represent. */
const LATEST_MS = 8.64e15;

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/** Parses "80d", "1.5h", "30m", "10s" or an ISO 8601 duration such as "P1DT2H" into milliseconds. */
export function parseDuration(text: string): number {
  const simple = /^\s*(\d+(?:\.\d+)?)\s*([dhms])\s*$/i.exec(text);
  if (simple) return Math.round(Number(simple[1]) * UNITS[simple[2].toLowerCase()]);
  const iso = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (iso && text.trim().length > 1 && !/T$/i.test(text.trim())) {
    const [, w, d, h, m, s] = iso.map((v) => (v === undefined ? 0 : Number(v))) as number[];
    return Math.round(w * 7 * UNITS.d + d * UNITS.d + h * UNITS.h + m * UNITS.m + s * UNITS.s);
  }
  throw new RangeError(`'${text}' is not a duration: use a number with d, h, m or s (e.g. 80d) or an ISO 8601 duration (e.g. P80D)`);
}

export class Clock {
  private listeners: ClockListener[] = [];
  private queue: Promise<void> = Promise.resolve();

  /** offsetMs: how far the virtual clock runs ahead of the wall clock. */
  constructor(private offsetMs = 0, private readonly wall: () => number = Date.now) {}

  nowMs(): number {
    return this.wall() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  iso(): string {
    return this.now().toISOString();
  }

  get offset(): number {
    return this.offsetMs;
  }

  onChange(listener: ClockListener): void {
    this.listeners.push(listener);
  }

  /** Moves the clock forward and resolves once every listener (the schedulers) has caught up. */
  advance(ms: number): Promise<Date> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    if (this.nowMs() + ms > LATEST_MS) throw new RangeError(`that would move the clock past ${new Date(LATEST_MS).toISOString()}, the latest instant a date can hold`);
    this.offsetMs += ms;
    return this.notify();
  }

  /** Sets the clock to a later instant; an earlier one is refused. */
  set(target: Date): Promise<Date> {
    const delta = target.getTime() - this.nowMs();
    if (Number.isNaN(delta)) throw new RangeError('not a valid date');
    if (delta < 0) throw new RangeError(`the clock only moves forward: ${target.toISOString()} is before ${this.iso()}`);
    return this.advance(delta);
  }

  /** Runs listeners one catch-up at a time, so concurrent advances never interleave. */
  private notify(): Promise<Date> {
    const run = this.queue.then(async () => {
      for (const listener of this.listeners) await listener(this.now());
      return this.now();
    });
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }
}
