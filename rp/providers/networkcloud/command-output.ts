/**
 * The run* actions of bare metal machines and storage appliances (runCommand, runReadCommands,
 * runDataExtracts, runDataExtractsRestricted): which commands the platform allows, the output the
 * emulator makes up for each from the machine's state, and the result archive.
 *
 * The service writes each result as a .tar.gz blob to a storage account and returns a SAS URL to
 * it. The emulator keeps the archive in its own store (collection `commandOutputs`) and serves it
 * itself over HTTPS at
 *   GET {endpoint}/commandoutput/{container}/{blob}?st=..&se=..&sp=r&sr=b&sv=..&sig={token}
 * The sig is a random 256-bit token kept with the archive (compared in constant time); like a
 * SAS, it is the only credential the URL needs. A result lives RESULT_TTL_MS on the virtual
 * clock (the `se` of its URL); after that the URL answers 403 and the archive is removed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import { isObject, type Json, type JsonObject } from '../../api/derive.js';
import { networkCloudType } from '../../api/registry.js';
import { errors } from '../../arm/errors.js';
import type { EmulatorHost } from '../../host.js';
import { RESOURCES, type StoredResource } from '../resource-store.js';
import { tarGz, type TarEntry } from './tar.js';

export const COMMAND_OUTPUTS = 'commandOutputs';

/** How long a result stays downloadable, on the virtual clock: 4 hours, as the service's SAS URLs. */
export const RESULT_TTL_MS = 4 * 3_600_000;

/** Read-only commands runReadCommands accepts on a bare metal machine (a command, with its leading arguments). */
export const MACHINE_READ_COMMANDS = [
  'arp', 'brctl show', 'dmidecode', 'fdisk -l', 'host', 'hostname', 'ifconfig -a', 'ifconfig -s', 'ip address show', 'ip link show',
  'ip maddress show', 'ip route show', 'journalctl', 'kubectl api-resources', 'kubectl api-versions', 'kubectl describe', 'kubectl get',
  'kubectl logs', 'mount', 'ping', 'ss', 'tcpdump', 'traceroute', 'ulimit -a', 'uname', 'uptime',
];

/** Read-only commands runReadCommands accepts on a storage appliance. */
export const APPLIANCE_READ_COMMANDS = ['purealert list', 'purearray list', 'puredrive list', 'purehost list', 'purehw list', 'purenetwork eth list', 'pureport list', 'purevol list'];

/** Data extracts: runDataExtracts' set; from 2025-07-01-preview the restricted ones move to runDataExtractsRestricted. */
export const DATA_EXTRACTS = [
  'cluster-cve-report', 'collect-helm-releases', 'collect-system-diagnostics', 'hardware-rollup-status', 'hardware-support-data-collection',
  'mde-agent-information', 'mde-support-diagnostics', 'platform-services-status',
];
export const RESTRICTED_EXTRACTS = ['cluster-cve-report', 'mde-agent-information'];
const HARDWARE_LOG_TYPES = ['SysInfo', 'TTYLog', 'Debug'];

export type CommandKind = 'runCommand' | 'runReadCommands' | 'runDataExtracts' | 'runDataExtractsRestricted';

interface CommandSpec {
  command: string;
  arguments: string[];
}

export interface CommandOutputRecord {
  container: string;
  blob: string;
  sig: string;
  startsAt: string;
  expiresAt: string;
  resourceId: string;
  /** The .tar.gz, base64. */
  archive: string;
}

function specsOf(body: JsonObject): CommandSpec[] {
  const list = Array.isArray(body.commands) ? (body.commands as Json[]) : [];
  return list.filter(isObject).map((c) => ({ command: String(c.command ?? '').trim(), arguments: Array.isArray(c.arguments) ? c.arguments.map(String) : [] }));
}

