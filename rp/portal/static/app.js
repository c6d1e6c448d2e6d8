// The portal: hash routes over the emulator's ARM API.
//   #/                                   subscriptions
//   #/subscriptions/{s}                  resource groups and every resource, with search by name
//   #/subscriptions/{s}/resourceGroups/{g}
//   #/{resource id}?tab=overview|json|diff|pki&api-version=…&from=…&to=…
//   #/faults                             the fault rules in force (read-only)
import * as api from './api.js';
import { diffRows, diffTable } from './diff.js';
import { faultsPage, renderFaultsLink } from './faults.js';
import { el, jsonTree, setAllOpen } from './jsonview.js';
import { parseCertificate, pemToDer, sha256Hex } from './x509.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const statusEl = document.getElementById('status');
const who = document.getElementById('who');

const TYPE_NAMES = {
  'microsoft.networkcloud/clustermanagers': 'Cluster manager',
  'microsoft.networkcloud/clusters': 'Cluster',
  'microsoft.networkcloud/baremetalmachines': 'Bare metal machine',
  'microsoft.networkcloud/storageappliances': 'Storage appliance',
  'microsoft.managedidentity/userassignedidentities': 'Managed identity',
};
const CERT_TYPES = new Set(['microsoft.networkcloud/baremetalmachines', 'microsoft.networkcloud/storageappliances']);
const CLUSTER_TYPE = 'microsoft.networkcloud/clusters';
const GOOD = /^(succeeded|available|running|connected|provisioned|uncordoned|on|ready|true|enabled|healthy|registered)$/i;
const BAD = /^(failed|error|degraded|disconnected|unreachable|provisioningfailed|updatefailed|timeout|off|notready|false|canceled)$/i;

let clockOffsetMs = 0;
let clockReady = false;
let lastPath = null;
let renderSeq = 0;
const searchText = new Map();

// ------------------------------------------------------------------------------------ helpers

function announce(message) {
  statusEl.textContent = '';
  setTimeout(() => (statusEl.textContent = message), 30);
}

const friendlyType = (type) => TYPE_NAMES[type.toLowerCase()] ?? type.split('/').pop();
const emulatorNow = () => new Date(Date.now() + clockOffsetMs);

function encodeId(id) {
  return id.split('/').map(encodeURIComponent).join('/');
}

function link(id, params) {
  const q = params ? new URLSearchParams(params).toString() : '';
  return `#${encodeId(id)}${q ? `?${q}` : ''}`;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  const pathPart = at < 0 ? raw : raw.slice(0, at);
  const segs = pathPart.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  return { path: `/${segs.join('/')}`, segs, params: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

function go(path, params, { replace = false } = {}) {
  const target = link(path, params);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  route();
}

function fmtDate(d) {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return String(d);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function relDays(d) {
  const days = (new Date(d).getTime() - emulatorNow().getTime()) / 86_400_000;
  const n = Math.abs(days) < 1 ? `${Math.round(Math.abs(days) * 24)} h` : `${Math.round(Math.abs(days))} d`;
  return days >= 0 ? `in ${n}` : `${n} ago`;
}

function badge(value) {
  const v = String(value);
  const tone = GOOD.test(v) ? 'good' : BAD.test(v) ? 'bad' : 'neutral';
  return el('span', { class: `badge badge-${tone}`, text: v });
}

function errorBox(e) {
  return el('div', { class: 'error', role: 'alert' }, el('strong', { text: e.code ? `${e.code}: ` : 'Error: ' }), e.message ?? String(e));
}

async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  announce(`${what} copied to the clipboard.`);
}

function download(filename, text, type = 'application/x-pem-file') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: filename, class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  announce(`Downloading ${filename}.`);
}

function button(label, onclick, attrs = {}) {
  return el('button', { type: 'button', class: 'btn', onclick, ...attrs }, label);
}

function dl(rows) {
  return el('dl', { class: 'facts' }, rows.filter(Boolean).flatMap(([k, v, attrs]) => [el('dt', { text: k }), el('dd', attrs ?? {}, v)]));
}

const subscriptionNames = new Map();

/** A subscription's display name (cached), for breadcrumbs; its id when it cannot be read. */
async function subscriptionName(sub) {
  if (!subscriptionNames.has(sub.toLowerCase())) {
    const name = await api.arm(`/subscriptions/${sub}`, { apiVersion: '2022-12-01' }).then((s) => s.displayName ?? sub, () => sub);
    subscriptionNames.set(sub.toLowerCase(), name);
  }
  return subscriptionNames.get(sub.toLowerCase());
}

function setCrumbs(items) {
  crumbs.replaceChildren(
    el('ol', {}, items.map(([label, href], i) =>
      el('li', {}, i === items.length - 1 ? el('span', { 'aria-current': 'page', text: label }) : el('a', { href, text: label })))),
  );
}

/** A table of resources (or groups) with a live search box that filters rows by name. */
function searchableTable({ id, label, columns, rows, empty }) {
  const input = el('input', { type: 'search', id: `${id}-search`, placeholder: 'Filter by name', autocomplete: 'off', spellcheck: 'false' });
  const countEl = el('p', { class: 'muted', id: `${id}-count`, 'aria-live': 'polite' });
  const tbody = el('tbody');
  const table = el('table', { class: 'grid', id },
    el('caption', { class: 'visually-hidden', text: label }),
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c.title })))),
    tbody);
  const apply = () => {
    const q = input.value.trim().toLowerCase();
    searchText.set(id, input.value);
    const shown = rows.filter((r) => r.name.toLowerCase().includes(q));
    tbody.replaceChildren(...shown.map((r) => el('tr', {}, columns.map((c, i) => el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, c.cell(r))))));
    if (!shown.length) tbody.append(el('tr', {}, el('td', { colspan: columns.length, class: 'muted', text: rows.length ? 'No names match the search.' : empty })));
    countEl.textContent = q ? `${shown.length} of ${rows.length} match “${input.value.trim()}”.` : `${rows.length} in total.`;
  };
  input.value = searchText.get(id) ?? '';
  input.addEventListener('input', apply);
  apply();
  return el('div', { class: 'searchable' },
    el('div', { class: 'search-row' }, el('label', { for: input.id, text: `Search ${label.toLowerCase()} by name` }), input),
    countEl, el('div', { class: 'table-wrap' }, table));
}

