import { v7 as uuidv7 } from 'uuid';
import { isInternalEmail } from '../domain/email.js';
import { planPersonLinks, type CorrelatedAccount, type EmailChange, type EmailConflict } from '../domain/person-links.js';
import type { PersonChange } from '../ingest/records.js';
import {
  accountKey,
  correlationAccounts,
  holdersOf,
  insertPeople,
  lockPeople,
  lockPeopleOfKeys,
  moveEmails,
  updatePeople,
  writeLinks,
  type CorrelatedPersonRow,
  type CorrelationAccountRow,
  type PersonAttributes,
} from '../store/people/correlation.js';
import type { StoredEmailConflict } from '../store/people/people.js';
import type { Queryable } from '../store/db.js';
import { insertAudit } from '../store/events/audit-log.js';
import { insertOutbox } from '../store/events/outbox.js';

/** A person after correlation, locked for the rest of the transaction, with the live accounts that back them. */
export interface CorrelatedPersonState {
  id: string;
  /** Lower-cased address, after any move. */
  email: string;
  kind: 'internal' | 'external';
  /** Live linked accounts, highest precedence first. */
  accounts: CorrelationAccountRow[];
  /** The change that brought this person into the batch, for the audit trail. */
  change: PersonChange | undefined;
}

export interface CorrelationOptions {
  internalDomains: readonly string[];
  now: Date;
}

/**
 * Correlates the people behind a batch of changed addresses: locks them, links new accounts, ends
 * the links of deleted ones, moves people whose accounts changed address (sticky links, see
 * `domain/person-links.ts`), records conflicts, and writes people's derived attributes. Returns
 * each person with the accounts that back them, for the grants to be computed from.
 */
export async function correlatePeople(
  tx: Queryable,
  causes: ReadonlyMap<string, PersonChange>,
  options: CorrelationOptions,
): Promise<CorrelatedPersonState[]> {
  // Another transaction may create a person at an address this one is about to give a new person.
  // Nothing is written before people are created, so correlation starts over and finds theirs.
  for (let attempt = 1; ; attempt++) {
    const result = await correlateOnce(tx, causes, options);
    if (result) return result;
    if (attempt === 5) throw new Error('people at the same addresses kept being created concurrently; the job is retried');
  }
}

