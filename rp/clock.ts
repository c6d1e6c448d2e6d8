/**
 * The emulator's one clock. Certificate validity, renewal, credential rotation and
 * systemData timestamps all read it; tests and users move it forward, never back.
 */
export type ClockListener = (now: Date) => Promise<void> | void;

/**
 * The latest instant the virtual clock may show: 9900-01-01T00:00:00Z. A JavaScript Date reaches
 * further, but certificates issued "now" must still end before 9999-12-31, the last date X.509 and
 * four-digit ISO years can hold, and the wall clock keeps moving the virtual one on.
 */
export const LATEST_CLOCK_MS = Date.UTC(9900, 0, 1);

/** Whether a stored offset gives a clock the emulator can run with. */
export function isUsableOffset(offsetMs: unknown, wallMs = Date.now()): offsetMs is number {
  return typeof offsetMs === 'number' && Number.isFinite(offsetMs) && offsetMs >= 0 && wallMs + offsetMs <= LATEST_CLOCK_MS;
}

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
  private queue: Promise<unknown> = Promise.resolve();
  private persist: (offsetMs: number) => Promise<void> = async () => undefined;

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

  /** Where a new offset is saved; it must be durable before the clock moves (a failed save moves nothing). */
  persistWith(persist: (offsetMs: number) => Promise<void>): void {
    this.persist = persist;
  }

  /**
   * Moves the clock forward and resolves once every listener (the schedulers) has caught up. The
   * target is checked first: an invalid one throws a RangeError and changes nothing.
   */
  advance(ms: number): Promise<Date> {
    this.check(ms);
    const run = this.queue.then(async () => {
      this.check(ms);
      const next = this.offsetMs + ms;
      await this.persist(next);
      this.offsetMs = next;
      for (const listener of this.listeners) await listener(this.now());
      return this.now();
    });
    // Runs one change at a time, so concurrent advances never interleave.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sets the clock to a later instant; an earlier one is refused. */
  set(target: Date): Promise<Date> {
    const delta = target.getTime() - this.nowMs();
    if (Number.isNaN(delta)) throw new RangeError('not a valid date');
    if (delta < 0) throw new RangeError(`the clock only moves forward: ${target.toISOString()} is before ${this.iso()}`);
    return this.advance(delta);
  }

  private check(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward, by a finite amount');
    if (this.nowMs() + ms > LATEST_CLOCK_MS) {
      throw new RangeError(`that would move the clock past ${new Date(LATEST_CLOCK_MS).toISOString()}, the latest instant the emulator's clock accepts`);
    }
  }
}