/** "kubectl get" for {command: 'kubectl', arguments: ['get', 'nodes']} or {command: 'kubectl get', arguments: ['nodes']}. */
function allowedEntry(spec: CommandSpec, allowed: string[]): string | undefined {
  const words = [...spec.command.split(/\s+/), ...spec.arguments].filter(Boolean);
  return allowed
    .filter((entry) => {
      const e = entry.split(' ');
      return e.every((w, i) => words[i] === w);
    })
    .sort((a, b) => b.length - a.length)[0];
}

/** Checks at the request: every command must be one the platform allows for this action (400 otherwise). */
export function checkCommands(kind: CommandKind, body: JsonObject, apiVersion: string, appliance = false): void {
  if (kind === 'runCommand') {
    const script = String(body.script ?? '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(script) || script.length % 4 !== 0) {
      throw errors.badRequest('InvalidScript', 'script must be the base64 encoding of the script to run.', 'script');
    }
    return;
  }
  const specs = specsOf(body);
  specs.forEach((spec, i) => {
    const target = `commands[${i}].command`;
    if (kind === 'runReadCommands') {
      const allowed = appliance ? APPLIANCE_READ_COMMANDS : MACHINE_READ_COMMANDS;
      if (!allowedEntry(spec, allowed)) {
        throw errors.badRequest('UnsupportedCommand', `'${[spec.command, ...spec.arguments].join(' ')}' is not one of the read-only commands runReadCommands allows. Allowed: ${allowed.join(', ')}.`, target);
      }
      return;
    }
    // The restricted extracts moved to their own action in the versions that have it (from the model).
    const restrictedSplit = networkCloudType('bareMetalMachines')?.at(apiVersion)?.action('runDataExtractsRestricted') !== undefined;
    const allowed = kind === 'runDataExtractsRestricted' ? RESTRICTED_EXTRACTS : restrictedSplit ? DATA_EXTRACTS.filter((c) => !RESTRICTED_EXTRACTS.includes(c)) : DATA_EXTRACTS;
    if (!allowed.includes(spec.command)) {
      const hint = kind === 'runDataExtracts' && restrictedSplit && RESTRICTED_EXTRACTS.includes(spec.command) ? ' It is a restricted extract: use runDataExtractsRestricted.' : '';
      throw errors.badRequest('UnsupportedCommand', `'${spec.command}' is not a data extract ${kind} runs.${hint} Allowed: ${allowed.join(', ')}.`, target);
    }
    if (spec.command === 'hardware-support-data-collection') {
      const bad = spec.arguments.find((a) => !HARDWARE_LOG_TYPES.includes(a));
      if (bad !== undefined || !spec.arguments.length) {
        throw errors.badRequest('InvalidCommandArguments', `hardware-support-data-collection takes one or more log types of ${HARDWARE_LOG_TYPES.join(', ')}${bad !== undefined ? `, not '${bad}'` : ''}.`, `commands[${i}].arguments`);
      }
    }
  });
}

// ------------------------------------------------------------------ made-up output

interface Host {
  name: string;
  props: JsonObject;
  clusterMachines: StoredResource[];
  now: Date;
}

function hostOf(emu: EmulatorHost, stored: StoredResource): Host {
  const props = stored.resource.properties as JsonObject;
  const clusterId = String(props.clusterId ?? '').toLowerCase();
  const clusterMachines = emu.store.list<StoredResource>(RESOURCES)
    .filter((r) => r.type === 'Microsoft.NetworkCloud/bareMetalMachines' && String((r.resource.properties as JsonObject).clusterId ?? '').toLowerCase() === clusterId)
    .sort((a, b) => String(a.resource.name).localeCompare(String(b.resource.name)));
  return { name: String(props.kubernetesNodeName ?? stored.resource.name).toLowerCase(), props, clusterMachines, now: emu.clock.now() };
}

