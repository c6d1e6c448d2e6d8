// Two JSON documents side by side, line for line: a property only one side has leaves a blank on
// the other, so the columns stay aligned. Rows are table rows (screen readers read left, then
// right); objects and arrays fold with a button that folds both sides.
import { el } from './jsonview.js';

const SIGN = { added: '+', removed: '−', changed: '~' };
const isContainer = (v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0;
const entriesOf = (v) => (Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v));

function childPath(path, key, inArray) {
  if (inArray) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** The union of both sides' keys: the right side's order, with left-only keys kept after their left-side predecessor. */
function mergedKeys(a, b) {
  const keys = [...b];
  let at = -1;
  for (const k of a) {
    const i = keys.indexOf(k);
    if (i >= 0) at = i;
    else keys.splice(++at, 0, k);
  }
  return keys;
}

/** One side's rows of a value that only it has. */
function oneSide(value, key, path, last, depth, side, mark, rows) {
  const line = (kind, v) => ({ kind, key, value: v, comma: !last });
  if (!isContainer(value)) {
    rows.push({ depth, path, mark, [side]: line('scalar', value) });
    return;
  }
  const arr = Array.isArray(value);
  const start = rows.length;
  rows.push({ depth, path, mark, container: true, [side]: { kind: 'open', key, arr, comma: !last } });
  const kids = entriesOf(value);
  kids.forEach(([k, v], i) => oneSide(v, arr ? undefined : k, childPath(path, k, arr), i === kids.length - 1, depth + 1, side, mark, rows));
  rows.push({ depth, path, mark, [side]: { kind: 'close', arr, comma: !last } });
  rows[start].end = rows.length - 1;
}

function both(a, b, key, path, lastA, lastB, depth, rows) {
  const ca = isContainer(a);
  const cb = isContainer(b);
  if (ca && cb && Array.isArray(a) === Array.isArray(b)) {
    const arr = Array.isArray(a);
    const start = rows.length;
    rows.push({ depth, path, container: true, left: { kind: 'open', key, arr, comma: !lastA }, right: { kind: 'open', key, arr, comma: !lastB } });
    const ma = new Map(entriesOf(a));
    const mb = new Map(entriesOf(b));
    const keys = mergedKeys([...ma.keys()], [...mb.keys()]);
    const lastOf = (m) => [...m.keys()].pop();
    for (const k of keys) {
      const p = childPath(path, k, arr);
      const childKey = arr ? undefined : k;
      if (ma.has(k) && mb.has(k)) both(ma.get(k), mb.get(k), childKey, p, k === lastOf(ma), k === lastOf(mb), depth + 1, rows);
      else if (ma.has(k)) oneSide(ma.get(k), childKey, p, k === lastOf(ma), depth + 1, 'left', 'removed', rows);
      else oneSide(mb.get(k), childKey, p, k === lastOf(mb), depth + 1, 'right', 'added', rows);
    }
    rows.push({ depth, path, left: { kind: 'close', arr, comma: !lastA }, right: { kind: 'close', arr, comma: !lastB } });
    rows[start].end = rows.length - 1;
    return;
  }
  if (!ca && !cb) {
    const same = JSON.stringify(a) === JSON.stringify(b);
    rows.push({ depth, path, mark: same ? undefined : 'changed', left: { kind: 'scalar', key, value: a, comma: !lastA }, right: { kind: 'scalar', key, value: b, comma: !lastB } });
    return;
  }
  // A value that changed shape: the old one removed, the new one added.
  oneSide(a, key, path, lastA, depth, 'left', 'removed', rows);
  oneSide(b, key, path, lastB, depth, 'right', 'added', rows);
}

/** The aligned rows of two documents (exported for tests of the alignment). */
export function diffRows(left, right) {
  const rows = [];
  both(left, right, undefined, '', true, true, 0, rows);
  return rows;
}

function scalarSpan(value) {
  if (value === null) return el('span', { class: 'j-null', text: 'null' });
  if (Array.isArray(value)) return el('span', { class: 'j-punct', text: '[]' });
  if (typeof value === 'object') return el('span', { class: 'j-punct', text: '{}' });
  const cls = typeof value === 'string' ? 'j-str' : typeof value === 'number' ? 'j-num' : 'j-bool';
  return el('span', { class: cls, text: typeof value === 'string' ? JSON.stringify(value) : String(value) });
}

function cell(row, side, index, toggles) {
  const line = row[side];
  const cls = `d-cell d-${side}`;
  if (!line) return el('td', { class: `${cls} d-empty` });
  const mark = row.mark;
  const parts = [];
  if (mark) parts.push(el('span', { class: 'j-sign', 'aria-hidden': 'true', text: SIGN[mark] }), el('span', { class: 'visually-hidden', text: `(${mark}) ` }));
  if (line.kind === 'open' && row.container) {
    const btn = el('button', { type: 'button', class: 'd-toggle', 'aria-expanded': 'true', 'aria-label': `Fold ${row.path || 'document'}`, 'data-row': index, text: '▾' });
    toggles.push(btn);
    parts.push(btn);
  }
  if (line.key !== undefined && line.kind !== 'close') parts.push(el('span', { class: 'j-key', text: JSON.stringify(line.key) }), el('span', { class: 'j-punct', text: ': ' }));
  const comma = line.comma ? ',' : '';
  if (line.kind === 'scalar') parts.push(scalarSpan(line.value), el('span', { class: 'j-punct', text: comma }));
  else if (line.kind === 'open') parts.push(el('span', { class: 'j-punct', text: line.arr ? '[' : '{' }), el('span', { class: 'd-hint', text: ` … ${line.arr ? ']' : '}'}${comma}` }));
  else parts.push(el('span', { class: 'j-punct', text: (line.arr ? ']' : '}') + comma }));
  const attrs = { class: `${cls}${mark ? ` j-${mark}` : ''}` };
  if (line.kind !== 'close') attrs['data-path'] = row.path;
  const td = el('td', attrs, parts);
  // Through the CSSOM: the page's content security policy forbids style attributes.
  td.style.setProperty('--depth', String(row.depth));
  return td;
}

/** The side-by-side table; `captions` names the two columns. */
export function diffTable(left, right, [leftTitle, rightTitle], id = 'diff-table') {
  const rows = diffRows(left, right);
  const toggles = [];
  const trs = rows.map((row, i) => el('tr', { 'data-row': i }, cell(row, 'left', i, toggles), cell(row, 'right', i, toggles)));
  const folded = new Set();
  const refresh = () => {
    // A folded row hides everything up to and including its closing bracket, which its hint shows inline.
    let hideUntil = -1;
    rows.forEach((row, i) => {
      const hidden = i <= hideUntil;
      trs[i].hidden = hidden;
      if (!hidden && folded.has(i)) hideUntil = row.end;
    });
  };
  for (const btn of toggles) {
    btn.addEventListener('click', () => {
      const i = Number(btn.dataset.row);
      if (folded.has(i)) folded.delete(i);
      else folded.add(i);
      for (const b of toggles.filter((t) => t.dataset.row === btn.dataset.row)) {
        b.setAttribute('aria-expanded', String(!folded.has(i)));
        b.textContent = folded.has(i) ? '▸' : '▾';
        b.closest('td').classList.toggle('d-folded', folded.has(i));
      }
      refresh();
    });
  }
  return el('table', { class: 'diff-table', id },
    el('caption', { class: 'visually-hidden', text: `${leftTitle} and ${rightTitle}, side by side` }),
    el('colgroup', {}, el('col', { class: 'd-col' }), el('col', { class: 'd-col' })),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', id: `${id}-left`, text: leftTitle }), el('th', { scope: 'col', id: `${id}-right`, text: rightTitle }))),
    el('tbody', {}, trs));
}
