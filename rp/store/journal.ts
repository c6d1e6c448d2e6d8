/**
 * The write-ahead journal: each committed batch of store operations is one line appended to
 * `db.journal.<n>` and fsynced, so a write costs the size of the change, not of the store. The
 * snapshot (`db.json`) records from which journal number replay starts; compaction starts a new
 * journal, writes a snapshot and only then deletes the older journals, so a crash at any point
 * leaves a snapshot plus the journals needed to reach the last acknowledged write.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** One change to one record; a commit is a list of them, written as one journal record. */
export type StoreOp =
  | { op: 'put'; collection: string; key: string; value: unknown }
  | { op: 'delete'; collection: string; key: string };

export class JournalCorruptError extends Error {}

const checksum = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** One journal line: the operations and a checksum, so a torn or altered line is recognised. */
export function encodeRecord(ops: StoreOp[]): string {
  const body = JSON.stringify(ops);
  return `${checksum(body)} ${body}\n`;
}

function decodeRecord(line: string): StoreOp[] | undefined {
  const space = line.indexOf(' ');
  if (space !== 16) return undefined;
  const body = line.slice(space + 1);
  if (checksum(body) !== line.slice(0, space)) return undefined;
  try {
    return JSON.parse(body) as StoreOp[];
  } catch {
    return undefined;
  }
}

export function journalFile(dbFile: string, seq: number): string {
  return `${dbFile.replace(/\.json$/, '')}.journal.${seq}`;
}

/** Journal numbers present beside the store file, ascending. */
export async function journalSeqs(dbFile: string): Promise<number[]> {
  const dir = path.dirname(dbFile);
  const prefix = `${path.basename(dbFile).replace(/\.json$/, '')}.journal.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b);
}

/**
 * Reads every batch of the journals from `fromSeq` on. The last line of a journal may be torn
 * (a crash mid-append: that batch was never acknowledged); anything else unreadable is corruption.
 */
export async function readJournals(dbFile: string, fromSeq: number): Promise<StoreOp[][]> {
  const seqs = (await journalSeqs(dbFile)).filter((s) => s >= fromSeq);
  const batches: StoreOp[][] = [];
  for (const [i, seq] of seqs.entries()) {
    const text = await readFile(journalFile(dbFile, seq), 'utf8');
    const lines = text.split('\n');
    const complete = text.endsWith('\n') ? lines.slice(0, -1) : lines;
    for (const [j, line] of complete.entries()) {
      const ops = decodeRecord(line);
      if (ops) {
        batches.push(ops);
        continue;
      }
      // Appends only ever stop part-way at a file's end: an unterminated last line is a torn append.
      const isTail = j === complete.length - 1 && !text.endsWith('\n');
      if (isTail) break;
      throw new JournalCorruptError(`journal ${journalFile(dbFile, seq)} is damaged at line ${j + 1}`);
    }
  }
  return batches;
}

/** The journal being appended to. */
export class JournalWriter {
  private constructor(
    private readonly handle: FileHandle,
    readonly seq: number,
    public bytes: number,
  ) {}

  static async open(dbFile: string, seq: number): Promise<JournalWriter> {
    const handle = await open(journalFile(dbFile, seq), 'a', 0o600);
    const { size } = await handle.stat();
    return new JournalWriter(handle, seq, size);
  }

  /**
   * Appends the lines and makes them durable. A short or failed write (disk full) or a failed sync
   * is cut back to the last durable length, so the file never keeps a torn line or padding.
   */
  async append(text: string): Promise<void> {
    const bytes = Buffer.from(text);
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
        if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        done += bytesWritten;
      }
      await this.handle.datasync();
    } catch (e) {
      await this.handle.truncate(this.bytes).catch(() => undefined);
      await this.handle.datasync().catch(() => undefined);
      throw e;
    }
    this.bytes += bytes.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

export async function removeJournalsBefore(dbFile: string, seq: number): Promise<void> {
  for (const s of await journalSeqs(dbFile)) if (s < seq) await unlink(journalFile(dbFile, s)).catch(() => undefined);
}
