/**
 * The shape of the command table: commands, their arguments and help are data; main parses
 * the command line from it, help is rendered from it, and a handler name says what runs.
 */
import type { Shape } from '../shorthand.js';

export type FinalStateVia = 'azure-async-operation' | 'location' | 'original-uri';

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
  idPart?: 'subscription' | 'resource_group' | 'name' | 'child_name_1' | 'child_name_2';
  /** 'strings'/'shape' args that may be given with no words at all (`--tags` clears tags) */
  allowEmpty?: boolean;
  /** where the value goes in the request body, as a dotted path ('properties.machineDetails') */
  body?: string;
  /** a list of strings sent as a list of objects with this key (--ssh-key-values -> [{keyData}]) */
  bodyItemKey?: string;
  /** the URL placeholder this argument fills ('bareMetalMachineName') */
  pathParam?: string;
  /** the query parameter it sets ('$top') */
  query?: string;
  /** the request header it sets ('If-Match') */
  header?: string;
  /** 'int': the value must be an integer (argparse's type=int) and is sent as a number */
  valueType?: 'int';
  /** client-side format checks az makes before sending anything (InvalidArgumentValue) */
  fmt?: Fmt;
  /** managed identity switches: --mi-system-assigned / --mi-user-assigned */
  identity?: 'system' | 'user';
  /** a password: never echoed */
  secret?: boolean;
  /** azemu's own addition (az has no such argument): marked in help */
  azemu?: boolean;
}

/** aaz's argument formats: string pattern and length, integer range. */
export interface Fmt {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

export interface Example {
  title: string;
  command: string;
}

/** What runs: a handler module plus its parameters (kept as data so the table stays data). */
export type Run =
  | NetworkCloudRun
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
  | { handler: 'emulatorPki'; op: string }
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

/** How a generated `networkcloud` command runs (cli/commands/generated, from the extension's model). */
export interface NetworkCloudRun {
  handler: 'networkcloud';
  op: NetworkCloudOp;
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  /** URL template with {placeholders}, as the API spells it */
  url: string;
  /** list commands: the URL templates to choose from, most specific first */
  listUrls?: string[];
  /** the resource's own URL (an action's without the action segment): final GET, wait */
  resourceUrl: string;
  /** resource type, e.g. 'bareMetalMachines' or 'clusters/bmcKeySets' (checked against --ids) */
  armType: string;
  lro?: boolean;
  /** the operation's final-state-via in the model: which GET gives the result of a long-running operation */
  finalStateVia?: FinalStateVia;
  /** 'flatten': the result with properties lifted (aaz client_flatten); 'identity': its identity; 'none': nothing */
  output: 'flatten' | 'none' | 'identity';
  /** the extension's table transformer: exactly these columns for -o table */
  table?: string[];
  /** keys the response schema declares as floating-point numbers (printed 100.0, not 100) */
  floats?: string[];
  /** the extension's managed-identity arguments: 'create' sends identity {type: None} when none is given */
  managedIdentity?: 'create' | 'update';
  /** path values the extension fixes (metricsConfigurationName = default) */
  fixed?: Record<string, string>;
}

export interface GeneratedTable {
  version: string;
  groups: GroupDef[];
  commands: CommandDef[];
}

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
  /** az's stage: Preview commands print az's preview warning on stderr */
  stage?: 'Preview' | 'Stable';
  /** false: only in the model, not in the extension (offered only as an azemu addition) */
  shipped?: boolean;
  /** azemu's own command (az has none): marked in help */
  azemu?: boolean;
}

export interface GroupDef {
  path: string[];
  summary: string;
  preview?: boolean;
}