function readOutput(entry: string, spec: CommandSpec, h: Host): string {
  const p = h.props;
  const mac = String(p.bootMacAddress ?? '00:00:00:00:00:00').toLowerCase();
  const ip = String(p.oamIpv4Address ?? p.managementIpv4Address ?? '127.0.0.1');
  switch (entry) {
    case 'hostname':
      return `${h.name}\n`;
    case 'uname':
      return spec.arguments.includes('-a') || spec.command.includes('-a') ? `Linux ${h.name} 5.15.173.1-2.azl3 #1 SMP x86_64 GNU/Linux\n` : 'Linux\n';
    case 'uptime':
      return ` ${h.now.toISOString().slice(11, 19)} up 12 days,  3:41,  0 users,  load average: 0.42, 0.38, 0.35\n`;
    case 'ip address show':
      return `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN\n    inet 127.0.0.1/8 scope host lo\n2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 state UP\n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff\n    inet ${ip}/24 scope global eno1\n`;
    case 'ip link show':
      return `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN mode DEFAULT\n2: eno1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 state UP mode DEFAULT\n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff\n`;
    case 'ip route show':
      return `default via ${ip.replace(/\.\d+$/, '.1')} dev eno1 proto static\n${ip.replace(/\.\d+$/, '.0')}/24 dev eno1 proto kernel scope link src ${ip}\n`;
    case 'dmidecode':
      return `# dmidecode 3.5\nSystem Information\n\tManufacturer: Dell Inc.\n\tProduct Name: PowerEdge R750\n\tSerial Number: ${String(p.serialNumber ?? '')}\n`;
    case 'kubectl get': {
      const rows = h.clusterMachines.map((m) => {
        const mp = m.resource.properties as JsonObject;
        const status = `${mp.readyState === 'True' ? 'Ready' : 'NotReady'}${mp.cordonStatus === 'Cordoned' ? ',SchedulingDisabled' : ''}`;
        const role = String((mp.machineRoles as string[] | undefined)?.[0] ?? '').includes('control-plane') ? 'control-plane' : '<none>';
        return `${String(mp.kubernetesNodeName ?? m.resource.name).padEnd(16)}${status.padEnd(28)}${role.padEnd(15)}12d   v${String(mp.kubernetesVersion ?? '1.30.4')}`;
      });
      return `${'NAME'.padEnd(16)}${'STATUS'.padEnd(28)}${'ROLES'.padEnd(15)}AGE   VERSION\n${rows.join('\n')}\n`;
    }
    case 'purearray list':
      return `Name        ID                                    OS          Version\n${h.name.padEnd(12)}${String(p.serialNumber ?? '')}   Purity//FA  ${String(p.version ?? '6.5.2')}\n`;
    default:
      return `${[spec.command, ...spec.arguments].join(' ')}: completed on ${h.name}\n`;
  }
}

