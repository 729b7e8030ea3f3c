import { ScimError } from '../scim-error.js';
import type { FilterNode } from './ast.js';
import { Parser } from './parser.js';

export interface ParseFilterOptions {
  /**
   * Accept unquoted words as string values (`userName sw O`,
   * `meta.created gt 2015-10-10T14:38:21.8617979-07:00`). RFC 7644 requires quotes, but
   * Microsoft's SCIM reference test collection and Entra ID's own documentation send such filters,
   * and a bare word has only one sensible reading. Default `true`.
   */
  allowUnquotedStrings?: boolean;
  /** Longest filter accepted, in characters. Default 4096. */
  maxLength?: number;
  /** Deepest nesting of parentheses and value filters. Default 32 (bounds recursion). */
  maxDepth?: number;
}

/**
 * Parses an RFC 7644 §3.4.2.2 filter (the `filter` query parameter, already URL-decoded).
 * @throws ScimError 400 `invalidFilter` whose detail names the position and what was expected.
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): FilterNode {
  const maxLength = options.maxLength ?? 4096;
  if (text.length > maxLength) {
    throw new ScimError(400, 'invalidFilter', `Invalid filter: it is ${text.length} characters long; at most ${maxLength} are accepted`);
  }
  return new Parser(text, {
    allowUnquotedStrings: options.allowUnquotedStrings ?? true,
    maxDepth: options.maxDepth ?? 32,
    errorType: 'invalidFilter',
    noun: 'filter',
  }).parseWholeFilter();
}
