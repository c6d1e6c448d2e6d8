/**
 * Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials: the external
 * issuers (an OIDC issuer and subject) whose tokens a user-assigned identity trusts. A child of the
 * identity: PUT, GET, DELETE one, and list them (with $top and $skiptoken paging). The emulator stores
 * and shows them; it does not exchange external tokens for identity tokens.
 */
import { ArmError, errors } from '../../arm/errors.js';
import { sendJson } from '../../arm/http.js';
import { decodeSkipToken, encodeSkipToken, paginate, parseTop } from '../../arm/paging.js';
import { idKey, resourceId } from '../../arm/resource-id.js';
import { assertJsonObject } from '../../api/validate.js';
import type { ArmContext, TypeHandler } from '../context.js';
import { RESOURCES, systemDataFor } from '../resource-store.js';
import { FEDERATED_CREDENTIALS } from './credential-store.js';
import { MSI_API_VERSIONS } from './versions.js';

const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';
/** Federated credentials arrived with 2022-01-31-preview. */
const VERSIONS = MSI_API_VERSIONS.filter((v) => v >= '2022-01-31-preview');
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;
/** Azure's limit of federated credentials on one identity. */
const MAX_PER_IDENTITY = 20;

interface StoredCredential {
  id: string;
  name: string;
  identityId: string;
  issuer: string;
  subject: string;
  audiences: string[];
  systemData: Record<string, unknown>;
  seq: number;
}

function view(c: StoredCredential) {
  return { id: c.id, name: c.name, type: TYPE, systemData: c.systemData, properties: { issuer: c.issuer, subject: c.subject, audiences: c.audiences } };
}

/** The credentials of one identity, oldest first. */
function credentialsOf(emu: ArmContext['emu'], identityId: string): StoredCredential[] {
  const prefix = `${idKey(identityId)}/federatedidentitycredentials/`;
  return emu.store.entries<StoredCredential>(FEDERATED_CREDENTIALS).filter(([k]) => k.startsWith(prefix)).map(([, c]) => c).sort((a, b) => a.seq - b.seq);
}

function parent(ctx: ArmContext): { id: string; name: string } {
  const { emu, path } = ctx;
  const group = emu.requireResourceGroup(path.subscriptionId!, path.resourceGroup!);
  const id = resourceId(group.subscriptionId, group.name, 'Microsoft.ManagedIdentity', 'userAssignedIdentities', path.names[0]);
  const stored = emu.store.get<{ id: string }>(RESOURCES, idKey(id));
  if (!stored) throw errors.resourceNotFound('Microsoft.ManagedIdentity/userAssignedIdentities', path.names[0], path.resourceGroup!);
  return { id: stored.id, name: path.names[0] };
}

function readBody(body: unknown): { issuer: string; subject: string; audiences: string[] } {
  assertJsonObject(body);
  const props = body.properties;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw errors.invalidRequestContent("The request body must have a 'properties' object.", 'properties');
  const { issuer, subject, audiences } = props as Record<string, unknown>;
  if (typeof issuer !== 'string' || !issuer) throw new ArmError(400, 'MissingRequiredProperty', "The property 'properties.issuer' is required but was not supplied.", 'properties.issuer');
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:') throw errors.badRequest('InvalidIssuer', `The issuer '${issuer}' is not valid: it must be an https URL.`, 'properties.issuer');
  if (typeof subject !== 'string' || !subject) throw new ArmError(400, 'MissingRequiredProperty', "The property 'properties.subject' is required but was not supplied.", 'properties.subject');
  if (!Array.isArray(audiences) || audiences.length !== 1 || typeof audiences[0] !== 'string' || !audiences[0]) {
    throw errors.badRequest('InvalidAudiences', "The property 'properties.audiences' must hold exactly one audience, such as api://AzureADTokenExchange.", 'properties.audiences');
  }
  return { issuer, subject, audiences: audiences as string[] };
}

