// Sign-in and calls to the emulator's own ARM API (same origin). The token lives in memory only.

const ARM_RESOURCES_VERSION = '2021-04-01';
const ARM_SUBSCRIPTIONS_VERSION = '2022-12-01';

let session = null; // { token, expiresOn (epoch s), principal, refresh: () => Promise<session> }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function readJson(res) {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The loopback sign-in: the emulator hands the page a short-lived token for its demo principal. */
async function portalToken() {
  const res = await fetch('/portal/api/token', { method: 'POST', headers: { 'X-Portal-Request': '1' }, credentials: 'omit' });
  const body = await readJson(res);
  if (!res.ok) {
    const err = new ApiError(res.status, body?.error?.code ?? 'SignInFailed', body?.error?.message ?? `sign-in failed (${res.status})`);
    err.tenantId = body?.tenantId;
    throw err;
  }
  return { token: body.access_token, expiresOn: body.expires_on, principal: body.principal.displayName, refresh: portalToken };
}

/** The client-credentials flow, for callers the loopback sign-in refuses (e.g. another machine). */
export async function signInWithClientSecret(tenantId, clientId, clientSecret) {
  const get = async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://management.azure.com/.default' });
    const res = await fetch(`/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, { method: 'POST', body: form, credentials: 'omit' });
    const body = await readJson(res);
    if (!res.ok) throw new ApiError(res.status, body?.error ?? 'SignInFailed', body?.error_description ?? `sign-in failed (${res.status})`);
    return { token: body.access_token, expiresOn: Math.floor(Date.now() / 1000) + Number(body.expires_in), principal: clientId, refresh: get };
  };
  session = await get();
  return session;
}

export async function signIn() {
  session = await portalToken();
  return session;
}

export function currentSession() {
  return session;
}

async function bearer() {
  if (!session) throw new ApiError(401, 'NotSignedIn', 'Not signed in.');
  if (session.expiresOn - Date.now() / 1000 < 60) session = await session.refresh();
  return session.token;
}

/** A request to the ARM API (or any same-origin JSON route) with the bearer token; ARM errors become ApiErrors. */
export async function arm(path, { method = 'GET', body, apiVersion } = {}) {
  const url = new URL(path, location.origin);
  if (apiVersion) url.searchParams.set('api-version', apiVersion);
  const headers = { Authorization: `Bearer ${await bearer()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
  const json = await readJson(res);
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? `HTTP${res.status}`, json?.error?.message ?? `${method} ${url.pathname} answered ${res.status}`);
  return json;
}

/** Every item of a paged ARM list, following nextLink. */
export async function armList(path, apiVersion) {
  const items = [];
  let page = await arm(path, { apiVersion });
  items.push(...(page.value ?? []));
  for (let guard = 0; page.nextLink && guard < 100; guard++) {
    page = await arm(page.nextLink);
    items.push(...(page.value ?? []));
  }
  return items;
}

export const listSubscriptions = () => armList('/subscriptions', ARM_SUBSCRIPTIONS_VERSION);
export const listResourceGroups = (sub) => armList(`/subscriptions/${sub}/resourcegroups`, ARM_RESOURCES_VERSION);
export const listResources = (sub, group) =>
  armList(group ? `/subscriptions/${sub}/resourceGroups/${encodeURIComponent(group)}/resources` : `/subscriptions/${sub}/resources`, ARM_RESOURCES_VERSION);

const providerCache = new Map();

/** The api-versions a resource type supports, newest first, from the provider registration. */
export async function apiVersionsOf(sub, fullType) {
  const [ns, ...rest] = fullType.split('/');
  const key = `${sub}/${ns}`.toLowerCase();
  if (!providerCache.has(key)) providerCache.set(key, arm(`/subscriptions/${sub}/providers/${ns}`, { apiVersion: ARM_RESOURCES_VERSION }).catch((e) => {
    providerCache.delete(key);
    throw e;
  }));
  const provider = await providerCache.get(key);
  const wanted = rest.join('/').toLowerCase();
  const entry = (provider.resourceTypes ?? []).find((t) => t.resourceType.toLowerCase() === wanted);
  if (!entry) throw new ApiError(404, 'InvalidResourceType', `The provider ${ns} does not register the type '${rest.join('/')}'.`);
  return entry.apiVersions;
}

export const getResource = (id, apiVersion) => arm(id, { apiVersion });

/** The virtual clock: any signed-in caller may read it. */
export const getClock = () => arm('/_emulator/clock');

export const advanceClock = (advance) => arm('/_emulator/clock', { method: 'POST', body: { advance } });

/** The fault rules, with their state and counters (GET /_emulator/faults needs the bearer token). */
export const listFaults = async () => (await arm('/_emulator/faults')).value ?? [];

export const versionDiff = (type, from, to) =>
  arm(`/portal/api/version-diff?${new URLSearchParams({ type, from, to })}`);

export const propertyVersions = (type, path) => arm(`/portal/api/property-versions?${new URLSearchParams({ type, path })}`);

/** A deployed cluster's PKI from the emulator's site view (readable by whoever may read the cluster); null before deploy. */
export async function clusterSite(clusterId) {
  const [, , sub, , group, , , , name] = clusterId.split('/');
  const base = `/_emulator/sites/${sub}/${encodeURIComponent(group)}/${encodeURIComponent(name)}`;
  const get = (path) => arm(base + path);
  try {
    const [summary, issuers, certificates, bundle] = await Promise.all([get(''), get('/issuers'), get('/certificates'), get('/trust-bundle')]);
    return { summary, issuers: issuers.value, certificates: certificates.value, bundle };
  } catch (e) {
    if (e.code === 'SiteNotFound') return null;
    throw e;
  }
}
