/** The emulator's start-up options (the `npm start -- ...` flags), with their defaults. */
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connections.js';

export interface EmulatorConfig {
  host: string;
  port: number;
  dataDir: string;
  inMemory: boolean;
  seed: 'demo' | 'none' | 'auto';
  looseAuth: boolean;
  reset: boolean;
  /** How long a long-running operation stays InProgress, in milliseconds (0 allowed). */
  operationDurationMs: number;
  /** Host name the emulator advertises in URLs and in its serving certificate. */
  publicHost: string;
  quiet: boolean;
  /** Timeouts and connection caps of every listener (rp/connections.ts). */
  connections: ConnectionLimits;
  /**
   * How cluster-site certificates are dated (docs/pki.md): 'wall' keeps notBefore in real time so
   * real clients verify without a fake clock; 'virtual' dates everything on the virtual clock.
   */
  certificateDating: 'wall' | 'virtual';
}

export const DEFAULT_CONFIG: EmulatorConfig = {
  host: '127.0.0.1',
  port: 8443,
  dataDir: './.nce',
  inMemory: false,
  seed: 'auto',
  looseAuth: false,
  reset: false,
  operationDurationMs: 1000,
  publicHost: 'localhost',
  quiet: false,
  connections: DEFAULT_CONNECTION_LIMITS,
  certificateDating: 'wall',
};
