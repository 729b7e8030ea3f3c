import { v7 as uuidv7 } from 'uuid';
import type { GrantChange, RuleGrant } from '../domain/membership-diff.js';
import type { Queryable } from '../store/db.js';
import { writeRuleGrantChanges } from '../store/granted/rule-grant-changes.js';

/** A rule grant's state as audit rows and events report it. */
type GrantState = Pick<RuleGrant, 'role' | 'status' | 'sourceId' | 'rule' | 'validUntil'>;

const ACTIONS: Record<GrantChange['kind'], string | null> = {
  grant: 'membership.granted',
  reactivate: 'membership.granted',
  'change-role': 'membership.role_changed',
  suspend: 'membership.suspended',
  retarget: null,
};

/** Who caused a person's grant changes, for the audit trail. */
export interface ChangeOrigin {
  personId: string;
  email: string;
  actor: string;
  cause: string;
}

/**
 * A batch of rule-grant changes as column arrays: one statement writes the memberships, their audit
 * rows and their outbox events (`store/granted/rule-grant-changes.ts`), and PostgreSQL builds the JSON
 * documents itself, as the grant log does for every writer of grants.
 */
export class GrantChangeBatch {
  readonly #kind: GrantChange['kind'][] = [];
  // the audit action and event type; null for a change that is not reported (retarget)
  readonly #action: Array<string | null> = [];
  readonly #id: string[] = [];
  readonly #person: string[] = [];
  readonly #email: string[] = [];
  readonly #workspace: string[] = [];
  readonly #actor: string[] = [];
  readonly #cause: string[] = [];
  // the grant after the change
  readonly #role: string[] = [];
  readonly #status: string[] = [];
  readonly #source: Array<string | null> = [];
  readonly #rule: Array<string | null> = [];
  readonly #validUntil: Array<string | null> = [];
  // the grant before it (null for a new grant)
  readonly #prevRole: Array<string | null> = [];
  readonly #prevStatus: Array<string | null> = [];
  readonly #prevSource: Array<string | null> = [];
  readonly #prevRule: Array<string | null> = [];
  readonly #prevValidUntil: Array<string | null> = [];

  readonly counts = { granted: 0, changed: 0, suspended: 0 };

  get size(): number {
    return this.#kind.length;
  }

  add(op: GrantChange, origin: ChangeOrigin): void {
    switch (op.kind) {
      case 'grant':
        this.#push(op, uuidv7(), op.desired.workspaceId, origin, { ...op.desired, status: 'active', validUntil: op.validUntil }, null);
        this.counts.granted++;
        return;
      case 'reactivate':
        this.#push(op, op.grant.id, op.grant.workspaceId, origin, { ...op.desired, status: 'active', validUntil: op.validUntil }, op.grant);
        this.counts.granted++;
        return;
      case 'change-role':
        this.#push(op, op.grant.id, op.grant.workspaceId, origin, { ...op.grant, role: op.desired.role, sourceId: op.desired.sourceId, rule: op.desired.rule }, op.grant);
        this.counts.changed++;
        return;
      case 'retarget':
        this.#push(op, op.grant.id, op.grant.workspaceId, origin, { ...op.grant, sourceId: op.desired.sourceId, rule: op.desired.rule }, op.grant);
        return;
      case 'suspend':
        this.#push(op, op.grant.id, op.grant.workspaceId, origin, { ...op.grant, status: 'suspended' }, op.grant);
        this.counts.suspended++;
        return;
    }
  }

  #push(op: GrantChange, id: string, workspaceId: string, origin: ChangeOrigin, after: GrantState, before: GrantState | null): void {
    this.#kind.push(op.kind);
    this.#action.push(ACTIONS[op.kind]);
    this.#id.push(id);
    this.#person.push(origin.personId);
    this.#email.push(origin.email);
    this.#workspace.push(workspaceId);
    this.#actor.push(origin.actor);
    this.#cause.push(origin.cause);
    this.#role.push(after.role);
    this.#status.push(after.status);
    this.#source.push(after.sourceId);
    this.#rule.push(after.rule);
    this.#validUntil.push(after.validUntil?.toISOString() ?? null);
    this.#prevRole.push(before?.role ?? null);
    this.#prevStatus.push(before?.status ?? null);
    this.#prevSource.push(before?.sourceId ?? null);
    this.#prevRule.push(before?.rule ?? null);
    this.#prevValidUntil.push(before?.validUntil?.toISOString() ?? null);
  }

  /** Writes the memberships, audit rows and outbox events of every change in one statement; new grants are valid from `now`. */
  async write(tx: Queryable, now: Date): Promise<void> {
    await writeRuleGrantChanges(tx, {
      kind: this.#kind, action: this.#action, id: this.#id, person: this.#person, email: this.#email, workspace: this.#workspace, actor: this.#actor, cause: this.#cause,
      role: this.#role, status: this.#status, source: this.#source, rule: this.#rule, validUntil: this.#validUntil,
      prevRole: this.#prevRole, prevStatus: this.#prevStatus, prevSource: this.#prevSource, prevRule: this.#prevRule, prevValidUntil: this.#prevValidUntil,
    }, now);
  }
}
