import type { PolicyAction } from '../../src/domain/role-policy.js';
import type { Role } from '../../src/domain/roles.js';

/**
 * Design §4's role matrix written out by hand, independently of `src/domain/role-policy.ts`: for
 * each action and actor role, the target roles it is allowed on (a: admin, e: editor, v: viewer).
 */
const T = (s: string): Role[] => [...s].map((c) => ({ a: 'admin', e: 'editor', v: 'viewer' })[c] as Role);

export const EXPECTED_MATRIX: Record<PolicyAction, Record<Role, Role[]>> = {
  //                   admin         editor       viewer
  view:               { admin: T('aev'), editor: T('aev'), viewer: T('aev') },
  invite:             { admin: T('aev'), editor: T('ev'),  viewer: T('') },
  'revoke-invite':    { admin: T('aev'), editor: T('ev'),  viewer: T('') },
  'assign-role':      { admin: T('aev'), editor: T('ev'),  viewer: T('') },
  'change-role':      { admin: T('aev'), editor: T('ev'),  viewer: T('') },
  'remove-member':    { admin: T('aev'), editor: T('ev'),  viewer: T('') },
  extend:             { admin: T('aev'), editor: T(''),    viewer: T('') },
  'manage-workspace': { admin: T('aev'), editor: T(''),    viewer: T('') },
};
