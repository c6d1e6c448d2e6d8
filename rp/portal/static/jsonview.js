// JSON as a collapsible, syntax-highlighted tree. Objects and arrays are <details> elements, so
// they open and close with the keyboard (Enter/Space) and screen readers announce them. Every
// line carries data-path ("properties.caCertificate.hash", "properties.nics[0].name").

const MARK_TEXT = { added: 'added', removed: 'removed', changed: 'changed' };
const MARK_SIGN = { added: '+', removed: '−', changed: '~' };

export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) if (kid !== undefined && kid !== null && kid !== false) e.append(kid instanceof Node ? kid : String(kid));
  return e;
}

const isContainer = (v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0;

function scalar(value) {
  if (value === null) return el('span', { class: 'j-null', text: 'null' });
  if (Array.isArray(value)) return el('span', { class: 'j-punct', text: '[]' });
  switch (typeof value) {
    case 'string': return el('span', { class: 'j-str', text: JSON.stringify(value) });
    case 'number': return el('span', { class: 'j-num', text: String(value) });
    case 'boolean': return el('span', { class: 'j-bool', text: String(value) });
    default: return el('span', { class: 'j-punct', text: '{}' });
  }
}

function keyPart(key) {
  if (key === undefined) return [];
  return [el('span', { class: 'j-key', text: JSON.stringify(key) }), el('span', { class: 'j-punct', text: ': ' })];
}

function markPart(mark) {
  if (!mark) return [];
  return [el('span', { class: 'j-sign', 'aria-hidden': 'true', text: MARK_SIGN[mark] }), el('span', { class: 'visually-hidden', text: `(${MARK_TEXT[mark]}) ` })];
}

function childPath(path, key, inArray) {
  if (inArray) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function render(value, key, path, last, marks, depth) {
  const mark = marks?.get(path);
  const comma = last ? '' : ',';
  if (!isContainer(value)) {
    return el('div', { class: `j-line${mark ? ` j-${mark}` : ''}`, 'data-path': path }, markPart(mark), keyPart(key), scalar(value), el('span', { class: 'j-punct', text: comma }));
  }
  const arr = Array.isArray(value);
  const entries = arr ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = arr ? ['[', ']'] : ['{', '}'];
  const count = arr ? `${entries.length} item${entries.length === 1 ? '' : 's'}` : `${entries.length} propert${entries.length === 1 ? 'y' : 'ies'}`;
  const details = el('details', { class: `j-node${mark ? ` j-${mark}` : ''}`, 'data-path': path, open: true });
  details.append(
    el('summary', { class: 'j-line', 'data-path': path },
      markPart(mark), keyPart(key), el('span', { class: 'j-punct', text: open }),
      el('span', { class: 'j-hint', text: ` ${count} ${close}${comma}` })),
    el('div', { class: 'j-children' }, entries.map(([k, v], i) => render(v, k, childPath(path, String(k), arr), i === entries.length - 1, marks, depth + 1))),
    el('div', { class: 'j-line j-close' }, el('span', { class: 'j-punct', text: close + comma })),
  );
  return details;
}

/** The tree for `value`; `marks` maps paths to 'added' | 'removed' | 'changed'. */
export function jsonTree(value, { marks, label } = {}) {
  return el('div', { class: 'json-tree', role: 'group', 'aria-label': label ?? 'JSON' }, render(value, undefined, '', true, marks, 0));
}

export function setAllOpen(tree, open) {
  for (const d of tree.querySelectorAll('details.j-node')) d.open = open;
}

/** Every path of a JSON value, parents before children, with its scalar value (containers: a marker). */
export function flatten(value, path = '', out = new Map()) {
  if (path) out.set(path, isContainer(value) ? (Array.isArray(value) ? '[…]' : '{…}') : JSON.stringify(value));
  if (isContainer(value)) {
    const arr = Array.isArray(value);
    for (const [k, v] of arr ? value.map((v, i) => [i, v]) : Object.entries(value)) flatten(v, childPath(path, String(k), arr), out);
  }
  return out;
}

/**
 * What differs between two documents, as marks for each side: a path only on the left is
 * 'removed', only on the right 'added' (only the outermost such path is marked), and a scalar
 * that changed is 'changed' on both.
 */
export function documentDiff(left, right) {
  const a = flatten(left);
  const b = flatten(right);
  const leftMarks = new Map();
  const rightMarks = new Map();
  const parentMarked = (marks, p) => [...marks.keys()].some((m) => p.startsWith(`${m}.`) || p.startsWith(`${m}[`));
  for (const [p, v] of a) {
    if (!b.has(p)) {
      if (!parentMarked(leftMarks, p)) leftMarks.set(p, 'removed');
    } else if (b.get(p) !== v && !v.startsWith('{') && !v.startsWith('[')) {
      leftMarks.set(p, 'changed');
      rightMarks.set(p, 'changed');
    }
  }
  for (const p of b.keys()) if (!a.has(p) && !parentMarked(rightMarks, p)) rightMarks.set(p, 'added');
  return { leftMarks, rightMarks };
}