// ------------------------------------------------------------------------------------ views

async function subscriptionsView(view) {
  const subs = await api.listSubscriptions();
  setCrumbs([['Subscriptions', '#/']]);
  view.append(el('h1', { tabindex: '-1', text: 'Subscriptions' }));
  view.append(searchableTable({
    id: 'subscriptions', label: 'Subscriptions', empty: 'No subscriptions.',
    columns: [
      { title: 'Name', cell: (s) => el('a', { href: link(`/subscriptions/${s.subscriptionId}`), text: s.name }) },
      { title: 'Subscription ID', cell: (s) => el('code', { text: s.subscriptionId }) },
      { title: 'State', cell: (s) => badge(s.state) },
    ],
    rows: subs.map((s) => ({ ...s, name: s.displayName ?? s.subscriptionId })),
  }));
}

function resourceColumns(withGroup) {
  return [
    { title: 'Name', cell: (r) => el('a', { href: link(r.id), text: r.name }) },
    { title: 'Type', cell: (r) => el('span', { title: r.type, text: friendlyType(r.type) }) },
    withGroup && { title: 'Resource group', cell: (r) => el('a', { href: link(r.id.split('/').slice(0, 5).join('/')), text: r.id.split('/')[4] }) },
    { title: 'Location', cell: (r) => r.location ?? '' },
  ].filter(Boolean);
}

async function subscriptionView(view, sub) {
  const [subInfo, groups, resources] = await Promise.all([
    api.arm(`/subscriptions/${sub}`, { apiVersion: '2022-12-01' }), api.listResourceGroups(sub), api.listResources(sub),
  ]);
  subscriptionNames.set(sub.toLowerCase(), subInfo.displayName);
  setCrumbs([['Subscriptions', '#/'], [subInfo.displayName, link(`/subscriptions/${sub}`)]]);
  view.append(el('h1', { tabindex: '-1', text: subInfo.displayName }), el('p', { class: 'muted' }, 'Subscription ', el('code', { text: sub })));
  view.append(el('section', { 'aria-labelledby': 'rg-h' }, el('h2', { id: 'rg-h', text: 'Resource groups' }), searchableTable({
    id: 'groups', label: 'Resource groups', empty: 'No resource groups.',
    columns: [
      { title: 'Name', cell: (g) => el('a', { href: link(g.id), text: g.name }) },
      { title: 'Location', cell: (g) => g.location },
      { title: 'Managed by', cell: (g) => (g.managedBy ? el('a', { href: link(g.managedBy), text: g.managedBy.split('/').pop() }) : '') },
      { title: 'Resources', cell: (g) => String(resources.filter((r) => r.id.split('/')[4].toLowerCase() === g.name.toLowerCase()).length) },
    ],
    rows: groups,
  })));
  view.append(el('section', { 'aria-labelledby': 'res-h' }, el('h2', { id: 'res-h', text: 'All resources' }), searchableTable({
    id: 'resources', label: 'Resources', empty: 'No resources.', columns: resourceColumns(true), rows: resources,
  })));
}

