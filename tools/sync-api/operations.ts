/** Reads operations/<version>.txt of derived-v2: one section per operation ('## OperationId'). */
import type { Field } from '../../rp/api/schema.js';
import { parseLine, parseTree } from './trees.js';

export interface Parameter {
  name: string;
  field: Field;
}

export interface FactOperation {
  operationId: string;
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  path: string;
  /** 'clusters', 'kubernetesClusters/agentPools' */
  resourceType: string;
  kind: 'instance' | 'collection' | 'action';
  action?: string;
  scope: 'resourceGroup' | 'subscription';
  pathParams: Parameter[];
  query: Parameter[];
  requestHeaders: string[];
  body?: { parameter: string; schema: string; required: boolean; tree?: Field };
  /** status code ('200', '200/201', '202', '204') -> what it carries. */
  responses: Record<string, { headers?: string[]; body?: string }>;
  lro?: { finalStateVia: 'azure-async-operation' | 'location'; finalResult?: string };
  pageable?: { itemName: string; nextLinkName: string };
}

const SECTION_KEYS = new Set(['path-params', 'query', 'request-headers', 'responses', 'request-body-tree']);

export function parseOperations(text: string): FactOperation[] {
  const out: FactOperation[] = [];
  const sections = text.split(/^## /m).slice(1);
  for (const section of sections) {
    const lines = section.split('\n');
    const operationId = lines[0].trim();
    const blocks = new Map<string, string[]>();
    const scalars = new Map<string, string>();
    let current: string[] | undefined;
    for (const line of lines.slice(1)) {
      if (!line.trim()) continue;
      if (line.startsWith('  ')) {
        current?.push(line);
        continue;
      }
      const m = /^([a-z-]+(?: \([^)]*\))?):\s?(.*)$/.exec(line);
      if (!m) throw new Error(`${operationId}: cannot read '${line}'`);
      const key = m[1].replace(/ \(.*\)$/, '');
      if (SECTION_KEYS.has(key) || key === 'response-body-tree') {
        current = [];
        blocks.set(key, current);
      } else {
        current = undefined;
      }
      scalars.set(key, m[2]);
    }
    const rt = /^(\S+) \((instance|collection|action (\S+)), (resourceGroup|subscription) scope\)$/.exec(scalars.get('resource-type') ?? '');
    if (!rt) throw new Error(`${operationId}: cannot read resource-type '${scalars.get('resource-type')}'`);
    const params = (key: string): Parameter[] =>
      (blocks.get(key) ?? []).map((l) => {
        const m = /^ {2}(\S+): (.*)$/.exec(l);
        if (!m) throw new Error(`${operationId}: cannot read parameter '${l}'`);
        const parsed = parseLine(`- x: ${m[2]}`);
        if (!parsed) throw new Error(`${operationId}: cannot read parameter '${l}'`);
        return { name: m[1], field: parsed.field };
      });
    const op: FactOperation = {
      operationId,
      method: scalars.get('method') as FactOperation['method'],
      path: scalars.get('path')!,
      resourceType: rt[1],
      kind: rt[2].startsWith('action') ? 'action' : (rt[2] as 'instance' | 'collection'),
      scope: rt[4] as FactOperation['scope'],
      pathParams: params('path-params'),
      query: params('query'),
      requestHeaders: (blocks.get('request-headers') ?? []).map((l) => l.trim().split(':')[0]),
      responses: {},
    };
    if (rt[3]) op.action = rt[3];
    // The facts label a child collection (GET .../clusters/{c}/bmcKeySets) as an 'action' of the parent.
    if (op.kind === 'action' && op.method === 'GET') {
      op.resourceType = `${rt[1]}/${rt[3]}`;
      op.kind = 'collection';
      delete op.action;
    }
    const body = scalars.get('request-body') ?? 'none';
    if (body !== 'none') {
      const m = /^parameter=(\S+) schema=(.*?)( \[Required\])?$/.exec(body);
      if (!m) throw new Error(`${operationId}: cannot read request-body '${body}'`);
      op.body = { parameter: m[1], schema: m[2], required: !!m[3] };
      const tree = blocks.get('request-body-tree');
      if (tree) op.body.tree = parseTree(tree, 2);
    }
    for (const l of blocks.get('responses') ?? []) {
      const m = /^ {2}([^:]+): (.*)$/.exec(l);
      if (!m) throw new Error(`${operationId}: cannot read response '${l}'`);
      const code = m[1].replace(/^error\(default\)$/, 'default');
      const r: { headers?: string[]; body?: string } = {};
      const headers = /headers=(\S+)/.exec(m[2]);
      if (headers) r.headers = headers[1].split(',');
      const b = /body=(.*)$/.exec(m[2]);
      if (b) r.body = b[1];
      op.responses[code] = r;
    }
    const lro = scalars.get('long-running') ?? 'no';
    if (lro !== 'no') {
      const via = /final-state-via=([a-z-]+)/.exec(lro);
      const result = /final-result=(.*)$/.exec(lro);
      op.lro = { finalStateVia: (via?.[1] ?? 'location') as 'location' };
      if (result) op.lro.finalResult = result[1];
    }
    const pageable = scalars.get('pageable');
    if (pageable) {
      const m = /itemName=(\S+) nextLinkName=(\S+)/.exec(pageable);
      op.pageable = { itemName: m?.[1] ?? 'value', nextLinkName: m?.[2] ?? 'nextLink' };
    }
    out.push(op);
  }
  return out;
}
