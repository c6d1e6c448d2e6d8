/**
 * The api-versions the emulator serves for Microsoft.NetworkCloud, oldest first. A version bump
 * starts here: add its facts to derived-v2, add it to this list, run `npm run sync-api` (which
 * writes rp/api/generated/ for exactly these versions) and `npm run specs`.
 */
export const API_VERSIONS = [
  '2023-07-01',
  '2024-06-01-preview',
  '2024-07-01',
  '2024-10-01-preview',
  '2025-02-01',
  '2025-07-01-preview',
  '2025-09-01',
  '2026-01-01-preview',
  '2026-05-01-preview',
  '2026-07-01',
] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

/** The newest stable version: what clients get when they ask for "the latest". */
export const LATEST_STABLE: ApiVersion = '2026-07-01';

export function isApiVersion(v: string): v is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(v);
}

/** True when `version` is `since` or later (versions only add properties, so this is all projection needs). */
export function atLeast(version: ApiVersion, since: ApiVersion | undefined): boolean {
  if (!since) return true;
  return API_VERSIONS.indexOf(version) >= API_VERSIONS.indexOf(since);
}

export function isPreview(v: ApiVersion): boolean {
  return v.endsWith('-preview');
}

/** Operation-level facts that change with the version (property-level ones live on each field). */
export const VERSION_FEATURES = {
  /** etag on the four types and If-Match / If-None-Match on PUT, PATCH and DELETE. */
  etag: '2025-02-01',
  /** $top and $skipToken on list operations. */
  listPaging: '2025-07-01-preview',
  /** Retry-After on the 202 of POST actions (as the facts model it). */
  retryAfterOnActions: '2026-05-01-preview',
} as const satisfies Record<string, ApiVersion>;