async function groupView(view, sub, group) {
  const [g, resources, subName] = await Promise.all([
    api.arm(`/subscriptions/${sub}/resourcegroups/${encodeURIComponent(group)}`, { apiVersion: '2021-04-01' }), api.listResources(sub, group), subscriptionName(sub),
  ]);
  setCrumbs([['Subscriptions', '#/'], [subName, link(`/subscriptions/${sub}`)], [g.name, link(g.id)]]);
  view.append(el('h1', { tabindex: '-1', text: g.name }), el('p', { class: 'muted', text: 'Resource group' }));
  view.append(dl([
    ['Location', g.location],
    g.managedBy && ['Managed by', el('a', { href: link(g.managedBy), text: g.managedBy })],
    ['Tags', tagList(g.tags)],
  ]));
  view.append(el('section', { 'aria-labelledby': 'res-h' }, el('h2', { id: 'res-h', text: 'Resources' }), searchableTable({
    id: 'group-resources', label: 'Resources', empty: 'This group has no resources.', columns: resourceColumns(false), rows: resources,
  })));
}

async function faultsView(view) {
  setCrumbs([['Fault rules', '#/faults']]);
  view.append(el('h1', { tabindex: '-1', text: 'Fault rules' }));
  view.append(...faultsPage(await api.listFaults()));
}

function tagList(tags) {
  const entries = Object.entries(tags ?? {});
  if (!entries.length) return el('span', { class: 'muted', text: 'No tags' });
  return el('ul', { class: 'tags' }, entries.map(([k, v]) => el('li', {}, el('span', { class: 'tag-k', text: k }), el('span', { class: 'tag-v', text: v }))));
}

const TABS = [
  ['overview', 'Overview'],
  ['json', 'JSON View'],
  ['diff', 'Version diff'],
  ['pki', 'PKI and trust'],
];

function tabList(id, current, tabs, params) {
  const list = el('div', { role: 'tablist', 'aria-label': 'Resource views', class: 'tabs' });
  for (const [key, label] of tabs) {
    const p = new URLSearchParams(params);
    p.set('tab', key);
    list.append(el('a', {
      role: 'tab', id: `tab-${key}`, href: link(id, p), 'aria-selected': String(key === current), 'aria-controls': 'panel',
      tabindex: key === current ? '0' : '-1', text: label,
    }));
  }
  // Arrow keys move between tabs (and open them), as in any tab list.
  list.addEventListener('keydown', (e) => {
    const all = [...list.querySelectorAll('[role=tab]')];
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    const to = e.key === 'ArrowRight' ? (i + 1) % all.length : e.key === 'ArrowLeft' ? (i - 1 + all.length) % all.length : e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    all[to].focus();
    all[to].click();
  });
  return list;
}

async function resourceView(view, id, params) {
  const segs = id.split('/').filter(Boolean);
  const sub = segs[1];
  const group = segs[3];
  const fullType = `${segs[5]}/${segs.slice(6, -1).filter((_, i) => i % 2 === 0).join('/')}`;
  const name = segs[segs.length - 1];
  const lowerType = fullType.toLowerCase();
  const [versions, subName] = await Promise.all([api.apiVersionsOf(sub, fullType), subscriptionName(sub)]);
  const tabs = TABS.filter(([k]) => k !== 'pki' || lowerType === CLUSTER_TYPE);
  const tab = tabs.some(([k]) => k === params.get('tab')) ? params.get('tab') : 'overview';

  setCrumbs([['Subscriptions', '#/'], [subName, link(`/subscriptions/${sub}`)], [group, link(`/subscriptions/${sub}/resourceGroups/${group}`)], [name, link(id)]]);
  view.append(
    el('h1', { tabindex: '-1', text: name }),
    el('p', { class: 'muted' }, `${friendlyType(fullType)} · `, el('code', { text: fullType })),
    tabList(id, tab, tabs, params),
  );
  const panel = el('section', { role: 'tabpanel', id: 'panel', 'aria-labelledby': `tab-${tab}`, class: 'panel' });
  view.append(panel);
  const ctx = { id, sub, group, fullType, lowerType, name, versions, params };
  if (tab === 'overview') await overviewPanel(panel, ctx);
  else if (tab === 'json') await jsonPanel(panel, ctx);
  else if (tab === 'diff') await diffPanel(panel, ctx);
  else await pkiPanel(panel, ctx);
}

function defaultVersion(versions) {
  return versions.find((v) => !v.endsWith('-preview')) ?? versions[0];
}

