#!/usr/bin/env node
/**
 * `npm start`: rebuild if a source changed since the last build (build-if-stale.mjs, a few stat
 * calls), then run the emulator (dist/rp/main.js) in this same process, so a start costs one node.
 */
import { buildIfStale } from './build-if-stale.mjs';

const status = buildIfStale();
if (status !== 0) process.exit(status);
await import('../dist/rp/main.js');
