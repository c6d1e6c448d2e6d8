/**
 * The shape of the command table: commands, their arguments and help are data; main parses
 * the command line from it, help is rendered from it, and a handler name says what runs.
 */
import type { Shape } from '../shorthand.js';

export type ArgKind =
  /** one value */
  | 'string'
  /** a switch; az also accepts an explicit true/false/yes/no/1/0 after it */
  | 'flag'
  /** one or more words (nargs='+') */
  | 'strings'
  /** a complex value in shorthand syntax, JSON or @file; one or more words */
  | 'shape';

export interface ArgDef {
  /** key in the parsed arguments */
  dest: string;
  /** the first long option is the canonical name used in messages */
  options: string[];
  help: string;
  kind: ArgKind;
  shape?: Shape;
  required?: boolean;
  /** allowed values, matched case-insensitively and sent with this spelling */
  choices?: readonly string[];
  default?: string | boolean;
  /** value of a bare `--flag` for a 'string' arg with choices (e.g. --evacuate -> "True") */
  blankValue?: string;
  /** left out of help (az hides it too) */
  hidden?: boolean;
  /** help section, e.g. 'Resource Id', 'Properties', 'Identity'; default 'Arguments' */
  group?: string;
  /** filled from --ids: which part of the resource id */
  idPart?: 'subscription' | 'resource_group' | 'name';
  /** 'strings'/'shape' args that may be given with no words at all (`--tags` clears tags) */
  allowEmpty?: boolean;
  /** where the value goes in the request body, as a dotted path ('properties.machineDetails') */
  body?: string;
}

export interface Example {
  title: string;
  command: string;
}

/** What runs: a handler module plus its parameters (kept as data so the table stays data). */
export type Run =
  | { handler: 'networkcloud'; op: NetworkCloudOp; resource: string; action?: string; actionBody?: 'none' | 'args' }
  | { handler: 'account'; op: 'login' | 'logout' | 'show' | 'list' | 'set' }
  | { handler: 'group'; op: 'create' | 'show' | 'list' | 'delete' | 'exists' | 'wait' }
  | { handler: 'rest' }
  | { handler: 'version' }
  | { handler: 'clock'; op: 'show' | 'advance' | 'set' }
  | { handler: 'resource'; op: 'create' | 'show' | 'list' | 'delete'; kind: ArmKind }
  | { handler: 'role'; op: RoleOp }
  | { handler: 'secret'; op: 'show' | 'list-versions' }
  | { handler: 'keyvault'; op: 'recover' | 'purge' | 'list-deleted' | 'show-deleted' }
  | { handler: 'site'; op: SiteOp }
  | { handler: 'fault'; op: 'add' | 'list' | 'show' | 'remove' | 'clear' };

/** The ARM resource types of `azemu identity` and `azemu keyvault`. */
export type ArmKind = 'identity' | 'vault';

export type RoleOp = 'assignment-create' | 'assignment-list' | 'assignment-delete' | 'definition-list';

export type SiteOp = 'list' | 'show' | 'issuers' | 'certificates' | 'certificate-show' | 'trust-bundle' | 'revoke' | 'root';

export type NetworkCloudOp =
  | 'show'
  | 'list'
  | 'update'
  | 'create'
  | 'delete'
  | 'action'
  | 'wait'
  | 'identity-show'
  | 'identity-assign'
  | 'identity-remove';

export interface CommandDef {
  /** e.g. ['networkcloud', 'baremetalmachine', 'show'] */
  path: string[];
  summary: string;
  description?: string;
  args: ArgDef[];
  examples: Example[];
  run: Run;
  /** talks to ARM: gets --subscription, and its output gets resourceGroup added */
  arm?: boolean;
  /** positional arguments (only `emulator clock advance|set` has one) */
  positional?: { dest: string; metavar: string; help: string; required: boolean };
  /** asks "Are you sure...?" unless --yes (az's confirmation) */
  confirmation?: string;
  preview?: boolean;
}

export interface GroupDef {
  path: string[];
  summary: string;
  preview?: boolean;
}
