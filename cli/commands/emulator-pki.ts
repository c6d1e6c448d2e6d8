/**
 * `azemu emulator site ...` PKI settings, bring-your-own issuer, revocation rules, history and
 * infra mutual-TLS endpoints, and `azemu emulator kubernetes ...`: the Kubernetes clusters' PKI
 * (bootstrap tokens, exchange, renewal, node CSRs, revocation). azemu only.
 */
import type { ArgDef, CommandDef, GroupDef } from './types.js';

const SITE = 'Site';
const K8S = 'Kubernetes cluster';

const siteArgs: ArgDef[] = [
  { dest: 'clusterId', options: ['--cluster-id'], kind: 'string', group: SITE, help: 'The resource ID of the cluster. Give it, or --resource-group and --cluster.' },
  { dest: 'cluster', options: ['--cluster', '--cluster-name'], kind: 'string', group: SITE, help: 'The name of the cluster (with --resource-group).' },
  { dest: 'resourceGroup', options: ['--resource-group', '-g'], kind: 'string', group: SITE, help: "The cluster's resource group (with --cluster)." },
];

const k8sArgs: ArgDef[] = [
  { dest: 'kubernetesClusterId', options: ['--kubernetes-cluster-id'], kind: 'string', group: K8S, help: 'The resource ID of the Kubernetes cluster. Give it, or --resource-group and --name.' },
  { dest: 'name', options: ['--name', '-n', '--kubernetes-cluster-name'], kind: 'string', group: K8S, help: 'The name of the Kubernetes cluster (with --resource-group).' },
  { dest: 'resourceGroup', options: ['--resource-group', '-g'], kind: 'string', group: K8S, help: "The Kubernetes cluster's resource group (with --name)." },
];

const entryArg: ArgDef = {
  dest: 'entry', options: ['--entry'], kind: 'strings', required: true,
  help: 'One or more rules, each "by=SELECTOR,value=VALUE[,notBefore=ISO][,reason=NAME]"; SELECTOR is serialNumber, group, dnsName, dnsSuffix (Kubernetes only) or ipAddress.',
};

const byName = '-g nexus-demo-rg --cluster demo-cluster';
const k8sName = '-g nexus-demo-rg -n kc1';

export const EMULATOR_PKI_GROUPS: GroupDef[] = [
  { path: ['emulator', 'site', 'settings'], summary: "A cluster's PKI settings (key algorithm, lifetimes, renewal), before deploy." },
  { path: ['emulator', 'site', 'issuer'], summary: "Bring your own issuer: the interface issuer chains to the customer's CA (certificate and key, or the CSR flow), before deploy." },
  { path: ['emulator', 'site', 'revocation'], summary: "A site's revocation rules: add many, list, delete." },
  { path: ['emulator', 'site', 'infra'], summary: "The platform services' mutual-TLS endpoints and client certificates from the infra issuer." },
  { path: ['emulator', 'kubernetes'], summary: "Kubernetes clusters' PKI: CAs, bootstrap tokens, client and node certificates, revocation." },
];

const site = (path: string[], op: string, summary: string, args: ArgDef[], examples: CommandDef['examples']): CommandDef => ({
  path: ['emulator', 'site', ...path], summary, args: [...args, ...siteArgs], examples, run: { handler: 'emulatorPki', op }, arm: true,
});

const k8s = (name: string, op: string, summary: string, args: ArgDef[], examples: CommandDef['examples'], description?: string): CommandDef => ({
  path: ['emulator', 'kubernetes', name], summary, ...(description ? { description } : {}), args: [...args, ...k8sArgs], examples, run: { handler: 'emulatorPki', op }, arm: true,
});

const file = (dest: string, option: string, help: string, required = false): ArgDef => ({ dest, options: [option], kind: 'string', required, help });

