/**
 * `azemu emulator fault add|list|show|remove|clear`: the emulator's fault rules
 * (/_emulator/faults). The flags of `add` mirror the rule's JSON; --file posts rules from a
 * JSON or YAML file. azemu only (hand-written, not generated).
 */
import type { ArgDef, CommandDef, GroupDef } from './types.js';

const MATCH = 'Match';
const EFFECT = 'Effect';
const LIMITS = 'Limits';

const addArgs: ArgDef[] = [
  { dest: 'file', options: ['--file'], kind: 'string', help: 'A JSON or YAML file with one rule, a list of rules, or {"faults": [...]}. Not combined with the other flags.' },
  { dest: 'ruleId', options: ['--rule-id'], kind: 'string', help: 'The id to give the rule (letters, digits, . _ -). Default: a generated one.' },
  { dest: 'description', options: ['--description'], kind: 'string', help: 'What the rule is for.' },
  { dest: 'method', options: ['--method'], kind: 'string', group: MATCH, choices: ['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'HEAD'], help: 'Only requests with this HTTP method.' },
  { dest: 'resourceType', options: ['--resource-type'], kind: 'string', group: MATCH, help: 'Only this resource type, e.g. Microsoft.NetworkCloud/bareMetalMachines.' },
  { dest: 'name', options: ['--name'], kind: 'string', group: MATCH, help: 'Only resources whose name matches this glob (* and ?), e.g. r01c00*.' },
  { dest: 'resourceId', options: ['--resource-id'], kind: 'string', group: MATCH, help: 'Only request paths matching this glob, e.g. /subscriptions/*/resourceGroups/test-*.' },
  { dest: 'action', options: ['--action'], kind: 'string', group: MATCH, help: 'Only this action (POST), e.g. cordon.' },
  { dest: 'apiVersion', options: ['--api-version'], kind: 'string', group: MATCH, help: 'Only requests with this api-version.' },
  { dest: 'caller', options: ['--caller'], kind: 'string', group: MATCH, help: "Only requests by this principal (object id or app id)." },
  { dest: 'status', options: ['--status'], kind: 'string', group: EFFECT, help: 'Answer with this HTTP status (400-599) and an ARM error; with --operation-status, the status the Location URL answers with.' },
  { dest: 'code', options: ['--code'], kind: 'string', group: EFFECT, help: 'The ARM error code (with --status; default from the status, e.g. TooManyRequests).' },
  { dest: 'message', options: ['--message'], kind: 'string', group: EFFECT, help: 'The ARM error message (with --status).' },
  { dest: 'retryAfter', options: ['--retry-after'], kind: 'string', group: EFFECT, help: 'Seconds for the Retry-After header (with --status).' },
  { dest: 'delayMs', options: ['--delay-ms'], kind: 'string', group: EFFECT, help: 'Delay the response by this many milliseconds (alone, or before --status or --drop).' },
  { dest: 'drop', options: ['--drop'], kind: 'flag', group: EFFECT, help: 'Close the connection without answering.' },
  { dest: 'operationStatus', options: ['--operation-status'], kind: 'string', group: EFFECT, choices: ['Failed', 'Canceled'], help: 'End the long-running operation the request starts with this status.' },
  { dest: 'errorCode', options: ['--error-code'], kind: 'string', group: EFFECT, help: "The operation's error code (with --operation-status)." },
  { dest: 'errorMessage', options: ['--error-message'], kind: 'string', group: EFFECT, help: "The operation's error message (with --operation-status)." },
  { dest: 'operationDelay', options: ['--operation-delay'], kind: 'string', group: EFFECT, help: "Keep the operation InProgress this long on the emulator's clock, e.g. 2h." },
  { dest: 'throttleReads', options: ['--throttle-reads'], kind: 'string', group: EFFECT, help: 'Throttle: read requests (GET) allowed per window, per subscription and caller.' },
  { dest: 'throttleWrites', options: ['--throttle-writes'], kind: 'string', group: EFFECT, help: 'Throttle: write requests allowed per window, per subscription and caller.' },
  { dest: 'throttleWindow', options: ['--throttle-window'], kind: 'string', group: EFFECT, help: "Throttle: the window on the emulator's clock, e.g. 1h (default 1h)." },
  { dest: 'count', options: ['--count'], kind: 'string', group: LIMITS, help: 'Inject at most this many faults.' },
  { dest: 'probability', options: ['--probability'], kind: 'string', group: LIMITS, help: 'Inject with this probability (0-1) per matching request.' },
  { dest: 'seed', options: ['--seed'], kind: 'string', group: LIMITS, help: 'Seed of the random choice (with --probability): the same seed fails the same requests.' },
  { dest: 'expires', options: ['--expires'], kind: 'string', group: LIMITS, help: "The rule ends at this ISO 8601 time on the emulator's clock." },
];

const idArg: ArgDef = { dest: 'id', options: ['--id'], kind: 'string', required: true, help: 'The rule id.' };

export const FAULT_GROUPS: GroupDef[] = [{ path: ['emulator', 'fault'], summary: 'Make the emulator fail on purpose: ARM errors, throttling, delays, dropped connections, failed operations.' }];

export const FAULT_COMMANDS: CommandDef[] = [
  {
    path: ['emulator', 'fault', 'add'],
    summary: 'Add a fault rule.',
    description: 'A rule matches requests (all --method, --resource-type, --name ... given must hold) and has one effect: an ARM error (--status), a delay, a dropped connection, a failed or delayed long-running operation, or throttling. Prints the rule with its id.',
    args: addArgs,
    examples: [
      { title: 'The next GET of a machine gets a 429 with Retry-After', command: 'azemu emulator fault add --method GET --resource-type Microsoft.NetworkCloud/bareMetalMachines --status 429 --retry-after 2 --count 1' },
      { title: 'Every cordon operation ends Failed', command: 'azemu emulator fault add --action cordon --operation-status Failed --error-code MachineBusy --error-message "The machine is busy."' },
      { title: 'Throttle reads to 100 per hour', command: 'azemu emulator fault add --throttle-reads 100 --throttle-window 1h' },
      { title: 'Rules from a file', command: 'azemu emulator fault add --file faults.yaml' },
    ],
    run: { handler: 'fault', op: 'add' },
  },
  {
    path: ['emulator', 'fault', 'list'],
    summary: 'List the fault rules, with how often each has fired.',
    args: [],
    examples: [{ title: 'The rules as a table', command: 'azemu emulator fault list -o table' }],
    run: { handler: 'fault', op: 'list' },
  },
  {
    path: ['emulator', 'fault', 'show'],
    summary: 'Show one fault rule.',
    args: [idArg],
    examples: [{ title: 'How often a rule fired', command: 'azemu emulator fault show --id throttle-reads --query fired' }],
    run: { handler: 'fault', op: 'show' },
  },
  {
    path: ['emulator', 'fault', 'remove'],
    summary: 'Remove one fault rule.',
    args: [idArg],
    examples: [{ title: 'Remove a rule', command: 'azemu emulator fault remove --id throttle-reads' }],
    run: { handler: 'fault', op: 'remove' },
  },
  {
    path: ['emulator', 'fault', 'clear'],
    summary: 'Remove every fault rule.',
    args: [],
    examples: [{ title: 'Back to normal', command: 'azemu emulator fault clear' }],
    run: { handler: 'fault', op: 'clear' },
  },
];