function extractFile(spec: CommandSpec, h: Host): { name: string; content: string; log: string } {
  const stamp = h.now.toISOString().replace(/\.\d+Z$/, 'Z');
  switch (spec.command) {
    case 'hardware-rollup-status':
      return {
        name: 'rollupStatus.json',
        content: JSON.stringify({ Members: ['Current', 'Voltage', 'Fan', 'Temperature', 'PowerSupply', 'Storage'].map((s) => ({ SubSystem: s, RollupStatus: 'Ok' })) }, null, 2),
        log: `Executing hardware-rollup-status command\nGetting rollup status logs for ${h.name}\nWriting to /hostfs/tmp/runcommand`,
      };
    case 'mde-agent-information':
      return {
        name: 'mde-agent-information.json',
        content: JSON.stringify({ generalHealth: { healthy: true, licensed: true }, mdeDefinitions: { definitionsVersion: String((h.props.runtimeProtectionStatus as JsonObject | undefined)?.definitionsVersion ?? '1.0.0') } }, null, 2),
        log: `Executing mde-agent-information command\nMDE agent is running, proceeding with data extract\nWriting to /hostfs/tmp/runcommand`,
      };
    case 'cluster-cve-report':
      return {
        name: 'cluster-cve-report.json',
        content: JSON.stringify({ metadata: { dateRetrieved: stamp, platform: 'Nexus', resource: h.name }, vulnerabilities: [] }, null, 2),
        log: 'Executing cluster-cve-report command\nNo vulnerabilities at or above the requested severity\nWriting to /hostfs/tmp/runcommand',
      };
    case 'collect-helm-releases':
      return {
        name: 'helm-releases.json',
        content: JSON.stringify({ metadata: { dateRetrieved: stamp, resource: h.name }, helmReleases: [{ name: 'nexus-platform', namespace: 'nc-system', revision: '1', status: 'deployed', chart: 'nexus-platform-1.0.0', app_version: '1.0.0', updated: stamp }] }, null, 2),
        log: 'Executing collect-helm-releases command\nWriting to /hostfs/tmp/runcommand',
      };
    case 'platform-services-status':
      return {
        name: 'platform-services-status.txt',
        content: 'UNIT              LOAD   ACTIVE SUB     DESCRIPTION\ncontainerd.service loaded active running containerd container runtime\nkubelet.service   loaded active running kubelet\n',
        log: 'UNIT              LOAD   ACTIVE SUB     DESCRIPTION\ncontainerd.service loaded active running containerd container runtime\nkubelet.service   loaded active running kubelet',
      };
    case 'hardware-support-data-collection':
      return {
        name: `hardware-support-data-${stamp}.txt`,
        content: `SupportAssist collection of ${spec.arguments.join(',')} for ${h.name} (serial ${String(h.props.serialNumber ?? '')})\n`,
        log: `Executing hardware-support-data-collection command\nGetting following hardware support logs: ${spec.arguments.join(',')}\nCollection successfully exported to /hostfs/tmp/runcommand/hardware-support-data-${stamp}.txt`,
      };
    default:
      return {
        name: `${spec.command}-${h.name}.txt`,
        content: `${spec.command} for ${h.name} at ${stamp}\n`,
        log: `Executing ${spec.command} command\nWriting to /hostfs/tmp/runcommand`,
      };
  }
}

