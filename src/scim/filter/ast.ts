/**
 * The syntax tree of an RFC 7644 §3.4.2.2 filter. Names are kept as written (attribute names are
 * case-insensitive, so consumers compare them lower-cased); operators are lower-cased.
 */

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: JSON string, number, `true`/`false` or `null`. */
export type FilterValue = string | number | boolean | null;

/**
 * `[schema URI ":"] attribute ["." subAttribute]`, e.g. `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
 */
export interface AttributePath {
  /** The schema URN prefix, when one was written. */
  schema?: string;
  attribute: string;
  subAttribute?: string;
}

export interface CompareNode {
  kind: 'compare';
  path: AttributePath;
  op: CompareOperator;
  value: FilterValue;
  /**
   * The value exactly as written: a quoted string with its quotes, a number's digits, or an
   * unquoted word (see `ParseFilterOptions.allowUnquotedStrings`). Lets a translator compare a
   * string attribute with the text of `externalId eq 00123` rather than with the number 123.
   */
  raw: string;
}

export interface PresentNode {
  kind: 'present';
  path: AttributePath;
}

export interface LogicalNode {
  kind: 'and' | 'or';
  left: FilterNode;
  right: FilterNode;
}

export interface NotNode {
  kind: 'not';
  filter: FilterNode;
}

/**
 * `attribute[filter]`: some value of the multi-valued `attribute` satisfies `filter`, whose paths
 * are relative to that value (`emails[type eq "work" and value co "@x"]`). The parser also folds
 * `emails[type eq "work"].value eq "a@x"` into this form, as `emails[type eq "work" and value eq "a@x"]`.
 */
export interface ValuePathNode {
  kind: 'valuePath';
  path: AttributePath;
  filter: FilterNode;
}

export type FilterNode = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;
