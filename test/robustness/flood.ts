/**
 * A flood of idle sockets, run as its own process (with its own raised `ulimit -n`) by
 * connections.test.ts: opens `count` connections to 127.0.0.1:port from the given loopback source
 * addresses, either raw TCP that never sends a byte or TLS that finishes its handshake and never
 * sends a request, keeps every one open until the server closes it, and reports on stdout (JSON)
 * how each one ended. It prints `ALL_OPENED` once every connection has been attempted.
 *
 * A connection the server closes within `refusedWithinMs` of the TCP connect counts as refused
 * (the caps act at once); one closed later counts as closed by a timeout.
 *
 * usage: node flood.js '{"port":1234,"mode":"raw"|"tls","count":10000,"from":["127.0.0.2"],"refusedWithinMs":500,"holdMs":15000}'
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

interface Options {
  port: number;
  mode: 'raw' | 'tls';
  count: number;
  from: string[];
  refusedWithinMs: number;
  /** After the last connection was attempted, wait at most this long for the server to close the rest. */
  holdMs: number;
  /** New connections per second at most (default 400), so the server's accept queue stays short. */
  perSecond?: number;
}

const opts = JSON.parse(process.argv[2]) as Options;

/** This process's open-file limit (Linux), so the flood never fails for lack of descriptors itself. */
function fdLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft)) return soft;
  } catch {
    /* not Linux */
  }
  return 1024;
}

const maxOpen = Math.max(100, fdLimit() - 200);
const maxPending = 64;
/** At most this many new connections per second, so the kernel's accept queue is not what the test measures. */
const perSecond = opts.perSecond ?? 400;
const started = Date.now();
const tally = { attempted: 0, connected: 0, connectFailed: 0, refused: 0, closedByTimeout: 0, secured: 0, answered408: 0, stillOpen: 0, maxOpen: 0, closeAfterConnectMs: [] as number[] };
let open = 0;
let pending = 0;
const live = new Set<net.Socket>();
const context = tls.createSecureContext({});

function openOne(i: number): void {
  tally.attempted++;
  open++;
  pending++;
  tally.maxOpen = Math.max(tally.maxOpen, open);
  const localAddress = opts.from[i % opts.from.length];
  let connectedAt = 0;
  let done = false;
  const socket: net.Socket =
    opts.mode === 'raw'
      ? net.connect({ port: opts.port, host: '127.0.0.1', localAddress })
      : tls.connect({ port: opts.port, host: '127.0.0.1', localAddress, servername: 'localhost', rejectUnauthorized: false, secureContext: context } as tls.ConnectionOptions);
  live.add(socket);
  const onConnect = () => {
    if (connectedAt) return;
    connectedAt = Date.now();
    tally.connected++;
    pending--;
    pump();
  };
  // The TCP connect of a TLS socket is its underlying 'connect'.
  socket.once('connect', onConnect);
  if (opts.mode === 'tls') socket.once('secureConnect', () => tally.secured++);
  socket.on('data', (d: Buffer) => {
    if (d.toString('latin1').startsWith('HTTP/1.1 408')) tally.answered408++;
  });
  socket.on('error', () => undefined);
  socket.once('close', () => {
    if (done) return;
    done = true;
    live.delete(socket);
    open--;
    if (!connectedAt) {
      pending--;
      tally.connectFailed++;
    } else {
      const after = Date.now() - connectedAt;
      tally.closeAfterConnectMs.push(after);
      if (after < opts.refusedWithinMs) tally.refused++;
      else tally.closedByTimeout++;
    }
    pump();
  });
}

let next = 0;
let announced = false;
let paced: NodeJS.Timeout | undefined;
function pump(): void {
  const allowed = Math.floor(((Date.now() - started) / 1000) * perSecond) + maxPending;
  while (next < opts.count && open < maxOpen && pending < maxPending && next < allowed) openOne(next++);
  if (next < opts.count && next >= allowed && !paced) {
    paced = setTimeout(() => {
      paced = undefined;
      pump();
    }, 20);
  }
  if (next >= opts.count && !announced) {
    announced = true;
    process.stdout.write('ALL_OPENED\n');
    setTimeout(finish, opts.holdMs).unref();
  }
  if (announced && open === 0) finish();
}

let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  tally.stillOpen = live.size;
  for (const s of live) s.destroy();
  const sorted = tally.closeAfterConnectMs.sort((a, b) => a - b);
  const pick = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
  const { closeAfterConnectMs: _omit, ...rest } = tally;
  process.stdout.write(`${JSON.stringify({ ...rest, mode: opts.mode, elapsedMs: Date.now() - started, closeAfterConnectMedianMs: pick(0.5), closeAfterConnectMaxMs: pick(1) })}\n`);
  setTimeout(() => process.exit(0), 50);
}

pump();