/** runCommand: the emulator runs no scripts; it prints what the script's `echo` lines would and honours `exit N`. */
function scriptOutput(script: string, args: string[]): { log: string; exitCode: number } {
  const lines: string[] = [];
  let exitCode = 0;
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    const echo = /^echo\s+(.*)$/.exec(line);
    if (echo) lines.push(echo[1].replace(/^(['"])(.*)\1$/, '$2').replace(/\$(\d)/g, (_m, n: string) => args[Number(n) - 1] ?? ''));
    const exit = /^exit\s+(\d+)/.exec(line);
    if (exit) {
      exitCode = Number(exit[1]) & 0xff;
      break;
    }
  }
  return { log: lines.join('\n'), exitCode };
}

/**
 * Runs the commands (in the emulator's way), stores the archive and returns the operation's
 * properties: exitCode, outputHead, resultUrl and resultRef.
 */
export async function produceResult(emu: EmulatorHost, stored: StoredResource, kind: CommandKind, body: JsonObject, operationId: string): Promise<JsonObject> {
  const h = hostOf(emu, stored);
  const mtime = Math.floor(h.now.getTime() / 1000);
  const files: TarEntry[] = [];
  const out: string[] = [];
  let exitCode = 0;
  if (kind === 'runCommand') {
    const script = Buffer.from(String(body.script ?? ''), 'base64').toString('utf8');
    const args = Array.isArray(body.arguments) ? body.arguments.map(String) : [];
    const r = scriptOutput(script, args);
    exitCode = r.exitCode;
    files.push({ name: 'script.sh', content: script, mtime });
    out.push(r.log);
  } else {
    const appliance = stored.type === 'Microsoft.NetworkCloud/storageAppliances';
    specsOf(body).forEach((spec, i) => {
      const n = String(i + 1).padStart(2, '0');
      if (kind === 'runReadCommands') {
        const entry = allowedEntry(spec, appliance ? APPLIANCE_READ_COMMANDS : MACHINE_READ_COMMANDS) ?? spec.command;
        const text = readOutput(entry, spec, h);
        files.push({ name: `commands/${n}-${entry.replace(/[^a-z0-9]+/gi, '-')}.txt`, content: text, mtime });
        out.push(`$ ${[spec.command, ...spec.arguments].join(' ')}\n${text.trimEnd()}`);
      } else {
        const f = extractFile(spec, h);
        files.push({ name: `extracts/${f.name}`, content: f.content, mtime });
        out.push(f.log);
      }
    });
  }
  const fullOutput = `====Action Command Output====\n${out.join('\n')}\n`;
  files.unshift({ name: 'output.log', content: fullOutput, mtime });
  const archive = tarGz(files);

  const container = stored.type === 'Microsoft.NetworkCloud/storageAppliances' ? 'storage-run-command-output' : 'bmm-run-command-output';
  const suffix = { runCommand: 'bmmruncmd', runReadCommands: 'bmmreadcmd', runDataExtracts: 'bmmdataextcmd', runDataExtractsRestricted: 'bmmdataextrestrictedcmd' }[kind];
  const blob = `${operationId}-action-${suffix}.tar.gz`;
  const sig = randomBytes(32).toString('base64url');
  const startsAt = new Date(h.now.getTime()).toISOString().replace(/\.\d+Z$/, 'Z');
  const expiresAt = new Date(h.now.getTime() + RESULT_TTL_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  const record: CommandOutputRecord = { container, blob, sig, startsAt, expiresAt, resourceId: stored.id, archive: archive.toString('base64') };
  await emu.store.put(COMMAND_OUTPUTS, `${container}/${blob}`.toLowerCase(), record);
  const ref = `${emu.endpoint}commandoutput/${container}/${blob}`;
  // The times are left readable (':' needs no escaping in a query); the token is base64url.
  const resultUrl = `${ref}?st=${startsAt}&se=${expiresAt}&sp=r&spr=https&sr=b&sv=2019-12-12&sig=${sig}`;
  const head = fullOutput.split('\n').slice(0, 40).join('\n').trimEnd();
  return {
    exitCode: String(exitCode),
    outputHead: `${head}\n\n================================\nScript execution result can be found in storage account:\n${resultUrl}\n`,
    resultUrl,
    resultRef: ref,
  };
}

/** Removes results whose time has passed (clock listener). */
export async function pruneResults(emu: EmulatorHost): Promise<void> {
  const now = emu.clock.nowMs();
  const stale = emu.store.entries<CommandOutputRecord>(COMMAND_OUTPUTS).filter(([, r]) => Date.parse(r.expiresAt) <= now);
  if (stale.length) await emu.store.batch(stale.map(([key]) => ({ op: 'delete' as const, collection: COMMAND_OUTPUTS, key })));
}

function storageError(res: express.Response, status: number, code: string, message: string): void {
  res.status(status).type('application/xml').set('x-ms-error-code', code).send(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** GET/HEAD of a result archive, with its SAS-like token. */
export function commandOutputRouter(emu: EmulatorHost): Router {
  const router = express.Router();
  router.get('/commandoutput/:container/:blob', (req, res) => {
    const key = `${req.params.container}/${req.params.blob}`.toLowerCase();
    const record = emu.store.get<CommandOutputRecord>(COMMAND_OUTPUTS, key);
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    const given = Buffer.from(sig);
    const expected = Buffer.from(record?.sig ?? '');
    if (!record || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      // As a storage account answers a SAS it cannot verify: the blob's existence is not revealed.
      storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.');
      return;
    }
    if (emu.clock.nowMs() >= Date.parse(record.expiresAt)) {
      storageError(res, 403, 'AuthenticationFailed', `Signed expiry time [${new Date(record.expiresAt).toUTCString()}] must be after the current time [${emu.clock.now().toUTCString()}].`);
      return;
    }
    const body = Buffer.from(record.archive, 'base64');
    res.status(200).set({ 'Content-Type': 'application/gzip', 'Content-Length': String(body.length), 'x-ms-blob-type': 'BlockBlob' });
    if (req.method === 'HEAD') res.end();
    else res.end(body);
  });
  return router;
}
