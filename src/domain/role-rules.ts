import type { Role } from './roles.js';

/**
 * One rule of a workspace role, as in config `workspaces[].roles.<role>[]`. Each names a source
 * (`*` for every source) and what an account of that source must show:
 * - `group` — a group's display name, external id or alias;
 * - `appRole` — a SCIM `roles[].value` pushed for the user (Entra ID's app-role assignments);
 * - `attribute` — an attribute value, `equals` one value or `in` a list.
 * Every comparison is case-insensitive.
 */
export type RoleRule = GroupRule | AppRoleRule | AttributeRule;

export interface GroupRule {
  source: string;
  group: string;
}

export interface AppRoleRule {
  source: string;
  appRole: string;
}

export type AttributeRule = { source: string; attribute: string } & ({ equals: string } | { in: readonly string[] });

/** The values an attribute rule accepts. */
export function acceptedValues(rule: AttributeRule): readonly string[] {
  return 'equals' in rule ? [rule.equals] : rule.in;
}

/**
 * A rule as grants and audit rows name it: `editor: okta/Analytics Editors` for a group (the form
 * grants were stored under before the other kinds existed, so they keep matching),
 * `admin: entra-scim/appRole=Workspace.Admin`, `viewer: okta/employeeType in [Employee, Contractor]`.
 */
export function ruleText(role: Role, rule: RoleRule): string {
  if ('group' in rule) return `${role}: ${rule.source}/${rule.group}`;
  if ('appRole' in rule) return `${role}: ${rule.source}/appRole=${rule.appRole}`;
  return 'equals' in rule
    ? `${role}: ${rule.source}/${rule.attribute}=${rule.equals}`
    : `${role}: ${rule.source}/${rule.attribute} in [${rule.in.join(', ')}]`;
}