async function overviewPanel(panel, { id, versions }) {
  const version = defaultVersion(versions);
  const r = await api.getResource(id, version);
  const props = r.properties ?? {};
  const status = Object.entries(props).filter(([k, v]) => typeof v === 'string' && /(status|state)$/i.test(k));
  const related = [];
  for (const [key, label] of [['clusterId', 'Cluster'], ['clusterManagerId', 'Cluster manager']]) {
    if (typeof props[key] === 'string') related.push([label, el('a', { href: link(props[key]), text: props[key].split('/').pop() })]);
  }
  const mrg = props.managedResourceGroupConfiguration?.name;
  if (mrg) related.push(['Managed resource group', el('a', { href: link(`/subscriptions/${id.split('/')[2]}/resourceGroups/${mrg}`), text: mrg })]);
  panel.append(
    el('section', { class: 'card', 'aria-labelledby': 'ess-h' }, el('h2', { id: 'ess-h', text: 'Essentials' }), dl([
      ['Name', r.name],
      ['Type', r.type],
      ['Location', r.location ?? '—'],
      ['Resource group', el('a', { href: link(id.split('/').slice(0, 5).join('/')), text: id.split('/')[4] })],
      r.extendedLocation && ['Extended location', el('code', { class: 'wrap', text: r.extendedLocation.name })],
      ['Resource ID', el('code', { class: 'wrap', text: r.id })],
      ...related,
    ])),
    el('section', { class: 'card', 'aria-labelledby': 'status-h', id: 'overview-status' }, el('h2', { id: 'status-h', text: 'Status' }),
      status.length ? dl([
        ...status.map(([k, v]) => [k, badge(v)]),
        typeof props.detailedStatusMessage === 'string' && ['detailedStatusMessage', props.detailedStatusMessage],
      ]) : el('p', { class: 'muted', text: 'This resource reports no status fields.' })),
    el('section', { class: 'card', 'aria-labelledby': 'tags-h' }, el('h2', { id: 'tags-h', text: 'Tags' }), tagList(r.tags)),
    el('p', { class: 'muted' }, `Read at api-version ${version}. `, el('a', { href: link(id, { tab: 'json', 'api-version': version }), text: 'See the whole resource in JSON View' }), '.'),
  );
}

async function jsonPanel(panel, ctx) {
  const { id, versions, params, fullType, lowerType, name } = ctx;
  const version = versions.includes(params.get('api-version')) ? params.get('api-version') : defaultVersion(versions);
  const select = el('select', { id: 'json-version' }, versions.map((v) => el('option', { value: v, selected: v === version, text: v })));
  select.addEventListener('change', () => go(id, { tab: 'json', 'api-version': select.value }, { replace: true }));
  panel.append(el('div', { class: 'toolbar' },
    el('label', { for: 'json-version', text: 'API version' }), select,
    el('a', { class: 'btn', href: link(id, { tab: 'diff', from: version, to: versions[0] === version ? versions[1] ?? version : versions[0] }), text: 'Compare with another version' }),
  ));
  const resource = await api.getResource(id, version);
  if (CERT_TYPES.has(lowerType)) panel.append(await certificateCard(resource, { id, fullType, version, name }));
  const tree = jsonTree(resource, { label: `${name} at api-version ${version}` });
  const text = JSON.stringify(resource, null, 2);
  panel.append(
    el('div', { class: 'card json-card' },
      el('div', { class: 'toolbar' },
        el('h2', { id: 'json-h', text: 'Resource JSON' }),
        el('code', { class: 'muted request', text: `GET ${id}?api-version=${version}` }),
        el('span', { class: 'spacer' }),
        button('Copy JSON', () => copyText(text, 'Resource JSON'), { id: 'copy-json' }),
        button('Expand all', () => setAllOpen(tree, true)),
        button('Collapse all', () => setAllOpen(tree, false))),
      tree),
  );
}

async function certificateCard(resource, { id, fullType, version, name }) {
  const ca = resource.properties?.caCertificate;
  const card = el('section', { class: 'card cert-card', id: 'cert-card', 'aria-labelledby': 'cert-h' }, el('h2', { id: 'cert-h', text: 'CA certificate' }));
  if (!ca) {
    const shown = await api.propertyVersions(fullType, 'properties.caCertificate').then((r) => r.versions, () => []);
    const best = shown.filter((v) => !v.endsWith('-preview'));
    card.classList.add('cert-absent');
    card.append(el('p', { id: 'cert-absent' }, `api-version ${version} has no caCertificate property. `,
      shown.length ? `It is part of ${shown.join(', ')}.` : ''));
    if (best.length) card.append(el('a', { class: 'btn', href: link(id, { tab: 'json', 'api-version': best[0] }), text: `Show at ${best[0]}` }));
    return card;
  }
  let info;
  let computed;
  try {
    const der = pemToDer(ca.value);
    info = parseCertificate(der);
    computed = await sha256Hex(der);
  } catch (e) {
    card.append(errorBox({ code: 'UnreadableCertificate', message: `The caCertificate value could not be read: ${e.message}` }));
    return card;
  }
  const now = emulatorNow();
  const validity = now < info.notBefore ? ['not yet valid', 'bad'] : now > info.notAfter ? ['expired', 'bad'] : ['valid', 'good'];
  const matches = computed === String(ca.hash).toLowerCase();
  card.append(
    dl([
      ['SHA-256 hash', el('code', { id: 'cert-hash', class: 'wrap', text: ca.hash })],
      ['Hash check', el('span', { id: 'cert-hash-check', class: `badge badge-${matches ? 'good' : 'bad'}`, text: matches ? '✓ matches the certificate' : `✗ certificate hashes to ${computed}` })],
      ['Subject', el('span', { id: 'cert-subject', text: info.subject.text })],
      ['Issuer', el('span', { id: 'cert-issuer', text: info.issuer.text })],
      ['Valid from', fmtDate(info.notBefore)],
      ['Valid until', el('span', {}, `${fmtDate(info.notAfter)} (${relDays(info.notAfter)}) `, el('span', { id: 'cert-validity', class: `badge badge-${validity[1]}`, text: validity[0] }))],
      ['Serial number', el('code', { class: 'wrap', text: info.serial })],
      ['Key', info.publicKey],
      info.basicConstraints && ['Basic constraints', `CA: ${info.basicConstraints.isCa ? 'yes' : 'no'}${info.basicConstraints.pathLen !== null ? `, path length ${info.basicConstraints.pathLen}` : ''}`],
    ]),
    el('div', { class: 'toolbar' },
      button('Download PEM', () => download(`${name}-ca.pem`, ca.value.endsWith('\n') ? ca.value : `${ca.value}\n`), { id: 'cert-download' }),
      button('Copy PEM', () => copyText(ca.value, 'CA certificate PEM'))),
  );
  return card;
}

