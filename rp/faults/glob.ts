/**
 * Glob matching for fault rules: '*' is any run of characters, '?' exactly one. No regular
 * expression is ever built from the pattern: the pattern is cut at its stars, the first piece must
 * be a prefix, the last a suffix, and each middle piece is taken at its leftmost place (greedy
 * leftmost is exact for '*'-only globs, so nothing is ever retried). Cost is at most
 * text length x pattern length, and patterns are capped at 256 characters by the rule schema.
 */

/** Does `piece` (with '?' wildcards) match `text` at `at`? */
function pieceAt(piece: string, text: string, at: number): boolean {
  if (at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const p = piece.charCodeAt(i);
    if (p !== 63 /* ? */ && p !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Case-sensitive glob match of the whole text; callers fold case first when they want ARM's insensitivity. */
export function globMatch(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern.length === text.length && pieceAt(pattern, text, 0);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > text.length) return false;
  if (!pieceAt(first, text, 0) || !pieceAt(last, text, text.length - last.length)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k];
    if (!piece) continue;
    let found = -1;
    for (let at = pos; at + piece.length <= end; at++) {
      if (pieceAt(piece, text, at)) {
        found = at;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + piece.length;
  }
  return true;
}
