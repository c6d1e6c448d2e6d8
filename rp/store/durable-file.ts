/** A lowdb adapter that makes each write crash-safe: temp file, fsync, atomic rename, fsync of the folder. */
import { open, readFile, rename, mkdir, rm } from 'node:fs/promises';
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
      await handle.writeFile(JSON.stringify(data));
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