async function diffPanel(panel, ctx) {
  const { id, versions, params, fullType, name } = ctx;
  const to = versions.includes(params.get('to')) ? params.get('to') : versions[0];
  const fromWanted = params.get('from') ?? params.get('api-version');
  const from = versions.includes(fromWanted) ? fromWanted : versions[Math.min(1, versions.length - 1)];
  const pick = (sid, value, label) => {
    const s = el('select', { id: sid }, versions.map((v) => el('option', { value: v, selected: v === value, text: v })));
    s.addEventListener('change', () => {
      const f = document.getElementById('diff-from').value;
      const t = document.getElementById('diff-to').value;
      go(id, { tab: 'diff', from: f, to: t }, { replace: true });
    });
    return [el('label', { for: sid, text: label }), s];
  };
  panel.append(el('div', { class: 'toolbar' },
    ...pick('diff-from', from, 'Compare api-version'), ...pick('diff-to', to, 'with api-version'),
    button('Swap', () => go(id, { tab: 'diff', from: to, to: from }, { replace: true }), { id: 'diff-swap' }),
  ));
  const [left, right, model] = await Promise.all([
    api.getResource(id, from), api.getResource(id, to),
    // The API model (and so the model diff) covers the NetworkCloud types.
    fullType.toLowerCase().startsWith('microsoft.networkcloud/') ? api.versionDiff(fullType, from, to).catch(() => null) : null,
  ]);
  // The outermost path of each added or removed subtree, and every scalar that changed.
  const rows = diffRows(left, right);
  const outermost = (mark) => [...new Set(rows.filter((r) => r.mark === mark).map((r) => r.path))]
    .filter((p, _, all) => !all.some((q) => q !== p && (p.startsWith(`${q}.`) || p.startsWith(`${q}[`))));
  const added = outermost('added');
  const removed = outermost('removed');
  const changed = outermost('changed');
  const pathList = (paths, cls, id) => (paths.length ? el('ul', { class: `paths ${cls}`, id }, paths.map((p) => el('li', {}, el('code', { text: p })))) : el('p', { class: 'muted', id, text: 'None.' }));

  const summary = el('section', { class: 'card', id: 'diff-summary', 'aria-labelledby': 'diff-sum-h' },
    el('h2', { id: 'diff-sum-h', text: `${name}: ${from} → ${to}` }),
    el('p', {}, `This resource shows `, el('strong', { class: 'added-text', text: `${added.length} added` }), ', ',
      el('strong', { class: 'removed-text', text: `${removed.length} removed` }), ' and ', el('strong', { text: `${changed.length} changed` }), ` propert${added.length + removed.length + changed.length === 1 ? 'y' : 'ies'} at ${to} compared with ${from}.`),
    el('div', { class: 'two-col' },
      el('div', {}, el('h3', { text: `Only at ${to}` }), pathList(added, 'added', 'diff-only-to')),
      el('div', {}, el('h3', { text: `Only at ${from}` }), pathList(removed, 'removed', 'diff-only-from'))),
  );
  if (changed.length) summary.append(el('h3', { text: 'Values that differ' }), pathList(changed, 'changed', 'diff-changed'));
  if (model) {
    summary.append(el('details', { class: 'model-diff' },
      el('summary', {}, `API model: ${model.added.length} property paths added and ${model.removed.length} removed from ${from} to ${to} (including ones this resource has no value for)`),
      el('div', { class: 'two-col' },
        el('div', {}, el('h3', { text: `Added at ${to}` }), pathList(model.added, 'added', 'model-added')),
        el('div', {}, el('h3', { text: `Removed at ${to}` }), pathList(model.removed, 'removed', 'model-removed')))));
  }
  panel.append(summary);
  panel.append(el('p', { class: 'legend' },
    el('span', { class: 'j-added legend-item', text: '+ added' }), el('span', { class: 'j-removed legend-item', text: '− removed' }), el('span', { class: 'j-changed legend-item', text: '~ changed' })));
  panel.append(el('div', { class: 'card diff-card' }, diffTable(left, right, [`api-version ${from}`, `api-version ${to}`])));
}

