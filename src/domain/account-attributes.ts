/**
 * The attributes and app roles rules match on, read from what observed state stores of an account.
 * A source stores its directory's values as the directory names them (`source_users.attributes`:
 * LDAP `departmentNumber`, Okta `profile.costCenter`, SCIM `roles`, …); a source's *view* says
 * which idsync name reads which of them. The view is applied when rules are matched, not when the
 * account is written, so a changed `attributes:` mapping applies to every account at the next
 * reconcile, including SCIM accounts that no IdP pushes again.
 */

/** Where one attribute's values are: the account's `company` column, or the first of these paths into its stored attributes that has a value. */
export type AttributeOrigin = { column: 'company' } | { paths: readonly string[] };

export interface AttributeView {
  /** By idsync name, lower-cased: the name as configured and where its values are. */
  names: ReadonlyMap<string, { name: string; origin: AttributeOrigin }>;
  /** Any name not in `names` is read below this path (Okta: every property of `profile`). */
  open?: string | undefined;
  /** The path of the app-role values (SCIM `roles.value`); absent when the source has none. */
  appRoles?: string | undefined;
}

/** What a source stores of one account, as far as rules are concerned. */
export interface StoredAccount {
  company: string | null;
  attributes: Readonly<Record<string, unknown>>;
}

export interface AccountRuleValues {
  appRoles: string[];
  attributes: Record<string, string[]>;
}

/** True when the view gives this idsync name a value source (case-insensitive). */
export function viewKnows(view: AttributeView, name: string): boolean {
  return view.open !== undefined || view.names.has(name.toLowerCase());
}

/** The app roles and attribute values of an account through its source's view. Pure. */
export function accountRuleValues(view: AttributeView, stored: StoredAccount): AccountRuleValues {
  const attributes: Record<string, string[]> = {};
  if (view.open !== undefined) {
    const below = valueAt(stored.attributes, view.open);
    if (isObject(below)) {
      for (const [name, value] of Object.entries(below)) {
        if (view.names.has(name.toLowerCase())) continue;
        const values = textsOf(value);
        if (values.length > 0) attributes[name] = values;
      }
    }
  }
  for (const { name, origin } of view.names.values()) {
    const values = 'column' in origin ? textsOf(stored.company) : firstWithValues(stored.attributes, origin.paths);
    if (values.length > 0) attributes[name] = values;
  }
  return { appRoles: view.appRoles === undefined ? [] : textsOf(valueAt(stored.attributes, view.appRoles)), attributes };
}

function firstWithValues(doc: Readonly<Record<string, unknown>>, paths: readonly string[]): string[] {
  for (const path of paths) {
    const values = textsOf(valueAt(doc, path));
    if (values.length > 0) return values;
  }
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path; through an array, the values of each element (SCIM `roles.value`
 * reads the value of every role). Keys match case-insensitively when no exact key exists, as
 * directory attribute names do (LDAP, SCIM).
 */
export function valueAt(doc: unknown, path: string): unknown {
  // Most paths are one plain key (`department`): no splitting, no arrays built.
  if (!path.includes('.')) return isObject(doc) ? member(doc, path) : undefined;
  let current: unknown[] = [doc];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const item of current.flatMap((c) => (Array.isArray(c) ? c : [c]))) {
      if (!isObject(item)) continue;
      const value = member(item, key);
      if (value !== undefined && value !== null) next.push(value);
    }
    current = next;
  }
  return current.length === 1 ? current[0] : current;
}

/** `object[key]`, else the value of the key that differs only in case. */
function member(object: Record<string, unknown>, key: string): unknown {
  const direct = object[key];
  if (direct !== undefined || key in object) return direct;
  const wanted = key.toLowerCase();
  for (const k in object) if (k.length === key.length && k.toLowerCase() === wanted) return object[k];
  return undefined;
}

/** Strings, numbers and booleans as text (arrays of them too); empty strings and objects are no value. */
function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [] : [value];
  if (value === undefined || value === null) return [];
  const out: string[] = [];
  for (const v of Array.isArray(value) ? value.flat() : [value]) {
    if (typeof v === 'string') {
      if (v.trim() !== '') out.push(v);
    } else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  }
  return out;
}