export const EMULATOR_PKI_COMMANDS: CommandDef[] = [
  site(['settings', 'show'], 'site-settings-show', "Show a cluster's PKI settings (effective values; deployed clusters show what they were deployed with).", [], [
    { title: 'The settings of the demo cluster', command: `azemu emulator site settings show ${byName}` },
  ]),
  site(['settings', 'update'], 'site-settings-update', "Set a cluster's PKI settings before deploy (durations like 90d, 12h or P90D).", [
    { dest: 'keyAlgorithm', options: ['--key-algorithm'], kind: 'string', choices: ['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-4096'], help: 'Key algorithm of every certificate.' },
    { dest: 'rootLifetime', options: ['--root-lifetime'], kind: 'string', help: 'Root CA lifetime.' },
    { dest: 'issuerLifetime', options: ['--issuer-lifetime'], kind: 'string', help: 'Interface and infra issuer lifetime.' },
    { dest: 'leafLifetime', options: ['--leaf-lifetime'], kind: 'string', help: 'Leaf lifetime.' },
    { dest: 'renewalFraction', options: ['--renewal-fraction'], kind: 'string', help: 'Fraction of the life after which a certificate renews (0-1).' },
    { dest: 'rotationOverlap', options: ['--rotation-overlap'], kind: 'string', help: 'How long old and new issuer overlap in the trust bundle.' },
  ], [{ title: 'Four-day leaves', command: `azemu emulator site settings update ${byName} --leaf-lifetime 4d` }]),
  site(['issuer', 'show'], 'site-issuer-show', 'Show the bring-your-own-issuer configuration (mode, customer CA, CSR).', [], [
    { title: 'The issuer mode', command: `azemu emulator site issuer show ${byName} --query mode` },
  ]),
  site(['issuer', 'set'], 'site-issuer-set', 'Give the customer CA (certificate and key) or the certificate it signed from the CSR (with its chain).', [
    file('certificate', '--certificate-file', 'PEM file: the customer CA (then its chain), or the signed interface issuer.', true),
    file('privateKey', '--private-key-file', "PEM file: the customer CA's private key (certificate-and-key mode)."),
    file('chain', '--chain-file', 'PEM file: the customer CA that signed the CSR (CSR mode).'),
  ], [
    { title: 'Certificate and key', command: `azemu emulator site issuer set ${byName} --certificate-file ca.pem --private-key-file ca.key` },
    { title: 'The signed CSR', command: `azemu emulator site issuer set ${byName} --certificate-file issuer.pem --chain-file ca.pem` },
  ]),
  site(['issuer', 'csr'], 'site-issuer-csr', "Make the interface issuer's key and CSR (the emulator keeps the key); prints the configuration with the CSR.", [], [
    { title: 'Save the CSR', command: `azemu emulator site issuer csr ${byName} --query csr -o tsv > issuer.csr` },
  ]),
  site(['issuer', 'reset'], 'site-issuer-reset', "Go back to the cluster's own root, before deploy.", [], [
    { title: 'Reset', command: `azemu emulator site issuer reset ${byName}` },
  ]),
  site(['revocation', 'add'], 'site-revocation-add', 'Add one or more revocation rules (one request each, in order); prints what each revoked and reissued.', [entryArg], [
    { title: 'Revoke two serials and a group', command: `azemu emulator site revocation add ${byName} --entry by=serialNumber,value=SERIAL1 by=serialNumber,value=SERIAL2 by=group,value=bmc,notBefore=2026-01-01T00:00:00Z` },
  ]),
  site(['revocation', 'list'], 'site-revocation-list', "List a site's revocation rules with the serials each revokes.", [], [
    { title: 'The rules', command: `azemu emulator site revocation list ${byName} -o table` },
  ]),
  site(['revocation', 'delete'], 'site-revocation-delete', 'Delete a revocation rule.', [{ dest: 'ruleId', options: ['--rule-id'], kind: 'string', required: true, help: 'The rule id.' }], [
    { title: 'Delete a rule', command: `azemu emulator site revocation delete ${byName} --rule-id RULE_ID` },
  ]),
  site(['certificate', 'history'], 'site-certificate-history', "A leaf's issuance history (revision, serial, dates, reason), when this emulator records it; else the serials still in the site's history.", [
    { dest: 'certName', options: ['--name', '-n'], kind: 'string', required: true, help: 'The certificate name, e.g. bmc-r01c001.' },
  ], [{ title: 'Revisions of a BMC certificate', command: `azemu emulator site certificate history ${byName} -n bmc-r01c001 -o table` }]),
  site(['infra', 'endpoints'], 'site-infra-endpoints', "List the platform services' live mutual-TLS endpoints (they want a client certificate from the infra issuer).", [], [
    { title: 'The endpoints', command: `azemu emulator site infra endpoints ${byName} -o table` },
  ]),
  site(['infra', 'client-certificate'], 'site-infra-client-certificate', 'Have the infra issuer sign a client certificate for a CSR (you keep the key).', [
    file('csr', '--csr-file', 'PEM file: the certificate signing request (openssl req -new ...).', true),
    file('certOut', '--cert-out', 'Write the certificate followed by the infra issuer to this file.'),
  ], [{ title: 'Sign a CSR', command: `azemu emulator site infra client-certificate ${byName} --csr-file client.csr --cert-out client.pem` }]),
  {
    path: ['emulator', 'site', 'kubernetes'],
    summary: "List every Kubernetes cluster's PKI (summaries); `azemu emulator kubernetes ...` works on one.",
    args: [], examples: [{ title: 'The Kubernetes PKIs', command: 'azemu emulator site kubernetes --query "[].{name:name, api:endpoint.url}" -o table' }],
    run: { handler: 'emulatorPki', op: 'k8s-list' },
  },

  k8s('show', 'k8s-show', "Show a Kubernetes cluster's PKI: CAs, control-plane certificates, API endpoint, client certificates, bootstrap tokens (without secrets).", [], [
    { title: 'The API endpoint', command: `azemu emulator kubernetes show ${k8sName} --query endpoint.url -o tsv` },
  ]),
  k8s('settings', 'k8s-settings', 'Show or change lifetimes: non-root certificates (default 4d), client certificates (90d), agent CA (365d), bootstrap tokens (1d).', [
    { dest: 'leafLifetime', options: ['--leaf-lifetime'], kind: 'string', help: 'Control-plane and node certificates.' },
    { dest: 'clientLifetime', options: ['--client-lifetime'], kind: 'string', help: 'Client certificates from bootstrap tokens.' },
    { dest: 'agentCaLifetime', options: ['--agent-ca-lifetime'], kind: 'string', help: 'The agent CA.' },
    { dest: 'bootstrapTokenTtl', options: ['--bootstrap-token-ttl'], kind: 'string', help: 'Bootstrap tokens.' },
  ], [{ title: 'Two-day leaves', command: `azemu emulator kubernetes settings ${k8sName} --leaf-lifetime 2d` }]),
  k8s('bootstrap-token', 'k8s-bootstrap-token', 'Make a one-time bootstrap token for a client identity (printed once, with the API server and its CA).', [
    { dest: 'identity', options: ['--identity'], kind: 'string', required: true, help: "The client's name: the certificate's CN." },
    { dest: 'groups', options: ['--groups'], kind: 'strings', help: "The client's groups: the certificate's O values." },
    { dest: 'ttl', options: ['--ttl'], kind: 'string', help: 'How long the token is valid (default: the cluster setting, 1d).' },
  ], [{ title: 'A token for an agent', command: `azemu emulator kubernetes bootstrap-token ${k8sName} --identity agent-1 --groups agents --query token -o tsv` }],
  'The answer holds the token: keep it like a password. It works once, until it expires.'),
  k8s('exchange', 'k8s-exchange', "Exchange a bootstrap token and a CSR for a client certificate signed by the agent CA (at the cluster's API endpoint).", [
    { dest: 'token', options: ['--token'], kind: 'string', required: true, secret: true, help: 'The bootstrap token (<id>.<secret>).' },
    file('csr', '--csr-file', 'PEM file: the certificate signing request.', true),
    file('certOut', '--cert-out', 'Write the certificate followed by the agent CA to this file.'),
  ], [{ title: 'Exchange', command: `azemu emulator kubernetes exchange ${k8sName} --token "$TOKEN" --csr-file agent.csr --cert-out agent.pem` }]),
  k8s('renew', 'k8s-renew', 'Renew a client certificate before it expires, authenticating with it (mTLS): prints the new certificate and the rotated bootstrap token.', [
    file('cert', '--cert-file', 'PEM file: the current client certificate.', true),
    file('key', '--key-file', 'PEM file: its private key (used only for the TLS handshake, never sent).', true),
    file('csr', '--csr-file', 'PEM file: a CSR for the new certificate (a new key is best).', true),
    file('certOut', '--cert-out', 'Write the new certificate followed by the agent CA to this file.'),
  ], [{ title: 'Renew', command: `azemu emulator kubernetes renew ${k8sName} --cert-file agent.pem --key-file agent.key --csr-file agent2.csr --cert-out agent2.pem` }]),
  k8s('sign-node', 'k8s-sign-node', 'Sign a kubelet-style node CSR (CN system:node:<name>, O system:nodes) with the cluster CA.', [
    file('csr', '--csr-file', 'PEM file: the node CSR.', true),
    file('certOut', '--cert-out', 'Write the certificate to this file.'),
  ], [{ title: 'A node certificate', command: `azemu emulator kubernetes sign-node ${k8sName} --csr-file node1.csr --cert-out node1.pem` }]),
  k8s('revoke', 'k8s-revoke', 'Add many revocation rules in one request (serial, group, DNS name, DNS suffix, IP; notBefore optional).', [entryArg], [
    { title: 'Everything under .cluster.local and one IP', command: `azemu emulator kubernetes revoke ${k8sName} --entry by=dnsSuffix,value=.cluster.local by=ipAddress,value=10.0.0.7` },
  ]),
  k8s('revocations', 'k8s-revocations', 'List the revocation rules in force, with the serials each revokes.', [], [
    { title: 'The rules', command: `azemu emulator kubernetes revocations ${k8sName} -o table` },
  ]),
];
