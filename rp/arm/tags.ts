/**
 * ARM's limits on resource tags, checked in one place for every tracked resource type and for
 * resource groups, on PUT and PATCH, before anything is stored:
 * - at most 50 tags on a resource or resource group;
 * - a tag name of at most 512 characters, none of `< > % & \ ? /` and no control characters;
 * - a tag value of at most 256 characters.
 *
 * Codes and messages: InvalidTagNameCharacters, InvalidTagName (name too long) and
 * InvalidTagValueLength follow ARM's wording as Azure tools quote it; the code for too many tags,
 * InvalidTagCount, is this emulator's choice (README, "ARM behaviour"). The first problem found
 * is reported: the count, then names, then values.
 */
import { ArmError } from './errors.js';

export const MAX_TAGS = 50;
export const MAX_TAG_NAME_LENGTH = 512;
export const MAX_TAG_VALUE_LENGTH = 256;

// eslint-disable-next-line no-control-regex
const RESERVED = /[<>%&\\?/\u0000-\u001f\u007f]/;

/** Throws ARM's 400 when `tags` (the request's `tags` member, any shape) breaks a limit; other shapes are left to schema validation. */
export function assertValidTags(tags: unknown): void {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return;
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > MAX_TAGS) {
    throw new ArmError(400, 'InvalidTagCount', `The resource has ${entries.length} tags; at most ${MAX_TAGS} tags are allowed on a resource or resource group.`, 'tags');
  }
  const reserved = entries.map(([k]) => k).filter((k) => RESERVED.test(k));
  if (reserved.length) {
    throw new ArmError(400, 'InvalidTagNameCharacters', `The tag names '${reserved.map(shorten).join(',')}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`, 'tags');
  }
  const longName = entries.find(([k]) => k.length > MAX_TAG_NAME_LENGTH);
  if (longName) {
    throw new ArmError(400, 'InvalidTagName', `Tag key too large. Following tag name '${shorten(longName[0])}' exceeded the maximum length. Maximum allowed length for tag name - '${MAX_TAG_NAME_LENGTH}' characters.`, 'tags');
  }
  const longValue = entries.find(([, v]) => typeof v === 'string' && v.length > MAX_TAG_VALUE_LENGTH);
  if (longValue) {
    throw new ArmError(400, 'InvalidTagValueLength', `Tag value too large. Following tag value '${shorten(longValue[1] as string)}' exceeded the maximum length. Maximum allowed length for tag value - '${MAX_TAG_VALUE_LENGTH}' characters.`, 'tags');
  }
}

/** Error messages quote at most the first 600 characters of a name or value (a 3.9 MB value is not echoed back). */
function shorten(text: string): string {
  return text.length > 600 ? `${text.slice(0, 600)}...` : text;
}