const PURPOSES = {
  rootCa: 'Root CA', interfaceIssuer: 'Interface issuer', infraIssuer: 'Infra issuer', customerCa: 'Customer CA',
  bmc: 'BMC', storageAppliance: 'Storage appliance', platformService: 'Platform service',
};

/** cert-manager's Ready (and Issuing, while it is under way or failed) as badges. */
function conditionBadges(conditions = []) {
  return conditions.filter((c) => c.type === 'Ready' || (c.type === 'Issuing' && (c.status === 'True' || c.reason === 'Failed'))).map((c) => {
    const tone = c.type === 'Ready' ? (c.status === 'True' ? 'good' : 'bad') : c.reason === 'Failed' ? 'bad' : 'warn';
    const text = c.type === 'Ready' ? (c.status === 'True' ? (['Pending', 'Retiring'].includes(c.reason) ? c.reason : 'Ready') : c.reason || 'Not ready') : c.reason === 'Failed' ? 'Issuing failed' : `Issuing (${c.reason || 'renewal'})`;
    return el('span', { class: `badge badge-${tone}`, title: c.message || undefined, text });
  });
}

/** One certificate of the site (a CA from …/issuers or a leaf from …/certificates) as a tree node. */
function certNode(c, kids, extra = {}) {
  const st = c.status ?? {};
  const revision = c.revision ?? st.revision;
  const notAfter = c.notAfter ?? st.notAfter;
  const renewalTime = c.renewalTime ?? st.renewalTime;
  const pem = c.certificate;
  let subject = c.subject;
  if (!subject && pem) {
    try {
      subject = parseCertificate(pemToDer(pem)).subject.text;
    } catch { /* shown without a subject */ }
  }
  const rotation = c.rotation && c.rotation.phase !== 'active' ? el('span', { class: 'badge badge-warn', text: `rotation: ${c.rotation.phase}` }) : null;
  const node = el('li', { class: 'pki-node', 'data-name': c.name ?? '' },
    el('div', { class: `pki-cert${extra.published ? ' pki-published' : ''}` },
      el('div', { class: 'pki-title' },
        el('strong', { text: c.name ?? '(unnamed)' }), ' ',
        el('span', { class: 'muted', text: PURPOSES[c.purpose] ?? c.purpose ?? '' }), ' ',
        ...conditionBadges(st.conditions), ' ',
        c.role && !['active', 'root'].includes(c.role) ? el('span', { class: 'badge badge-neutral', text: c.role }) : null, ' ',
        rotation, ' ',
        extra.published ? el('span', { class: 'badge badge-info', text: 'shown as caCertificate' }) : null, ' ',
        c.revoked ? el('span', { class: 'badge badge-bad', text: 'revoked' }) : null,
        revision ? el('span', { class: 'muted pki-rev', text: ` revision ${revision}` }) : null),
      el('div', { class: 'pki-dates' }, `expires ${fmtDate(notAfter)} (${relDays(notAfter)})`, renewalTime ? ` · renews ${fmtDate(renewalTime)} (${relDays(renewalTime)})` : ''),
      c.endpoint ? el('div', { class: 'pki-endpoint' }, 'Served by ', el('a', { href: link(c.endpoint.resourceId), text: c.endpoint.resourceId.split('/').pop() }), ' at ', el('code', { text: c.endpoint.url }),
        c.endpoint.servingSerial && c.endpoint.servingSerial !== c.serial ? el('span', { class: 'badge badge-warn', text: 'listener still presents an older certificate' }) : null) : null,
      el('details', {},
        el('summary', { text: 'Details' }),
        dl([
          subject && ['Subject', subject],
          c.issuer && ['Issuer', typeof c.issuer === 'string' ? c.issuer : `${c.issuer.name} (serial ${c.issuer.serial})`],
          c.spec?.dnsNames?.length && ['DNS names', c.spec.dnsNames.join(', ')],
          c.spec?.ipAddresses?.length && ['IP addresses', c.spec.ipAddresses.join(', ')],
          ['Serial', el('code', { class: 'wrap', text: c.serial ?? '' })],
          ['SHA-256', el('code', { class: 'wrap', text: c.fingerprint ?? '' })],
          ['Valid from', fmtDate(c.notBefore ?? st.notBefore)],
          ['Valid until', fmtDate(notAfter)],
          c.rotation && ['Rotation', `${c.rotation.phase}; successor ${fmtDate(c.rotation.introduceSuccessorAt)}, signs from ${fmtDate(c.rotation.switchSignerAt)}`],
          c.crl?.pem && ['CRL', el('a', { href: c.crl.pem, text: c.crl.pem })],
          c.crlDistributionPoint && ['CRL distribution point', el('code', { class: 'wrap', text: c.crlDistributionPoint })],
        ]),
        pem ? button('Download PEM', () => download(`${c.name}-r${revision ?? 1}.pem`, pem), { 'aria-label': `Download ${c.name} PEM` }) : null)));
  if (kids.length) node.append(el('ul', {}, kids));
  return node;
}

