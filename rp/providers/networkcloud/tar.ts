/**
 * A minimal POSIX ustar writer, gzipped: enough to pack the few small text files of a command's
 * result (see command-output.ts). Hand-written because the whole format needed here is one header
 * block per file; any tar reader (GNU tar, bsdtar, Python's tarfile) opens the result.
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** A relative path of at most 100 bytes, '/'-separated. */
  name: string;
  content: string | Buffer;
  /** Seconds since the epoch. */
  mtime: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(512, 0);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new RangeError(`tar entry name too long: ${name}`);
  nameBytes.copy(block, 0);
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(mtime), 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // the checksum counts its own field as spaces
  block.write('0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return block;
}

/** The .tar.gz of the entries, in order. */
export function tarGz(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content, 'utf8');
    parts.push(header(e.name, body.length, e.mtime), body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(parts));
}
