/**
 * A small recursive-descent parser for the RFC 7644 §3.4.2.2 filter grammar (and the §3.5.2 PATCH
 * path grammar, which reuses it). Internal: callers use `parseFilter` and `parsePatchPath`.
 *
 *   filter    = or
 *   or        = and *("or" and)
 *   and       = unary *("and" unary)
 *   unary     = "not" "(" filter ")" / "(" filter ")" / attrExp
 *   attrExp   = attrPath "pr" / attrPath compareOp compValue
 *             / attrPath "[" filter "]" ["." subAttr (compareOp compValue / "pr")]
 *
 * Keywords, operators and literals are case-insensitive (ABNF strings are). Every failure is a
 * `ScimError(400, errorType)` whose detail names the character position and what was expected.
 */
import { ScimError, type ScimType } from '../scim-error.js';
import type { AttributePath, CompareOperator, FilterNode, FilterValue } from './ast.js';

export interface ParserOptions {
  allowUnquotedStrings: boolean;
  maxDepth: number;
  /** The scimType of syntax errors: `invalidFilter` for filters, `invalidPath` for PATCH paths. */
  errorType: ScimType;
  /** How errors refer to the input, e.g. "filter" or "path". */
  noun: string;
}

const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const PATH_CHAR = /[A-Za-z0-9:._$-]/;
const NAME = '[A-Za-z$][A-Za-z0-9_$-]*';
const ATTRIBUTE_PATH = new RegExp(`^(?:(urn:[A-Za-z0-9][A-Za-z0-9.:_-]*):)?(${NAME})(?:\\.(${NAME}))?$`, 'i');
const SUB_ATTRIBUTE = new RegExp(`^${NAME}$`);
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const WHITESPACE = /\s/;

/** `[schema ":"] attribute ["." subAttribute]`, or undefined when `text` is not one. */
export function toAttributePath(text: string): AttributePath | undefined {
  const match = ATTRIBUTE_PATH.exec(text);
  if (!match) return undefined;
  const [, schema, attribute, subAttribute] = match;
  if (attribute === undefined) return undefined;
  const path: AttributePath = { attribute };
  if (schema !== undefined) path.schema = schema;
  if (subAttribute !== undefined) path.subAttribute = subAttribute;
  return path;
}

