/** What a command handler gets, and what it gives back to main. */
import type { EmulatorClient } from './client.js';
import type { CommandDef } from './commands/types.js';
import type { Logger } from './log.js';

export interface CommandContext {
  command: CommandDef;
  /** parsed argument values by dest (see argv.parseCommandArgs) */
  values: Record<string, unknown>;
  log: Logger;
  /** an authenticated client for the logged-in emulator (throws "Please run 'azemu login'" otherwise) */
  client(): EmulatorClient;
  /** the subscription to use: --subscription, else the profile's default */
  subscriptionId(): string;
}

export interface Outcome {
  /** what to print (null/undefined prints nothing, like az) */
  result: unknown;
  /** add resourceGroup to objects with an id (az does this for every command but `rest`) */
  addResourceGroup?: boolean;
  /** az's table_transformer: the columns of `-o table` when no --query is given */
  tableTransformer?: (result: unknown) => unknown;
  /** keys the response schema declares as floats: integral values print as 100.0, as Python does */
  floatKeys?: string[];
}

export type Handler = (ctx: CommandContext) => Promise<Outcome | void>;
