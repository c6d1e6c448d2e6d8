/**
 * The shape of the generated API model (rp/api/generated/networkcloud.json), written by
 * `npm run sync-api` (tools/sync-api) from the upstream facts and read by ./model.ts.
 */
import type { Field } from './schema.js';

export interface GeneratedParameter {
  name: string;
  field: Field;
}

export interface GeneratedOperation {
  operationId: string;
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  path: string;
  kind: 'instance' | 'collection' | 'action';
  /** The action's path segment, e.g. 'powerOff'. */
  action?: string;
  scope: 'resourceGroup' | 'subscription';
  pathParams: GeneratedParameter[];
  query: GeneratedParameter[];
  requestHeaders: string[];
  body?: { parameter: string; schema: string; required: boolean; tree?: number };
  responses: Record<string, { headers?: string[]; body?: string }>;
  lro?: { finalStateVia: 'azure-async-operation' | 'location'; finalResult?: string };
  pageable?: { itemName: string; nextLinkName: string };
}

export interface GeneratedVersion {
  /** Indexes into GeneratedModel.trees. */
  get: number;
  put?: number;
  patch?: number;
  /** Indexes into GeneratedModel.operations (versions share identical operations). */
  operations: number[];
}

export interface GeneratedType {
  /** 'clusters', 'clusters/bmcKeySets' */
  type: string;
  parent?: string;
  scope: 'resourceGroup' | 'subscription';
  /** Operation-id prefix, e.g. 'BmcKeySets'. */
  operationGroup: string;
  nameParameter: string;
  /** The name path parameter's constraints (pattern, enum, lengths). */
  name: Field;
  /** The instance path, e.g. /subscriptions/{subscriptionId}/.../clusters/{clusterName}/bmcKeySets/{bmcKeySetName}. */
  path: string;
  versions: Record<string, GeneratedVersion>;
}

export interface GeneratedModel {
  note: string;
  namespace: string;
  versions: string[];
  trees: Field[];
  operations: GeneratedOperation[];
  types: GeneratedType[];
}
