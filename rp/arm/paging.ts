/** nextLink paging for list operations: a page size, and an opaque $skipToken that carries the offset. */
import { errors } from './errors.js';

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

export const DEFAULT_PAGE_SIZE = 100;

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeSkipToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest('InvalidSkipToken', `The $skipToken '${token}' is not one this service issued.`, '$skipToken');
}

export function parseTop(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
    throw errors.badRequest('InvalidParameter', `The value '${String(raw)}' of $top is invalid: it must be a positive 32-bit integer.`, '$top');
  }
  return n;
}

/**
 * Cuts one page out of `items`. `linkFor(offset)` builds the absolute URL of the next page.
 * `pageSize` is the service's own page size; $top asks for smaller pages.
 */
export function paginate<T>(items: T[], offset: number, pageSize: number, linkFor: (offset: number) => string): Page<T> {
  const value = items.slice(offset, offset + pageSize);
  const page: Page<T> = { value };
  if (offset + pageSize < items.length) page.nextLink = linkFor(offset + pageSize);
  return page;
}
