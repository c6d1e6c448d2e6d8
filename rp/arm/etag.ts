/** Entity tags and the If-Match / If-None-Match preconditions of ARM writes. */
import { randomUUID } from 'node:crypto';
import { errors } from './errors.js';

export function newEtag(): string {
  return `"${randomUUID()}"`;
}

const bare = (tag: string) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

function matchesAny(header: string, current: string): boolean {
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(current));
}

/**
 * Checks If-Match / If-None-Match against the stored etag (undefined when the resource does not
 * exist). A mismatch is a 412 PreconditionFailed.
 */
export function checkPreconditions(ifMatch: string | undefined, ifNoneMatch: string | undefined, current: string | undefined): void {
  if (ifMatch !== undefined && ifMatch !== '') {
    if (current === undefined) {
      throw errors.preconditionFailed(`The resource does not exist, so the If-Match condition '${ifMatch}' cannot be met.`);
    }
    if (!matchesAny(ifMatch, current)) {
      throw errors.preconditionFailed(`The If-Match condition '${ifMatch}' does not match the resource's current etag '${current}'.`);
    }
  }
  if (ifNoneMatch !== undefined && ifNoneMatch !== '' && current !== undefined) {
    if (matchesAny(ifNoneMatch, current)) {
      throw errors.preconditionFailed(
        ifNoneMatch.trim() === '*'
          ? 'The resource already exists, and If-None-Match: * allows only its creation.'
          : `The If-None-Match condition '${ifNoneMatch}' matches the resource's current etag.`,
      );
    }
  }
}
