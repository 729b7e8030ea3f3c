import { ROLES, type Role } from './roles.js';

/**
 * What a person may do in a workspace, by their effective role there (design §4, the product's role
 * matrix). Pure and table-driven: `MATRIX[action][actorRole]` lists the target roles the actor may
 * act on, and names the rule that denies the others.
 */
export const POLICY_ACTIONS = [
  /** See members, roles and pending invites. The target role is irrelevant. */
  'view',
  /** Invite someone; the target is the role invited as. */
  'invite',
  /** Revoke a pending invite; the target is the invite's role. */
  'revoke-invite',
  /** Give someone a role (add a member, or change a role to it); the target is that role. */
  'assign-role',
  /** Change the role of a member; the target is the member's current role. */
  'change-role',
  /** Remove a member; the target is the member's current role. */
  'remove-member',
  /** Extend a member's validity. The target role is irrelevant. */
  'extend',
  /** Create, rename or delete the workspace. The target role is irrelevant. */
  'manage-workspace',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export type PolicyDecision = { allowed: true } | { allowed: false; rule: string; reason: string };

interface Cell {
  /** Target roles the actor may act on. */
  allows: readonly Role[];
  /** The rule that denies every other target role. */
  rule: string;
  reason: string;
}

const ALL = ROLES;
const LOWER: readonly Role[] = ['editor', 'viewer'];
const NONE: readonly Role[] = [];
const ok: Cell = { allows: ALL, rule: '', reason: '' };

const MATRIX: Record<PolicyAction, Record<Role, Cell>> = {
  view: { admin: ok, editor: ok, viewer: ok },
  invite: {
    admin: ok,
    editor: { allows: LOWER, rule: 'editors-invite-editors-or-viewers', reason: 'editors may invite only as editor or viewer' },
    viewer: { allows: NONE, rule: 'viewers-cannot-invite', reason: 'viewers may not invite members' },
  },
  'revoke-invite': {
    admin: ok,
    editor: { allows: LOWER, rule: 'editors-revoke-editor-or-viewer-invites', reason: 'editors may revoke only invites as editor or viewer' },
    viewer: { allows: NONE, rule: 'viewers-cannot-revoke-invites', reason: 'viewers may not revoke invites' },
  },
  'assign-role': {
    admin: ok,
    editor: { allows: LOWER, rule: 'only-admins-assign-admin', reason: 'only admins may assign the admin role' },
    viewer: { allows: NONE, rule: 'viewers-cannot-assign-roles', reason: 'viewers may not assign roles' },
  },
  'change-role': {
    admin: ok,
    editor: { allows: LOWER, rule: 'editors-change-editors-or-viewers', reason: "editors may change only editors' and viewers' roles" },
    viewer: { allows: NONE, rule: 'viewers-cannot-assign-roles', reason: 'viewers may not assign roles' },
  },
  'remove-member': {
    admin: ok,
    editor: { allows: LOWER, rule: 'only-admins-remove-admins', reason: 'only admins may remove an admin' },
    viewer: { allows: NONE, rule: 'viewers-cannot-remove-members', reason: 'viewers may not remove members' },
  },
  extend: {
    admin: ok,
    editor: { allows: NONE, rule: 'only-admins-extend-validity', reason: 'only admins may extend validity' },
    viewer: { allows: NONE, rule: 'only-admins-extend-validity', reason: 'only admins may extend validity' },
  },
  'manage-workspace': {
    admin: ok,
    editor: { allows: NONE, rule: 'only-admins-manage-the-workspace', reason: 'only admins may create, edit or delete the workspace' },
    viewer: { allows: NONE, rule: 'only-admins-manage-the-workspace', reason: 'only admins may create, edit or delete the workspace' },
  },
};

/** Whether an actor with `actorRole` in a workspace may do `action` to a target with `targetRole` there. */
export function decide(action: PolicyAction, actorRole: Role, targetRole: Role): PolicyDecision {
  const cell = MATRIX[action][actorRole];
  if (cell.allows.includes(targetRole)) return { allowed: true };
  return { allowed: false, rule: cell.rule, reason: cell.reason };
}

/** The denial for someone without an active membership in the workspace. */
export const NOT_A_MEMBER: PolicyDecision = { allowed: false, rule: 'members-only', reason: 'only members of the workspace may act in it' };
