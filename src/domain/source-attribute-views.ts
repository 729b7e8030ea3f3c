import type { AttributeOrigin, AttributeView } from './account-attributes.js';

export type SourceKind = 'scim' | 'ldap' | 'entra' | 'okta' | 'google' | 'csv';

interface KindDefaults {
  /** idsync name → where each connector stores it (see the connector's `map.ts`). */
  names: Record<string, AttributeOrigin>;
  /** Okta: every property of the stored `profile` is an attribute by its own name. */
  open?: string;
  /** SCIM: `roles[].value` as the IdP pushed them. */
  appRoles?: string;
  /** The prefix a source's `attributes:` override is read under (`costCenter` on Okta is `profile.costCenter`). */
  overrideBase?: string;
  /**
   * The directory attributes an override may name, when the connector stores a fixed set (Graph
   * properties it selects, Google's primary organization); absent: any (LDAP requests what is
   * mapped, SCIM and Okta store everything sent).
   */
  stored?: readonly string[];
  /** What an override must look like, when the connector asks its API for it by name. */
  overridePattern?: { pattern: RegExp; message: string };
}

const company: AttributeOrigin = { column: 'company' };
const at = (...paths: string[]): AttributeOrigin => ({ paths });

/**
 * The common attributes each kind of source maps by default (design §4). A source's
 * `attributes: { idsyncName: directoryAttribute }` adds names or overrides these.
 */
export const DEFAULT_ATTRIBUTES: Readonly<Record<SourceKind, KindDefaults>> = {
  scim: {
    // The enterprise extension is stored flat beside the core attributes (`scim/users/user-resource.ts`); organization is the company column.
    names: {
      department: at('department'),
      costCenter: at('costCenter'),
      organization: company,
      division: at('division'),
      employeeNumber: at('employeeNumber'),
      userType: at('userType'),
      title: at('title'),
    },
    appRoles: 'roles.value',
  },
  ldap: {
    // inetOrgPerson names first, then Active Directory's.
    names: {
      department: at('departmentNumber', 'department'),
      employeeType: at('employeeType'),
      employeeNumber: at('employeeNumber', 'employeeID'),
      title: at('title'),
      organization: company,
    },
  },
  entra: {
    // An override names a Graph user property (or a path into one), which the connector then selects too.
    names: { department: at('department'), jobTitle: at('jobTitle'), employeeType: at('employeeType'), companyName: company, userType: at('userType') },
    overridePattern: { pattern: /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/, message: 'must be a Graph user property such as officeLocation or onPremisesExtensionAttributes.extensionAttribute1' },
  },
  okta: { names: {}, open: 'profile', overrideBase: 'profile' },
  google: {
    // The primary organization (else the first) is stored as `organization`; Google's console calls its `description` "Employee type".
    names: {
      department: at('organization.department'),
      title: at('organization.title'),
      costCenter: at('organization.costCenter'),
      employeeType: at('organization.description'),
      organization: company,
    },
    stored: ['organization.department', 'organization.title', 'organization.costCenter', 'organization.description', 'organization.location', 'organization.name', 'orgUnitPath', 'isAdmin'],
  },
  csv: { names: {} },
};

/** Why an override cannot be read, or undefined when it can. */
export function overrideProblem(kind: SourceKind, directoryAttribute: string): string | undefined {
  const shape = DEFAULT_ATTRIBUTES[kind].overridePattern;
  if (shape && !shape.pattern.test(directoryAttribute)) return shape.message;
  const stored = DEFAULT_ATTRIBUTES[kind].stored;
  if (stored === undefined || stored.some((s) => s.toLowerCase() === directoryAttribute.toLowerCase())) return undefined;
  return `the ${kind} connector stores only ${stored.join(', ')}`;
}

/** The view of a source of this kind with its `attributes:` overrides (idsync name → directory attribute). */
export function attributeView(kind: SourceKind, overrides: Readonly<Record<string, string>> = {}): AttributeView {
  const defaults = DEFAULT_ATTRIBUTES[kind];
  const names = new Map<string, { name: string; origin: AttributeOrigin }>();
  for (const [name, origin] of Object.entries(defaults.names)) names.set(name.toLowerCase(), { name, origin });
  const base = defaults.overrideBase === undefined ? '' : `${defaults.overrideBase}.`;
  for (const [name, directoryAttribute] of Object.entries(overrides)) names.set(name.toLowerCase(), { name, origin: at(base + directoryAttribute) });
  return { names, open: defaults.open, appRoles: defaults.appRoles };
}

/** The directory attributes an LDAP source must request for its view (the first segment of each path). */
export function directoryAttributesOf(view: AttributeView): string[] {
  const out = new Map<string, string>();
  for (const { origin } of view.names.values()) {
    if ('paths' in origin) for (const p of origin.paths) out.set((p.split('.')[0] as string).toLowerCase(), p.split('.')[0] as string);
  }
  return [...out.values()];
}
