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

/** Work the clock runs at one instant of virtual time (see Clock.schedule). */
export type ScheduledWork = (at: Date) => Promise<void> | void;

interface ScheduledEvent {
  at: number;
  key: string;
  seq: number;
  work: ScheduledWork;
}

/** What one move of the clock did: how many scheduled events it processed, in order. */
export interface ClockStep {
  now: Date;
  events: number;
}

/** The longest a timer sleeps before looking again (real time moves the virtual clock too). */
const MAX_TIMER_MS = 30_000;

/**
 * Discrete-event time. Modules schedule work at a virtual instant under a key (one pending event
 * per key: scheduling it again moves it). Moving the clock processes every event that falls due,
 * earliest first, each one while the clock shows exactly its instant, as if the time between had
 * passed; an event may schedule the next one, which runs in the same move if it is due by then.
 * Real time moves the clock too: a timer runs events as they fall due without anyone moving it.
 * Listeners (onChange) run once at the end of each move, after the events.
 */
export class Clock {
  private listeners: ClockListener[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private persist: (offsetMs: number) => Promise<void> = async () => undefined;
  private readonly events = new Map<string, ScheduledEvent>();
  private seq = 0;
  /** While an event runs: the virtual instant the clock shows. */
  private pinnedMs?: number;
  /** While a move processes events: the instant it moves to. */
  private targetMs?: number;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** The timer runs events only once catchUp() ran them at their own instants (start-up). */
  private caughtUp = false;
  private processed = 0;
  private onError: (key: string, e: unknown) => void = (key, e) => console.error(`clock: event ${key} failed: ${(e as Error).message}`);

  /** offsetMs: how far the virtual clock runs ahead of the wall clock. */
  constructor(private offsetMs = 0, private readonly wall: () => number = Date.now) {}

  nowMs(): number {
    return this.pinnedMs ?? this.wall() + this.offsetMs;
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

  /** Scheduled events processed since the clock was made. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /**
   * The instant the move under way goes to, while it processes events; undefined otherwise. Work done
   * at an earlier instant of a move that it knows will be superseded before this instant can never be
   * observed by anyone (no request sees the clock between two events' instants as "now" for long).
   */
  get jumpTargetMs(): number | undefined {
    return this.targetMs;
  }

  onChange(listener: ClockListener): void {
    this.listeners.push(listener);
  }

  /** Where failures of scheduled work are reported (they never stop the clock). */
  reportErrorsTo(report: (key: string, e: unknown) => void): void {
    this.onError = report;
  }

  /**
   * Runs `work` when the clock reaches `atMs` (virtual), with the clock showing that instant. One event
   * per key: scheduling a key again replaces its event. An instant already past runs on the next move
   * or timer tick, at the clock's then-current instant.
   */
  schedule(atMs: number, key: string, work: ScheduledWork): void {
    if (!Number.isFinite(atMs)) {
      this.events.delete(key);
      return;
    }
    this.events.set(key, { at: atMs, key, seq: this.seq++, work });
    if (this.pinnedMs === undefined) this.arm();
  }

  cancel(key: string): void {
    this.events.delete(key);
  }

  /** When the event under this key is due (virtual ms), if one is scheduled. */
  scheduledAt(key: string): number | undefined {
    return this.events.get(key)?.at;
  }

  /** Stops the timer and drops every event (emulator shutdown). */
  stop(): void {
    this.stopped = true;
    this.events.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Where a new offset is saved; it must be durable before the clock moves (a failed save moves nothing). */
  persistWith(persist: (offsetMs: number) => Promise<void>): void {
    this.persist = persist;
  }

  /**
   * Moves the clock forward and resolves once every event due by the new instant has run, in order,
   * and every listener has caught up. The target is checked first: an invalid one throws a RangeError
   * and changes nothing. The new offset is durable before any event runs: after a crash the events
   * not yet processed are still due, and run at their own instants when the modules schedule them again.
   */
  advance(ms: number): Promise<Date> {
    return this.step(ms).then((s) => s.now);
  }

  /** advance(), also saying how many events the move processed. */
  step(ms: number): Promise<ClockStep> {
    this.check(ms);
    const run = this.queue.then(async () => {
      this.check(ms);
      const next = this.offsetMs + ms;
      await this.persist(next);
      const before = this.processed;
      const target = this.nowMs() + ms;
      await this.runDue(target, target);
      this.offsetMs = next;
      // Real time passed while the events ran: whatever fell due meanwhile runs too.
      await this.runDue(this.nowMs());
      for (const listener of this.listeners) await listener(this.now());
      this.arm();
      return { now: this.now(), events: this.processed - before };
    });
    // Runs one change at a time, so concurrent advances never interleave.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sets the clock to a later instant; an earlier one is refused. */
  set(target: Date): Promise<Date> {
    return this.setStep(target).then((s) => s.now);
  }

  setStep(target: Date): Promise<ClockStep> {
    const delta = target.getTime() - this.nowMs();
    if (Number.isNaN(delta)) throw new RangeError('not a valid date');
    if (delta < 0) throw new RangeError(`the clock only moves forward: ${target.toISOString()} is before ${this.iso()}`);
    return this.step(delta);
  }

  /**
   * Start-up: runs every event already due, each at its own past instant (the modules scheduled what
   * fell due while the emulator was down, or what a crash within a jump left), in order.
   */
  catchUp(): Promise<void> {
    const run = this.queue.then(async () => {
      const now = this.nowMs();
      await this.runDue(now, now, -Infinity);
      this.caughtUp = true;
      this.arm();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs every event due by `limitMs`, earliest first (ties in the order they were scheduled). */
  private async runDue(limitMs: number, targetMs?: number, from = this.nowMs()): Promise<void> {
    let floor = from;
    this.targetMs = targetMs;
    try {
      for (;;) {
        let next: ScheduledEvent | undefined;
        for (const e of this.events.values()) {
          if (e.at > limitMs) continue;
          if (!next || e.at < next.at || (e.at === next.at && e.seq < next.seq)) next = e;
        }
        if (!next || this.stopped) return;
        this.events.delete(next.key);
        // Never backwards: an event scheduled for an instant already past runs now.
        floor = Math.max(floor, next.at);
        this.pinnedMs = floor;
        this.processed += 1;
        try {
          await next.work(new Date(floor));
        } catch (e) {
          this.onError(next.key, e);
        }
      }
    } finally {
      this.pinnedMs = undefined;
      this.targetMs = undefined;
    }
  }

  /** Sleeps until the earliest event falls due in real time. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Before start-up's catch-up, a timer would run overdue events at "now" instead of their instants.
    if (this.stopped || !this.caughtUp || !this.events.size) return;
    const earliest = Math.min(...[...this.events.values()].map((e) => e.at));
    const delay = Math.max(0, Math.min(MAX_TIMER_MS, earliest - this.nowMs()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const run = this.queue.then(async () => {
        await this.runDue(this.nowMs());
        this.arm();
      });
      this.queue = run.catch(() => undefined);
    }, delay);
    this.timer.unref();
  }

  private check(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward, by a finite amount');
    if (this.nowMs() + ms > LATEST_CLOCK_MS) {
      throw new RangeError(`that would move the clock past ${new Date(LATEST_CLOCK_MS).toISOString()}, the latest instant the emulator's clock accepts`);
    }
  }
}