async function correlateOnce(
  tx: Queryable,
  causes: ReadonlyMap<string, PersonChange>,
  options: CorrelationOptions,
): Promise<CorrelatedPersonState[] | undefined> {
  const keys = [...causes.keys()];
  const people = new Map<string, CorrelatedPersonRow>();
  for (const p of await lockPeopleOfKeys(tx, keys)) people.set(p.id, p);
  let accounts = await correlationAccounts(tx, keys, [...people.keys()]);
  // An account may have been linked to someone else between the lock and the read: lock them too, read again.
  for (let missing = unlockedLinkTargets(accounts, people); missing.length > 0; missing = unlockedLinkTargets(accounts, people)) {
    for (const p of await lockPeople(tx, missing)) people.set(p.id, p);
    accounts = await correlationAccounts(tx, keys, [...people.keys()]);
  }

  const held = new Set([...people.values()].map((p) => p.email));
  const correlated = accounts.map(toCorrelatedAccount);
  const holders = await holdersOf(tx, [...new Set(correlated.flatMap((a) => (a.email && !held.has(a.email) ? [a.email] : [])))]);
  const plan = planPersonLinks({
    people: [...people.values()].map((p) => ({ id: p.id, email: p.email })),
    accounts: correlated,
    holderOf: (email) => holders.get(email),
    newPersonId: uuidv7,
  });

  const accountsOf = new Map<string, CorrelationAccountRow[]>();
  for (const a of accounts) {
    const personId = plan.links.get(accountKey(a.source_id, a.id));
    if (personId === undefined) continue;
    const list = accountsOf.get(personId);
    if (list) list.push(a);
    else accountsOf.set(personId, [a]);
  }
  const created = plan.created.map((p) => ({ id: p.id, email: p.email, ...personAttributes(p.email, accountsOf.get(p.id) ?? [], options.internalDomains, NO_PERSON), email_conflict: null }));
  const inserted = await insertPeople(tx, created);
  if (inserted.size < created.length) return undefined;

  const byKey = new Map(accounts.map((a) => [accountKey(a.source_id, a.id), a]));
  const newLinks = [...plan.links].filter(([key, personId]) => byKey.get(key)?.person_id !== personId);
  await writeLinks(tx, plan.unlinked, newLinks.map(([account, personId]) => ({ account, personId })));
  const moved = new Map(plan.emailChanges.map((c) => [c.personId, c]));
  await moveEmails(tx, moveBatches(plan.emailChanges));
  await recordEmailChanges(tx, plan.emailChanges, byKey, causes);

  const conflicts = new Map(plan.conflicts.map((c) => [c.personId, c]));
  const updates: Array<PersonAttributes & { id: string; email_conflict: StoredEmailConflict | null }> = [];
  const newConflicts: Array<{ person: CorrelatedPersonRow; conflict: StoredEmailConflict }> = [];
  const out: CorrelatedPersonState[] = [];
  const linkedBefore = new Set(accounts.map((a) => a.person_id));
  for (const person of people.values()) {
    const email = moved.get(person.id)?.after ?? person.email;
    const own = accountsOf.get(person.id) ?? [];
    const next = personAttributes(email, own, options.internalDomains, linkedBefore.has(person.id) ? { ...person, status: 'inactive' } : person);
    const conflict = storedConflict(conflicts.get(person.id), person.email_conflict, options.now);
    if (conflict && !sameConflict(conflict, person.email_conflict)) newConflicts.push({ person, conflict });
    if (differs(next, person) || !sameConflict(conflict, person.email_conflict)) updates.push({ id: person.id, ...next, email_conflict: conflict });
    out.push({ id: person.id, email, kind: next.kind, accounts: own, change: changeOf(person, email, own, causes) });
  }
  for (const person of created) {
    out.push({ id: person.id, email: person.email, kind: person.kind, accounts: accountsOf.get(person.id) ?? [], change: causes.get(person.email) });
  }
  await updatePeople(tx, updates);
  await recordConflicts(tx, newConflicts, byKey, causes);
  return out;
}

const NO_PERSON: PersonFallback = { given_name: null, family_name: null, display_name: null, company: null, status: 'active' };

function unlockedLinkTargets(accounts: readonly CorrelationAccountRow[], people: ReadonlyMap<string, unknown>): string[] {
  const missing = new Set<string>();
  for (const a of accounts) if (a.person_id !== null && !people.has(a.person_id)) missing.add(a.person_id);
  return [...missing];
}

function toCorrelatedAccount(a: CorrelationAccountRow): CorrelatedAccount {
  return { key: accountKey(a.source_id, a.id), email: a.email, precedence: a.precedence, live: !a.deleted, linkedTo: a.person_id };
}

/** Moves that can share one statement: a move into an address another move leaves must come after it. */
function moveBatches(changes: readonly EmailChange[]): Array<Array<{ id: string; email: string }>> {
  const batches: Array<Array<{ id: string; email: string }>> = [];
  let current: Array<{ id: string; email: string }> = [];
  let leaving = new Set<string>();
  for (const c of changes) {
    if (leaving.has(c.after)) {
      batches.push(current);
      current = [];
      leaving = new Set();
    }
    current.push({ id: c.personId, email: c.after });
    leaving.add(c.before);
  }
  batches.push(current);
  return batches;
}