async function pkiPanel(panel, { id }) {
  const site = await api.clusterSite(id);
  if (!site) {
    panel.append(el('p', { class: 'muted', id: 'pki-none', text: 'This cluster has no PKI yet: it is created when the cluster is deployed.' }));
    return;
  }
  const { summary, issuers, certificates, bundle } = site;
  const anchors = issuers.filter((c) => c.role === 'root' || c.role === 'customer');
  const parentOf = (ca) => {
    if (ca.role === 'root' || ca.issuer === ca.subject) return null;
    return anchors.find((p) => p !== ca && p.subject === ca.issuer) ?? issuers.find((p) => p.role === 'root') ?? null;
  };
  const leavesOf = (ca) => certificates.filter((l) => l.issuer?.serial === ca.serial);
  const publishedHash = summary.caCertificate?.hash;
  const nodeOf = (ca) => certNode(ca, [
    ...issuers.filter((c) => c !== ca && parentOf(c) === ca).map(nodeOf),
    ...leavesOf(ca).map((l) => certNode(l, [])),
  ], { published: ca.fingerprint === publishedHash });
  const known = new Set(issuers.map((c) => c.serial));
  const orphans = certificates.filter((l) => !known.has(l.issuer?.serial));
  panel.append(
    el('section', { class: 'card', 'aria-labelledby': 'pki-h' },
      el('h2', { id: 'pki-h', text: 'Certificate hierarchy' }),
      el('p', { class: 'muted' },
        `As of emulator time ${fmtDate(summary.now)}. ${issuers.length} CA certificate${issuers.length === 1 ? '' : 's'}, ${certificates.length} leaf certificate${certificates.length === 1 ? '' : 's'}. `,
        summary.nextScheduledAt ? `Next scheduled renewal or rotation step: ${fmtDate(summary.nextScheduledAt)} (${relDays(summary.nextScheduledAt)}). ` : '',
        'Advance the clock to watch them renew.'),
      el('ul', { class: 'pki-tree', id: 'pki-tree' }, issuers.filter((c) => parentOf(c) === null).map(nodeOf)),
      orphans.length ? el('div', {}, el('h3', { text: 'Leaves whose issuer has left the PKI' }), el('ul', { class: 'pki-tree' }, orphans.map((l) => certNode(l, [])))) : null),
  );
  const root = issuers.find((c) => c.role === 'root');
  panel.append(el('section', { class: 'card', 'aria-labelledby': 'bundle-h', id: 'trust-bundle' },
    el('h2', { id: 'bundle-h', text: `Trust bundle (${bundle.certificates.length} certificates)` }),
    el('p', { class: 'muted', text: 'What a client of this cluster trusts: each issuer as it rotates (old, old + new, new), then the root. The interface issuer is what machines and storage appliances report as caCertificate.' }),
    el('div', { class: 'table-wrap' }, el('table', { class: 'grid' },
      el('caption', { class: 'visually-hidden', text: 'Certificates in the trust bundle' }),
      el('thead', {}, el('tr', {}, ['Name', 'Role', 'Revision', 'Expires', 'SHA-256'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, bundle.certificates.map((c) => el('tr', {},
        el('th', { scope: 'row', text: c.name }), el('td', { text: c.role }), el('td', { text: String(c.revision ?? '') }),
        el('td', { text: `${fmtDate(c.notAfter)} (${relDays(c.notAfter)})` }), el('td', {}, el('code', { text: `${c.fingerprint.slice(0, 16)}…`, title: c.fingerprint }))))))),
    el('div', { class: 'toolbar' },
      button('Download trust bundle', () => download(`${summary.clusterId.split('/').pop()}-trust-bundle.pem`, bundle.pem), { id: 'bundle-download' }),
      button('Copy trust bundle', () => copyText(bundle.pem, 'Trust bundle')),
      root ? button('Download root CA', () => download(`${root.name}.pem`, root.certificate)) : null),
    el('pre', { class: 'pem', tabindex: '0', 'aria-label': 'Trust bundle PEM', text: bundle.pem })));
}

// ------------------------------------------------------------------------------------ routing

async function route() {
  if (!api.currentSession()) return;
  const seq = ++renderSeq;
  const { path, segs, params } = parseHash();
  const focusedId = document.activeElement?.id;
  const view = el('div', { class: 'view' });
  main.setAttribute('aria-busy', 'true');
  try {
    api.listFaults().then((rules) => renderFaultsLink(document.getElementById('faults-link'), rules), () => undefined);
    if (segs.length === 0) await subscriptionsView(view);
    else if (segs.length === 1 && segs[0] === 'faults') await faultsView(view);
    else if (segs[0].toLowerCase() === 'subscriptions' && segs.length === 2) await subscriptionView(view, segs[1]);
    else if (segs[0].toLowerCase() === 'subscriptions' && segs.length === 4 && segs[2].toLowerCase() === 'resourcegroups') await groupView(view, segs[1], segs[3]);
    else if (segs[0].toLowerCase() === 'subscriptions' && segs.length >= 8 && segs[4].toLowerCase() === 'providers') await resourceView(view, path, params);
    else view.append(el('h1', { tabindex: '-1', text: 'Not found' }), el('p', {}, 'No portal page at this address. ', el('a', { href: '#/', text: 'Go to subscriptions' })));
  } catch (e) {
    if (!view.querySelector('h1')) view.prepend(el('h1', { tabindex: '-1', text: 'Something went wrong' }));
    view.append(errorBox(e));
  }
  if (seq !== renderSeq) return;
  main.replaceChildren(view);
  main.removeAttribute('aria-busy');
  const title = view.querySelector('h1')?.textContent ?? '';
  document.title = `${title} · Operator Nexus emulator`;
  // A new page moves focus to its heading; a change within the page keeps focus where it was.
  const keep = focusedId && path === lastPath ? document.getElementById(focusedId) : null;
  if (keep) keep.focus();
  else if (path !== lastPath && lastPath !== null) view.querySelector('h1')?.focus();
  lastPath = path;
}

// ------------------------------------------------------------------------------------ clock

function renderClock(now, offsetSeconds) {
  clockOffsetMs = new Date(now).getTime() - Date.now();
  const t = document.getElementById('clock-now');
  t.dateTime = new Date(now).toISOString();
  t.textContent = fmtDate(now).replace(/:\d\d UTC$/, ' UTC');
  const ahead = document.getElementById('clock-ahead');
  const days = offsetSeconds / 86400;
  ahead.textContent = offsetSeconds > 60 ? `(${days >= 1 ? `${Math.round(days)} d` : `${Math.round(offsetSeconds / 3600)} h`} ahead of real time)` : '';
}

async function startClock() {
  const form = document.getElementById('clock');
  try {
    const c = await api.getClock();
    renderClock(c.now, c.offsetSeconds);
    clockReady = true;
  } catch (e) {
    document.getElementById('clock-now').textContent = 'unavailable';
  }
  setInterval(() => {
    if (!clockReady) return;
    const now = emulatorNow();
    const t = document.getElementById('clock-now');
    t.dateTime = now.toISOString();
    t.textContent = fmtDate(now).replace(/:\d\d UTC$/, ' UTC');
  }, 15_000);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const amount = document.getElementById('clock-amount');
    const btn = document.getElementById('clock-advance');
    btn.disabled = true;
    try {
      const c = await api.advanceClock(amount.value);
      renderClock(c.now, c.offsetSeconds);
      announce(`Emulator clock advanced by ${amount.selectedOptions[0].textContent} to ${fmtDate(c.now)}.`);
      await route();
    } catch (err) {
      announce(`The clock could not be advanced: ${err.message}`);
    } finally {
      btn.disabled = false;
    }
  });
}