export function federatedIdentityCredentials(): TypeHandler {
  const requireName = (name: string) => {
    if (!NAME.test(name)) throw errors.invalidResourceName(name, TYPE, NAME.source);
  };
  const find = (emu: ArmContext['emu'], identityId: string, name: string) => emu.store.get<StoredCredential>(FEDERATED_CREDENTIALS, idKey(`${identityId}/federatedIdentityCredentials/${name}`));
  return {
    fullType: TYPE,
    apiVersions: VERSIONS,
    locations: [],
    async list(ctx) {
      const { emu } = ctx;
      const identity = parent(ctx);
      const items = credentialsOf(emu, identity.id);
      const top = parseTop(ctx.req.query.$top);
      const token = ctx.req.query.$skiptoken ?? ctx.req.query.$skipToken;
      const page = paginate(items, typeof token === 'string' ? decodeSkipToken(token) : 0, top ?? emu.pageSize, (offset) => {
        const url = new URL(ctx.req.originalUrl, emu.endpoint);
        url.searchParams.delete('$skipToken');
        url.searchParams.set('$skiptoken', encodeSkipToken(offset));
        return url.toString();
      });
      sendJson(ctx.res, 200, { value: page.value.map(view), ...(page.nextLink ? { nextLink: page.nextLink } : {}) });
    },
    async get(ctx) {
      const { emu } = ctx;
      const identity = parent(ctx);
      const c = find(ctx.emu, identity.id, ctx.path.names[1]);
      if (!c) throw errors.resourceNotFound(TYPE, `${identity.name}/${ctx.path.names[1]}`, ctx.path.resourceGroup!);
      sendJson(ctx.res, ctx.req.method === 'HEAD' ? 204 : 200, ctx.req.method === 'HEAD' ? undefined : view(c));
    },
    async put(ctx) {
      const { emu } = ctx;
      const identity = parent(ctx);
      const name = ctx.path.names[1];
      requireName(name);
      const body = readBody(ctx.req.body);
      const existing = find(ctx.emu, identity.id, name);
      const others = credentialsOf(emu, identity.id).filter((c) => c.name.toLowerCase() !== name.toLowerCase());
      if (!existing && others.length >= MAX_PER_IDENTITY) {
        throw errors.badRequest('TooManyFederatedIdentityCredentials', `The identity '${identity.name}' already has ${MAX_PER_IDENTITY} federated identity credentials, the most it may have.`);
      }
      const twin = others.find((c) => c.issuer === body.issuer && c.subject === body.subject);
      if (twin) throw errors.conflict('FederatedIdentityCredentialAlreadyExists', `The federated identity credential '${twin.name}' of identity '${identity.name}' already has issuer '${body.issuer}' and subject '${body.subject}'.`);
      const stored: StoredCredential = {
        id: existing?.id ?? `${identity.id}/federatedIdentityCredentials/${name}`,
        name: existing?.name ?? name,
        identityId: identity.id,
        ...body,
        systemData: systemDataFor(ctx.caller, emu.clock.iso(), existing?.systemData as never) as unknown as Record<string, unknown>,
        seq: existing?.seq ?? emu.nextSeq(),
      };
      await emu.store.put(FEDERATED_CREDENTIALS, idKey(stored.id), stored);
      sendJson(ctx.res, existing ? 200 : 201, view(stored));
    },
    async patch() {
      throw errors.methodNotAllowed('Federated identity credentials are replaced with PUT; PATCH is not supported.');
    },
    async delete(ctx) {
      const { emu } = ctx;
      const identity = parent(ctx);
      const c = find(ctx.emu, identity.id, ctx.path.names[1]);
      if (!c) {
        sendJson(ctx.res, 204, undefined);
        return;
      }
      await emu.store.delete(FEDERATED_CREDENTIALS, idKey(c.id));
      sendJson(ctx.res, 200, undefined);
    },
    async action() {
      throw errors.methodNotAllowed('Federated identity credentials have no actions.');
    },
  };
}
