// JSON as a collapsible, syntax-highlighted tree. Objects and arrays are <details> elements, so
// they open and close with the keyboard (Enter/Space) and screen readers announce them. Every
// line carries data-path ("properties.caCertificate.hash", "properties.nics[0].name").

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

function childPath(path, key, inArray) {
  if (inArray) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function render(value, key, path, last) {
  const comma = last ? '' : ',';
  if (!isContainer(value)) {
    return el('div', { class: 'j-line', 'data-path': path }, keyPart(key), scalar(value), el('span', { class: 'j-punct', text: comma }));
  }
  const arr = Array.isArray(value);
  const entries = arr ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = arr ? ['[', ']'] : ['{', '}'];
  const count = arr ? `${entries.length} item${entries.length === 1 ? '' : 's'}` : `${entries.length} propert${entries.length === 1 ? 'y' : 'ies'}`;
  const details = el('details', { class: 'j-node', 'data-path': path, open: true });
  details.append(
    el('summary', { class: 'j-line', 'data-path': path },
      keyPart(key), el('span', { class: 'j-punct', text: open }),
      el('span', { class: 'j-hint', text: ` ${count} ${close}${comma}` })),
    el('div', { class: 'j-children' }, entries.map(([k, v], i) => render(v, arr ? undefined : k, childPath(path, String(k), arr), i === entries.length - 1))),
    el('div', { class: 'j-line j-close' }, el('span', { class: 'j-punct', text: close + comma })),
  );
  return details;
}

export function jsonTree(value, { label } = {}) {
  return el('div', { class: 'json-tree', role: 'group', 'aria-label': label ?? 'JSON' }, render(value, undefined, '', true));
}

export function setAllOpen(tree, open) {
  for (const d of tree.querySelectorAll('details.j-node')) d.open = open;
}