// ------------------------------------------------------------------------------------ sign-in

function signInForm(tenantId, reason) {
  setCrumbs([['Sign in', '#/']]);
  const form = el('form', { class: 'card signin', id: 'signin' },
    el('h1', { tabindex: '-1', text: 'Sign in' }),
    el('p', { text: reason }),
    el('p', { class: 'muted', text: 'Use a service principal of this emulator (for example clientId and clientSecret from emulator.json). The secret stays in this tab\'s memory.' }),
    el('label', { for: 'si-tenant', text: 'Tenant ID' }), el('input', { id: 'si-tenant', required: true, value: tenantId ?? '', autocomplete: 'off' }),
    el('label', { for: 'si-client', text: 'Client ID' }), el('input', { id: 'si-client', required: true, autocomplete: 'username' }),
    el('label', { for: 'si-secret', text: 'Client secret' }), el('input', { id: 'si-secret', type: 'password', required: true, autocomplete: 'current-password' }),
    el('div', { id: 'si-error' }),
    el('button', { type: 'submit', class: 'btn primary', text: 'Sign in' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const s = await api.signInWithClientSecret(form.querySelector('#si-tenant').value.trim(), form.querySelector('#si-client').value.trim(), form.querySelector('#si-secret').value);
      signedIn(s);
    } catch (err) {
      form.querySelector('#si-error').replaceChildren(errorBox(err));
    }
  });
  main.replaceChildren(form);
  form.querySelector('h1').focus();
}

function signedIn(s) {
  who.textContent = `Signed in as ${s.principal}`;
  startClock();
  window.addEventListener('hashchange', route);
  route();
}

// The skip link moves focus without touching the hash, which holds the route.
document.querySelector('.skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

async function start() {
  try {
    signedIn(await api.signIn());
  } catch (e) {
    if (e.status === 403) signInForm(e.tenantId, e.message);
    else main.replaceChildren(el('h1', { tabindex: '-1', text: 'Could not sign in' }), errorBox(e));
  }
}

start();
