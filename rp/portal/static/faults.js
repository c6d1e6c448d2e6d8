// The fault rules in force (read-only): GET /_emulator/faults, shown as a table. Rules are added and
// removed with `azemu emulator fault ...` or the /_emulator/faults routes, never from the page.
import { el } from './jsonview.js';

const MATCH_FIELDS = ['method', 'resourceType', 'name', 'id', 'action', 'apiVersion', 'caller'];

/** One line per match field; "every request" when the rule has none. */
function matchText(match = {}) {
  const parts = MATCH_FIELDS.filter((k) => match[k] !== undefined).map((k) => `${k} ${match[k]}`);
  return parts.length ? parts : ['every request'];
}

function effectText(effect = {}) {
  if (effect.throttle) {
    const t = effect.throttle;
    const limits = [t.reads !== undefined && `${t.reads} reads`, t.writes !== undefined && `${t.writes} writes`].filter(Boolean).join(', ');
    return `throttle: ${limits} per ${t.window ?? '1h'}`;
  }
  if (effect.operationStatus || effect.operationDelay) {
    const parts = [];
    if (effect.operationDelay) parts.push(`operation InProgress for ${effect.operationDelay}`);
    if (effect.operationStatus) parts.push(`operation ends ${effect.operationStatus}${effect.error ? ` (${effect.error.code})` : ''}`);
    return parts.join(', then ');
  }
  const delay = effect.delayMs ? `delay ${effect.delayMs} ms` : '';
  if (effect.drop) return [delay, 'drop the connection'].filter(Boolean).join(', then ');
  if (effect.status) return [delay, `${effect.status}${effect.code ? ` ${effect.code}` : ''}${effect.retryAfter !== undefined ? `, Retry-After ${effect.retryAfter}` : ''}`].filter(Boolean).join(', then ');
  return delay;
}

function limitsText(rule) {
  const parts = [];
  if (rule.count !== undefined) parts.push(`count ${rule.count}`);
  if (rule.probability !== undefined) parts.push(`probability ${rule.probability} (seed ${rule.seed})`);
  if (rule.expires) parts.push(`expires ${rule.expires.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`);
  return parts.length ? parts.join(', ') : 'none';
}

const active = (rules) => rules.filter((r) => r.state === 'Active');

/** The header link: how many rules are in force, highlighted while any are. */
export function renderFaultsLink(link, rules) {
  const n = active(rules).length;
  link.textContent = n ? `Fault rules: ${n} in force` : 'Fault rules: none';
  link.classList.toggle('faults-on', n > 0);
}

/** The page body: a summary line and the table of every rule (spent and expired ones too). */
export function faultsPage(rules) {
  const summary = rules.length
    ? `${active(rules).length} of ${rules.length} rules in force. Every injected fault carries the header x-ms-emulator-fault with its rule id.`
    : 'No fault rules: the emulator answers every request as it normally would.';
  const rows = rules.map((r) => el('tr', {},
    el('th', { scope: 'row' }, el('code', { text: r.id }), r.description ? el('div', { class: 'muted', text: r.description }) : null),
    el('td', {}, matchText(r.match).map((m) => el('div', { text: m }))),
    el('td', { text: effectText(r.effect) }),
    el('td', { text: limitsText(r) }),
    el('td', {}, el('span', { class: `badge ${r.state === 'Active' ? 'badge-warn' : 'badge-neutral'}`, text: r.state })),
    el('td', { class: 'num', text: String(r.matched) }),
    el('td', { class: 'num', text: String(r.fired) }),
  ));
  const table = el('table', { class: 'grid', id: 'faults' },
    el('caption', { class: 'visually-hidden', text: 'Fault rules' }),
    el('thead', {}, el('tr', {}, ['Rule', 'Matches', 'Effect', 'Limits', 'State', 'Matched', 'Fired'].map((t) => el('th', { scope: 'col', text: t })))),
    el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'No rules.' }))));
  return [
    el('p', { id: 'faults-summary', text: summary }),
    el('div', { class: 'table-wrap' }, table),
    el('p', { class: 'muted' }, 'Add or remove rules with ', el('code', { text: 'azemu emulator fault add|remove|clear' }), ' or the ', el('code', { text: '/_emulator/faults' }), ' routes.'),
  ];
}
