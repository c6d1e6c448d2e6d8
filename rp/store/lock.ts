/**
 * One owner per data folder. Before anything in the folder is read or written, the emulator creates
 * `<data-dir>/emulator.lock` with O_EXCL, holding its pid (and, once it listens, its endpoint). A
 * second instance finds the file, sees that the pid is alive and stops at once, naming it. A lock
 * left by a process that no longer runs (kill -9, power loss) is taken over. On Linux the lock also
 * records the process's start time, so a recycled pid is not mistaken for the owner.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'emulator.lock';

interface LockBody {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot (Linux only). */
  startTicks?: string;
  endpoint?: string | null;
  startedAt?: string;
}

export class DataFolderLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockBody,
  ) {
    super(
      `the data folder ${dataDir} is in use by another emulator (pid ${owner.pid}, ${owner.endpoint ? `listening at ${owner.endpoint}` : 'starting, not listening yet'}). ` +
        `Stop that one first, or start this one with another --data-dir. Nothing was changed.`,
    );
  }
}

function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(owner: LockBody): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid runs; is it still the process that took the lock?
  const now = startTicks(owner.pid);
  return !(owner.startTicks && now && now !== owner.startTicks);
}

export class DataFolderLock {
  private constructor(
    readonly file: string,
    private body: LockBody,
  ) {}

  /** Takes the lock of `dataDir` or throws DataFolderLockedError; a stale lock is taken over. */
  static async acquire(dataDir: string): Promise<DataFolderLock> {
    const file = path.join(dataDir, LOCK_FILE);
    const body: LockBody = { pid: process.pid, startTicks: startTicks(process.pid), endpoint: null, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        try {
          await handle.writeFile(JSON.stringify(body) + '\n');
        } catch (e) {
          await handle.close();
          await rm(file, { force: true });
          throw e;
        }
        await handle.close();
        return new DataFolderLock(file, body);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let owner: LockBody | undefined;
      try {
        owner = JSON.parse(await readFile(file, 'utf8')) as LockBody;
      } catch {
        owner = undefined; // empty or torn: its writer died before finishing it
      }
      if (owner && owner.pid === process.pid) throw new DataFolderLockedError(dataDir, owner);
      if (owner && alive(owner)) throw new DataFolderLockedError(dataDir, owner);
      await rm(file, { force: true });
    }
    throw new Error(`could not take the lock ${file}: it keeps changing`);
  }

  /** Records where this instance listens, for the message a second instance prints. */
  async setEndpoint(endpoint: string): Promise<void> {
    this.body = { ...this.body, endpoint };
    // Replaced atomically: a reader never sees the file empty (which would read as a dead owner's).
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.body) + '\n', { mode: 0o600 })
      .then(() => rename(tmp, this.file))
      .catch(() => rm(tmp, { force: true }).catch(() => undefined));
  }

  async release(): Promise<void> {
    try {
      const owner = JSON.parse(await readFile(this.file, 'utf8')) as LockBody;
      if (owner.pid !== process.pid) return;
    } catch {
      return;
    }
    await rm(this.file, { force: true });
  }
}
