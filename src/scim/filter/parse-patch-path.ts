import { ScimError } from '../scim-error.js';
import type { AttributePath, FilterNode } from './ast.js';
import { Parser } from './parser.js';

/**
 * A PATCH operation's target (RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`), e.g.
 * `members[value eq "2819c223"]`, `emails[type eq "work"].value`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
 */
export interface PatchPath {
  /** The attribute, with its sub-attribute when written as `name.givenName`. */
  path: AttributePath;
  /** The value filter of a `valuePath`, relative to the multi-valued attribute. */
  filter?: FilterNode;
  /** The sub-attribute after a value filter: `value` in `emails[type eq "work"].value`. */
  subAttribute?: string;
}

/**
 * Parses a PATCH `path`.
 * @throws ScimError 400 `invalidPath` whose detail names the position and what was expected.
 */
export function parsePatchPath(text: string): PatchPath {
  if (text.length > 4096) throw new ScimError(400, 'invalidPath', 'Invalid path: it is longer than 4096 characters');
  return new Parser(text, { allowUnquotedStrings: false, maxDepth: 8, errorType: 'invalidPath', noun: 'path' }).parseWholePatchPath();
}
