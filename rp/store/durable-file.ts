/** A lowdb adapter that makes each write crash-safe: temp file, fsync, atomic rename, fsync of the folder. */
import { open, readFile, rename, mkdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

export class DurableJsonFile<T> implements Adapter<T> {
  private readonly tmp: string;

  constructor(private readonly file: string) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return JSON.parse(text) as T;
  }

  async write(data: T): Promise<void> {
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.tmp, 'w', 0o600);
    try {
      await writeJson(handle, data);
      await handle.sync();
    } catch (e) {
      // A snapshot that could not be written (disk full) must not leave its partial copy taking space.
      await handle.close().catch(() => undefined);
      await rm(this.tmp, { force: true }).catch(() => undefined);
      throw e;
    }
    await handle.close();
    await rename(this.tmp, this.file);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}

/** About how much JSON text is gathered before it is written. */
const CHUNK_CHARS = 1 << 20;

/**
 * Writes JSON.stringify(data), byte for byte, in chunks: the members of the top object and of the
 * objects inside it (the store's collections) are serialised one by one, so a large store never
 * exists as one string (and one buffer) of its whole size while it is written.
 */
async function writeJson(handle: FileHandle, data: unknown): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  const push = async (text: string) => {
    pending.push(text);
    size += text.length;
    if (size >= CHUNK_CHARS) await flush();
  };
  const flush = async () => {
    if (!pending.length) return;
    const bytes = Buffer.from(pending.join(''));
    pending = [];
    size = 0;
    let done = 0;
    while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
  };
  const members = async (value: unknown, depth: number): Promise<void> => {
    if (depth === 0 || typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      await push(JSON.stringify(value) ?? 'null');
      return;
    }
    await push('{');
    let first = true;
    for (const [key, v] of Object.entries(value)) {
      // JSON.stringify leaves out members it cannot represent.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      await push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      await members(v, depth - 1);
    }
    await push('}');
  };
  await members(data, 3);
  await flush();
}