export class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly options: ParserOptions,
  ) {}

  /** The whole input as one filter. */
  parseWholeFilter(): FilterNode {
    this.skipWhitespace();
    if (this.atEnd()) this.fail(`the ${this.options.noun} is empty`);
    const node = this.parseOr(false);
    this.skipWhitespace();
    if (!this.atEnd()) this.fail(`expected "and", "or" or the end of the ${this.options.noun}, found ${this.describeNext()}`);
    return node;
  }

  /** The whole input as a PATCH path: `attrPath` or `valuePath ["." subAttr]`. */
  parseWholePatchPath(): { path: AttributePath; filter?: FilterNode; subAttribute?: string } {
    this.skipWhitespace();
    const start = this.pos;
    const path = this.readAttributePath();
    const result: { path: AttributePath; filter?: FilterNode; subAttribute?: string } = { path };
    if (this.peek() === '[') {
      if (path.subAttribute !== undefined) this.failAt(start, `a value filter must follow a multi-valued attribute, not the sub-attribute "${formatPath(path)}"`);
      result.filter = this.readValueFilter();
      if (this.peek() === '.') {
        this.pos++;
        result.subAttribute = this.readSubAttribute();
      }
    }
    this.skipWhitespace();
    if (!this.atEnd()) this.fail(`unexpected ${this.describeNext()} after the path`);
    return result;
  }

  private parseOr(inValueFilter: boolean): FilterNode {
    let left = this.parseAnd(inValueFilter);
    while (this.acceptKeyword('or')) {
      const right = this.parseAnd(inValueFilter);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private parseAnd(inValueFilter: boolean): FilterNode {
    let left = this.parseUnary(inValueFilter);
    while (this.acceptKeyword('and')) {
      const right = this.parseUnary(inValueFilter);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private parseUnary(inValueFilter: boolean): FilterNode {
    this.skipWhitespace();
    if (this.atEnd()) this.fail(`expected an attribute, "not" or "(" but the ${this.options.noun} ended`);
    if (this.peek() === '(') return this.parseGroup(inValueFilter);
    const start = this.pos;
    if (this.lookingAtNot()) {
      this.pos += 3;
      this.skipWhitespace();
      if (this.peek() !== '(') this.failAt(start, '"not" must be followed by a filter in parentheses, as in not (userName eq "x")');
      return { kind: 'not', filter: this.parseGroup(inValueFilter) };
    }
    return this.parseAttributeExpression(inValueFilter);
  }

  private parseGroup(inValueFilter: boolean): FilterNode {
    const open = this.pos;
    this.pos++; // "("
    this.enter();
    const inner = this.parseOr(inValueFilter);
    this.skipWhitespace();
    if (this.peek() !== ')') {
      if (this.atEnd()) this.failAt(open, 'this "(" is never closed');
      this.fail(`expected ")", "and" or "or", found ${this.describeNext()}`);
    }
    this.pos++;
    this.depth--;
    return inner;
  }

  private parseAttributeExpression(inValueFilter: boolean): FilterNode {
    const start = this.pos;
    const path = this.readAttributePath();
    if (this.peek() === '[') {
      if (inValueFilter) this.failAt(this.pos, 'value filters cannot be nested');
      if (path.subAttribute !== undefined) this.failAt(start, `a value filter must follow a multi-valued attribute, not the sub-attribute "${formatPath(path)}"`);
      const filter = this.readValueFilter();
      if (this.peek() !== '.') return { kind: 'valuePath', path, filter };
      // emails[type eq "work"].value eq "x" → emails[type eq "work" and value eq "x"]
      this.pos++;
      const subStart = this.pos;
      const subAttribute = this.readSubAttribute();
      const condition = this.parseCondition({ attribute: subAttribute }, subStart);
      return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right: condition } };
    }
    if (inValueFilter && path.schema !== undefined) {
      this.failAt(start, `inside a value filter, attributes are relative to the multi-valued attribute; "${formatPath(path)}" is not`);
    }
    return this.parseCondition(path, start);
  }

  /** `SP "pr"` or `SP compareOp SP compValue` after an attribute path. */
  private parseCondition(path: AttributePath, pathStart: number): FilterNode {
    const name = this.text.slice(pathStart, this.pos);
    if (!this.skipWhitespace()) {
      if (this.atEnd()) this.fail(`expected an operator after "${name}" but the ${this.options.noun} ended`);
      this.fail(`expected a space and an operator after "${name}", found ${this.describeNext()}`);
    }
    const opStart = this.pos;
    const word = this.readWord();
    const op = word.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPERATORS.has(op)) {
      if (word === '') {
        if (this.atEnd()) this.failAt(opStart, `expected an operator after "${name}" but the ${this.options.noun} ended`);
        this.failAt(opStart, `expected an operator after "${name}", found ${this.describeNext()}`);
      }
      if (path.attribute.toLowerCase() === 'not' && path.schema === undefined && path.subAttribute === undefined) {
        this.failAt(pathStart, '"not" must be followed by a filter in parentheses, as in not (userName eq "x")');
      }
      this.failAt(opStart, `"${word}" is not an operator; expected one of eq, ne, co, sw, ew, gt, ge, lt, le, pr`);
    }
    if (!this.skipWhitespace()) {
      if (this.atEnd()) this.fail(`expected a value after "${name} ${word}" but the ${this.options.noun} ended`);
      this.fail(`expected a space and a value after "${word}", found ${this.describeNext()}`);
    }
    const { value, raw } = this.readValue(`${name} ${word}`);
    return { kind: 'compare', path, op: op as CompareOperator, value, raw };
  }

  private readValue(context: string): { value: FilterValue; raw: string } {
    const start = this.pos;
    if (this.atEnd()) this.fail(`expected a value after "${context}" but the ${this.options.noun} ended`);
    if (this.peek() === '"') {
      this.pos++;
      while (!this.atEnd() && this.peek() !== '"') this.pos += this.peek() === '\\' ? 2 : 1;
      if (this.atEnd()) this.failAt(start, 'this string is never closed with a double quote');
      this.pos++;
      const raw = this.text.slice(start, this.pos);
      try {
        return { value: JSON.parse(raw) as string, raw };
      } catch {
        this.failAt(start, `${truncate(raw)} is not a valid JSON string (check its backslash escapes and control characters)`);
      }
    }
    while (!this.atEnd() && !WHITESPACE.test(this.peek()) && !')]'.includes(this.peek())) {
      if (this.peek() === '"') this.fail('a value cannot contain a double quote outside a string');
      this.pos++;
    }
    const raw = this.text.slice(start, this.pos);
    if (raw === '') this.failAt(start, `expected a value after "${context}", found ${this.describeNext()}`);
    const lower = raw.toLowerCase();
    if (lower === 'true') return { value: true, raw };
    if (lower === 'false') return { value: false, raw };
    if (lower === 'null') return { value: null, raw };
    if (JSON_NUMBER.test(raw)) {
      const value = Number(raw);
      if (!Number.isFinite(value)) this.failAt(start, `the number ${truncate(raw)} is out of range`);
      return { value, raw };
    }
    if (!this.options.allowUnquotedStrings) {
      this.failAt(start, `the value ${truncate(raw)} must be a JSON string in double quotes, a number, true, false or null`);
    }
    return { value: raw, raw };
  }

  private readValueFilter(): FilterNode {
    const open = this.pos;
    this.pos++; // "["
    this.enter();
    const filter = this.parseOr(true);
    this.skipWhitespace();
    if (this.peek() !== ']') {
      if (this.atEnd()) this.failAt(open, 'this "[" is never closed');
      this.fail(`expected "]", "and" or "or", found ${this.describeNext()}`);
    }
    this.pos++;
    this.depth--;
    return filter;
  }

  private readAttributePath(): AttributePath {
    const start = this.pos;
    while (!this.atEnd() && PATH_CHAR.test(this.peek())) this.pos++;
    const text = this.text.slice(start, this.pos);
    if (text === '') this.failAt(start, `expected an attribute name, found ${this.describeNext()}`);
    const path = toAttributePath(text);
    if (!path) this.failAt(start, `"${truncate(text)}" is not a valid attribute path`);
    return path;
  }

  private readSubAttribute(): string {
    const start = this.pos;
    while (!this.atEnd() && PATH_CHAR.test(this.peek())) this.pos++;
    const name = this.text.slice(start, this.pos);
    if (!SUB_ATTRIBUTE.test(name)) this.failAt(start, `expected a sub-attribute name after "].", found ${name === '' ? this.describeNext() : `"${truncate(name)}"`}`);
    return name;
  }

  /** Consumes `keyword` (case-insensitive) when it comes next as a whole word. */
  private acceptKeyword(keyword: 'and' | 'or'): boolean {
    const save = this.pos;
    this.skipWhitespace();
    const end = this.pos + keyword.length;
    if (this.text.slice(this.pos, end).toLowerCase() === keyword) {
      const after = this.text[end];
      // At the very end too, so that "a eq 1 and" reports the missing operand, not a stray word.
      if (after === undefined || WHITESPACE.test(after) || after === '(') {
        this.pos = end;
        return true;
      }
    }
    this.pos = save;
    return false;
  }

  private lookingAtNot(): boolean {
    if (this.text.slice(this.pos, this.pos + 3).toLowerCase() !== 'not') return false;
    let i = this.pos + 3;
    while (i < this.text.length && WHITESPACE.test(this.text[i] ?? '')) i++;
    return this.text[i] === '(';
  }

  private readWord(): string {
    const start = this.pos;
    while (!this.atEnd() && /[A-Za-z]/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private enter(): void {
    this.depth++;
    if (this.depth > this.options.maxDepth) this.fail(`the ${this.options.noun} is nested more than ${this.options.maxDepth} levels deep`);
  }

  /** Skips whitespace; true when there was some. */
  private skipWhitespace(): boolean {
    const start = this.pos;
    while (!this.atEnd() && WHITESPACE.test(this.peek())) this.pos++;
    return this.pos > start;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private describeNext(): string {
    if (this.atEnd()) return `the end of the ${this.options.noun}`;
    const rest = this.text.slice(this.pos);
    const token = /^[^\s()[\]"]+/.exec(rest)?.[0] ?? rest.charAt(0);
    return `"${truncate(token)}"`;
  }

  private fail(message: string): never {
    this.failAt(this.pos, message);
  }

  private failAt(pos: number, message: string): never {
    throw new ScimError(400, this.options.errorType, `Invalid ${this.options.noun} at character ${pos + 1}: ${message}`);
  }
}

export function formatPath(path: AttributePath): string {
  const name = path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  return path.schema === undefined ? name : `${path.schema}:${name}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
