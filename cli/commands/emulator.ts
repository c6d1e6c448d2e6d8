/**
 * `azemu emulator site ...` and `azemu emulator pki root`: the in-cluster PKI's site view
 * (what cert-manager and trust-manager would hold in each deployed cluster), read from the
 * emulator's /_emulator/sites and /_emulator/pki routes, and revocation rules. azemu only.
 */
import type { ArgDef, CommandDef, GroupDef } from './types.js';

const SITE = 'Site';

/** Which deployed cluster: --cluster-id, or --resource-group with --cluster (and --subscription). */
const siteArgs: ArgDef[] = [
  { dest: 'clusterId', options: ['--cluster-id'], kind: 'string', group: SITE, help: 'The resource ID of the cluster. Give it, or --resource-group and --cluster.' },
  { dest: 'cluster', options: ['--cluster', '--cluster-name'], kind: 'string', group: SITE, help: 'The name of the cluster (with --resource-group).' },
  { dest: 'resourceGroup', options: ['--resource-group', '-g'], kind: 'string', group: SITE, help: "The cluster's resource group (with --cluster)." },
];

const byId = '--cluster-id CLUSTER_ID';
const byName = '-g nexus-demo-rg --cluster demo-cluster';

export const EMULATOR_GROUPS: GroupDef[] = [
  { path: ['emulator', 'site'], summary: "The in-cluster PKI of deployed clusters: issuers, certificates, trust bundle, revocation (the site view)." },
  { path: ['emulator', 'site', 'certificate'], summary: 'One leaf certificate of a site, as a cert-manager Certificate.' },
  { path: ['emulator', 'pki'], summary: "Look up the emulator's cluster CAs." },
];

const site = (op: 'show' | 'issuers' | 'certificates' | 'trust-bundle', summary: string, examples: CommandDef['examples'], description?: string): CommandDef => ({
  path: ['emulator', 'site', op],
  summary,
  ...(description ? { description } : {}),
  args: siteArgs,
  examples,
  run: { handler: 'site', op },
  arm: true,
});

export const EMULATOR_COMMANDS: CommandDef[] = [
  {
    path: ['emulator', 'site', 'list'],
    summary: 'List every deployed site (summaries).',
    args: [],
    examples: [{ title: 'List the sites', command: 'azemu emulator site list --query "[].{cluster:clusterId, ca:caCertificate.hash}"' }],
    run: { handler: 'site', op: 'list' },
  },
  site('show', "Show a cluster's site: pkiId, settings, caCertificate (hash, issuer revision), live endpoints, the next scheduled renewal or rotation.", [
    { title: 'Show the demo cluster\'s site', command: `azemu emulator site show ${byName}` },
    { title: 'The serial each BMC endpoint presents now', command: `azemu emulator site show ${byId} --query "endpoints[].{name:name, port:port, serial:servingSerial}" -o table` },
  ]),
  site('issuers', "List a site's CA certificates: root, customer CA, active, pending and retiring issuers, with cert-manager-like status and rotation plan.", [
    { title: 'The issuers as a table', command: `azemu emulator site issuers ${byName} -o table` },
  ]),
  site('certificates', "List a site's leaf certificates as cert-manager Certificates (spec, status with Ready/Issuing conditions, revision, serial, fingerprint).", [
    { title: 'The leaves as a table', command: `azemu emulator site certificates ${byName} -o table` },
    { title: 'Revisions of the BMC leaves', command: `azemu emulator site certificates ${byId} --query "[?purpose=='bmc'].{name:name, revision:status.revision}"` },
  ]),
  site('trust-bundle', "Show a site's trust bundle (trust-manager's Bundle): interface issuers (old, old+new, new), infra issuers, the root, customer CAs, and the PEM.", [
    { title: 'Save the bundle as PEM', command: `azemu emulator site trust-bundle ${byName} --query pem -o tsv > bundle.pem` },
  ]),
  {
    path: ['emulator', 'site', 'certificate', 'show'],
    summary: 'Show one leaf certificate of a site (bmc-<machine>, storage-appliance-<appliance>, platform-service-<service>).',
    args: [{ dest: 'name', options: ['--name', '-n'], kind: 'string', required: true, help: 'The certificate name, e.g. bmc-r01c001.' }, ...siteArgs],
    examples: [{ title: "A BMC's certificate revision and serial", command: `azemu emulator site certificate show ${byName} --name bmc-r01c001 --query "{revision:status.revision, serial:serial}"` }],
    run: { handler: 'site', op: 'certificate-show' },
    arm: true,
  },
  {
    path: ['emulator', 'site', 'revoke'],
    summary: "Add a revocation rule to a site: matching certificates go into their issuer's CRL, endpoints are reissued where a successor would not be revoked too.",
    description:
      'Without --not-before the rule revokes every matching certificate, existing and future; with it, only those issued before that time. ' +
      'The group is the subject O: bmc, storage-appliance or platform-services. Prints the rule, what it revoked and reissued, and the CRLs.',
    args: [
      { dest: 'by', options: ['--by'], kind: 'string', required: true, choices: ['dnsName', 'group', 'ipAddress', 'serialNumber'], help: 'What the rule matches.' },
      { dest: 'value', options: ['--value'], kind: 'string', required: true, help: 'The serial number (hex, colons allowed), group, DNS name or IP address.' },
      { dest: 'notBefore', options: ['--not-before'], kind: 'string', help: 'Revoke only certificates issued before this ISO 8601 time.' },
      { dest: 'reason', options: ['--reason'], kind: 'string', help: 'RFC 5280 reason name, e.g. keyCompromise, superseded, cessationOfOperation.' },
      ...siteArgs,
    ],
    examples: [
      { title: 'Revoke one certificate by serial number (its endpoint is reissued)', command: `azemu emulator site revoke ${byName} --by serialNumber --value SERIAL` },
      { title: 'Revoke the BMC certificates issued before now', command: `azemu emulator site revoke ${byName} --by group --value bmc --not-before 2026-01-01T00:00:00Z` },
    ],
    run: { handler: 'site', op: 'revoke' },
    arm: true,
  },
  {
    path: ['emulator', 'pki', 'root'],
    summary: 'Find the root a CA certificate chains to, by its SHA-256 fingerprint (a caCertificate.hash, any issuer revision, or a customer CA).',
    args: [{ dest: 'sha256', options: ['--sha256'], kind: 'string', required: true, help: 'The SHA-256 fingerprint: 64 hex digits, colons allowed.' }],
    examples: [{ title: "The root behind a machine's caCertificate", command: 'azemu emulator pki root --sha256 $(azemu networkcloud baremetalmachine show -g demo-cluster-mrg -n r01c001 --query caCertificate.hash -o tsv) --query root.certificate -o tsv' }],
    run: { handler: 'site', op: 'root' },
  },
];
