// A small DER reader: enough of X.509 to show a certificate's subject, issuer, validity, serial,
// key and basic constraints. It reads; it never verifies signatures.

const OIDS = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'title', '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.2.840.10045.2.1': 'EC', '1.2.840.113549.1.1.1': 'RSA', '1.3.101.112': 'Ed25519',
  '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384', '1.3.132.0.35': 'P-521',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256', '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384', '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption', '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
};
const BASIC_CONSTRAINTS = '2.5.29.19';

function tlv(bytes, pos) {
  if (pos + 2 > bytes.length) throw new Error('truncated DER');
  const tag = bytes[pos];
  let len = bytes[pos + 1];
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + 2 + i];
    header += n;
  }
  const start = pos + header;
  if (start + len > bytes.length) throw new Error('truncated DER');
  return { tag, start, end: start + len, next: start + len };
}

function children(bytes, node) {
  const out = [];
  for (let p = node.start; p < node.end; ) {
    const c = tlv(bytes, p);
    out.push(c);
    p = c.next;
  }
  return out;
}

function oid(bytes, node) {
  const parts = [];
  let value = 0;
  for (let i = node.start; i < node.end; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

function text(bytes, node) {
  const slice = bytes.subarray(node.start, node.end);
  if (node.tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < slice.length; i += 2) s += String.fromCharCode((slice[i] << 8) | slice[i + 1]);
    return s;
  }
  if (node.tag === 0x0c) return new TextDecoder().decode(slice);
  return Array.from(slice, (b) => String.fromCharCode(b)).join('');
}

function hex(bytes, node) {
  return Array.from(bytes.subarray(node.start, node.end), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A Name as attribute pairs in certificate order, and as one "C=…, O=…, CN=…" line. */
function name(bytes, node) {
  const attrs = [];
  for (const rdn of children(bytes, node)) {
    for (const atv of children(bytes, rdn)) {
      const [type, value] = children(bytes, atv);
      const o = oid(bytes, type);
      attrs.push({ type: OIDS[o] ?? o, value: text(bytes, value) });
    }
  }
  return { attrs, text: attrs.map((a) => `${a.type}=${a.value}`).join(', ') };
}

function time(bytes, node) {
  const s = text(bytes, node);
  const m = node.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error(`unsupported time ${s}`);
  let year = Number(m[1]);
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

export function pemToDer(pem) {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error('no PEM certificate found');
  const bin = atob(m[1].replace(/\s+/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function parseCertificate(der) {
  const cert = tlv(der, 0);
  const [tbs, sigAlg] = children(der, cert);
  let fields = children(der, tbs);
  let version = 1;
  if (fields[0].tag === 0xa0) {
    version = der[children(der, fields[0])[0].start] + 1;
    fields = fields.slice(1);
  }
  const [serial, , issuer, validity, subject, spki, ...rest] = fields;
  const [notBefore, notAfter] = children(der, validity);
  const [keyAlg] = children(der, spki);
  const [keyOid, keyParam] = children(der, keyAlg);
  const keyType = OIDS[oid(der, keyOid)] ?? oid(der, keyOid);
  const curve = keyParam && keyParam.tag === 0x06 ? OIDS[oid(der, keyParam)] ?? oid(der, keyParam) : '';
  let ca = null;
  const extWrapper = rest.find((n) => n.tag === 0xa3);
  if (extWrapper) {
    for (const ext of children(der, children(der, extWrapper)[0])) {
      const parts = children(der, ext);
      if (oid(der, parts[0]) !== BASIC_CONSTRAINTS) continue;
      const value = parts[parts.length - 1];
      const seq = tlv(der, value.start);
      const items = children(der, seq);
      const isCa = items[0]?.tag === 0x01 && der[items[0].start] !== 0;
      const pathLen = items.find((i) => i.tag === 0x02);
      ca = { isCa, pathLen: pathLen ? Number.parseInt(hex(der, pathLen), 16) : null };
    }
  }
  return {
    version,
    serial: hex(der, serial).replace(/^00(?=[89a-f])/, ''),
    issuer: name(der, issuer),
    subject: name(der, subject),
    notBefore: time(der, notBefore),
    notAfter: time(der, notAfter),
    publicKey: curve ? `${keyType} ${curve}` : keyType,
    signatureAlgorithm: OIDS[oid(der, children(der, sigAlg)[0])] ?? oid(der, children(der, sigAlg)[0]),
    basicConstraints: ca,
  };
}

export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
