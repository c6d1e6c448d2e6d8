/**
 * The clock's discrete-event API: scheduled work runs in order, each at exactly its instant, during a
 * move of the clock; an event can schedule the next one within the same move; scheduling a key again
 * moves its event; listeners still run once, at the end; a failing event is reported and the rest run.
 */
import { expect } from 'chai';
import { Clock } from '../../rp/clock.js';

const DAY = 86_400_000;

describe('clock: discrete-event time', () => {
  const wall = 1_800_000_000_000;

  it('runs every event due by the target in order, each while the clock shows its instant, then the listeners', async () => {
    const clock = new Clock(0, () => wall);
    const seen: string[] = [];
    clock.schedule(wall + 2 * DAY, 'b', (at) => void seen.push(`b@${(at.getTime() - wall) / DAY}:${(clock.nowMs() - wall) / DAY}`));
    clock.schedule(wall + 1 * DAY, 'a', (at) => void seen.push(`a@${(at.getTime() - wall) / DAY}:${(clock.nowMs() - wall) / DAY}`));
    clock.schedule(wall + 10 * DAY, 'late', () => void seen.push('late'));
    clock.onChange((now) => void seen.push(`listener@${(now.getTime() - wall) / DAY}`));
    const step = await clock.step(5 * DAY);
    expect(seen).to.deep.equal(['a@1:1', 'b@2:2', 'listener@5']);
    expect(step.events).to.equal(2);
    expect(clock.scheduledAt('late')).to.equal(wall + 10 * DAY);
    clock.stop();
  });

  it('an event may schedule its successor, which runs in the same move when due (a 4-day leaf over a year: 137 renewals)', async () => {
    const clock = new Clock(0, () => wall);
    const renewals: number[] = [];
    const every = (4 * DAY * 2) / 3;
    const renew = (at: Date) => {
      renewals.push(at.getTime());
      clock.schedule(at.getTime() + every, 'leaf', renew);
    };
    clock.schedule(wall + every, 'leaf', renew);
    expect(clock.jumpTargetMs).to.equal(undefined);
    const step = await clock.step(366 * DAY);
    expect(renewals.length).to.equal(Math.floor((366 * DAY) / every));
    expect(step.events).to.equal(renewals.length);
    expect(renewals.every((t, i) => t === wall + (i + 1) * every)).to.equal(true);
    expect(clock.nowMs()).to.equal(wall + 366 * DAY);
    clock.stop();
  });

  it('knows the target of the jump under way (what work superseded before it could skip), replaces an event by key, keeps going past a failure', async () => {
    const clock = new Clock(0, () => wall);
    const targets: Array<number | undefined> = [];
    const errors: string[] = [];
    clock.reportErrorsTo((key) => errors.push(key));
    clock.schedule(wall + DAY, 'x', () => void targets.push(-1));
    clock.schedule(wall + 2 * DAY, 'x', () => void targets.push(clock.jumpTargetMs));
    clock.schedule(wall + 1.5 * DAY, 'bad', () => {
      throw new Error('boom');
    });
    await clock.advance(3 * DAY);
    expect(targets).to.deep.equal([wall + 3 * DAY]);
    expect(errors).to.deep.equal(['bad']);
    expect(clock.jumpTargetMs).to.equal(undefined);
    clock.stop();
  });

  it('catchUp runs what fell due while stopped at its own past instants, in order; never moves the clock itself', async () => {
    const clock = new Clock(10 * DAY, () => wall);
    const seen: number[] = [];
    clock.schedule(wall + 3 * DAY, 'c', () => void seen.push((clock.nowMs() - wall) / DAY));
    clock.schedule(wall + 1 * DAY, 'a', () => void seen.push((clock.nowMs() - wall) / DAY));
    await clock.catchUp();
    expect(seen).to.deep.equal([1, 3]);
    expect(clock.nowMs()).to.equal(wall + 10 * DAY);
    clock.stop();
  });
});