async function recordEmailChanges(
  tx: Queryable,
  changes: readonly EmailChange[],
  accounts: ReadonlyMap<string, CorrelationAccountRow>,
  causes: ReadonlyMap<string, PersonChange>,
): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((c) => ({ change: c, sourceId: accounts.get(c.account)?.source_id ?? null }));
  await insertAudit(
    tx,
    rows.map(({ change, sourceId }) => ({
      actor: sourceId ? `source:${sourceId}` : 'rules',
      action: 'person.email_changed',
      person_id: change.personId,
      workspace_id: null,
      before: { email: change.before },
      after: { email: change.after, sourceId },
      cause: causes.get(change.after)?.cause ?? causes.get(change.before)?.cause ?? 'e-mail changed',
    })),
  );
  await insertOutbox(
    tx,
    rows.map(({ change, sourceId }) => ({
      type: 'person.email_changed',
      person_id: change.personId,
      workspace_id: null,
      payload: { personId: change.personId, before: change.before, after: change.after, sourceId },
    })),
  );
}

async function recordConflicts(
  tx: Queryable,
  conflicts: ReadonlyArray<{ person: CorrelatedPersonRow; conflict: StoredEmailConflict }>,
  accounts: ReadonlyMap<string, CorrelationAccountRow>,
  causes: ReadonlyMap<string, PersonChange>,
): Promise<void> {
  await insertAudit(
    tx,
    conflicts.map(({ person, conflict }) => {
      const sourceId = accounts.get(conflict.account)?.source_id ?? null;
      return {
        actor: sourceId ? `source:${sourceId}` : 'rules',
        action: 'person.email_conflict',
        person_id: person.id,
        workspace_id: null,
        before: { email: person.email },
        after: { email: conflict.email, heldBy: conflict.heldBy, sourceId },
        cause: causes.get(conflict.email)?.cause ?? 'e-mail changed',
      };
    }),
  );
}

function storedConflict(conflict: EmailConflict | undefined, stored: StoredEmailConflict | null, now: Date): StoredEmailConflict | null {
  if (!conflict) return null;
  const since = stored && stored.email === conflict.email && stored.heldBy === conflict.heldBy ? stored.since : now.toISOString();
  return { email: conflict.email, heldBy: conflict.heldBy, account: conflict.account, since };
}

function sameConflict(a: StoredEmailConflict | null, b: StoredEmailConflict | null): boolean {
  if (a === null || b === null) return a === b;
  return a.email === b.email && a.heldBy === b.heldBy && a.account === b.account && a.since === b.since;
}

/** The change that names this person: by their address, their former one, or one of their accounts'. */
function changeOf(person: CorrelatedPersonRow, email: string, own: readonly CorrelationAccountRow[], causes: ReadonlyMap<string, PersonChange>): PersonChange | undefined {
  return causes.get(email) ?? causes.get(person.email) ?? own.map((a) => (a.email ? causes.get(a.email) : undefined)).find((c) => c !== undefined);
}

/** What a person keeps when no live account backs them. */
type PersonFallback = Pick<PersonAttributes, 'given_name' | 'family_name' | 'display_name' | 'company' | 'status'>;

/**
 * A person's attributes come from their highest-precedence active account (accounts arrive ordered
 * so). With no live account a person keeps their names, and becomes inactive if accounts backed
 * them before; one who never had any (created by an admin or an invite) keeps their status.
 */
function personAttributes(email: string, own: readonly CorrelationAccountRow[], internalDomains: readonly string[], fallback: PersonFallback): PersonAttributes {
  const kind = isInternalEmail(email, internalDomains) ? 'internal' : 'external';
  const lead = own.find((a) => a.active) ?? own[0];
  if (!lead) {
    return { given_name: fallback.given_name, family_name: fallback.family_name, display_name: fallback.display_name, company: fallback.company, kind, status: fallback.status };
  }
  return {
    given_name: lead.given_name,
    family_name: lead.family_name,
    display_name: lead.display_name,
    company: lead.company,
    kind,
    status: own.some((a) => a.active) ? 'active' : 'inactive',
  };
}

function differs(next: PersonAttributes, person: CorrelatedPersonRow): boolean {
  return (
    next.given_name !== person.given_name || next.family_name !== person.family_name || next.display_name !== person.display_name ||
    next.company !== person.company || next.kind !== person.kind || next.status !== person.status
  );
}
