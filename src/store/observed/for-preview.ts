import type { RuleGrant } from '../../domain/membership-diff.js';
import type { Role } from '../../domain/roles.js';
import type { Db, Queryable } from '../db.js';
import type { PersonKindRow } from '../people/people.js';
import { ACCOUNT_ORDER, type AccountGroupRow, type ObservedAccountRow } from './accounts.js';

/** A person a preview judges; `email` lower-cased. */
export type PreviewPerson = PersonKindRow;

/** A slice of everyone: people with their live accounts (and groups) and their `rules` grants. */
export interface ObservedBatch {
  people: PreviewPerson[];
  accounts: ReadonlyMap<string, ObservedAccountRow[]>;
  ruleGrants: ReadonlyMap<string, RuleGrant[]>;
}

// Rows fetched from a cursor at a time, and people handed to the caller at a time: the round trips
// do not dominate, and a slice stays a few megabytes however many people there are.
const ROWS_PER_FETCH = 5000;

/**
 * Reads every person's observed state and rule grants, handing them to `visit` in slices of people,
 * inside one read-only repeatable-read transaction: every slice sees the same moment, and nothing
 * can be written by mistake. Each table is read once, in one pass ordered by person, through a
 * cursor, and the passes are merged here: reading slice by slice through the person indexes visits
 * the heap pages of the grants and links again for every slice.
 * Accounts' attribute documents are read only `withAttributes` (some rule matches app roles or
 * attributes). Returns the live workspaces of that moment.
 */
export async function forEachObservedBatch(
  db: Db,
  options: { withAttributes: boolean },
  visit: (batch: ObservedBatch) => void,
): Promise<{ liveWorkspaces: Set<string> }> {
  return db.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    const live = await tx.query<{ id: string }>('select id from workspaces where deleted_at is null');
    const groups = new Map<string, AccountGroupRow>();
    for (const g of (await tx.query<AccountGroupRow>('select source_id, id, external_id, display_name, aliases from source_groups where deleted_at is null')).rows) {
      groups.set(`${g.source_id}/${g.id}`, g);
    }
    const people = await PersonCursor.open<Omit<PreviewPerson, 'id'> & { person_id: string }>(tx, 'preview_people', 'select id as person_id, lower(email) as email, kind from people order by id');
    // One of two constant column expressions for the attributes (a cursor's query takes no parameters here).
    const accounts = await PersonCursor.open<Omit<ObservedAccountRow, 'groups'>>(
      tx,
      'preview_accounts',
      `select l.person_id, su.source_id, su.id, su.user_name, su.active, su.company,
              ${options.withAttributes ? 'su.attributes' : `'{}'::jsonb as attributes`}
         from person_links l
         join source_users su on su.source_id = l.source_id and su.id = l.source_user_id and su.deleted_at is null
         left join sources s on s.id = su.source_id
        order by ${ACCOUNT_ORDER}`,
    );
    const memberships = await PersonCursor.open<{ person_id: string; source_id: string; user_id: string; group_id: string }>(
      tx,
      'preview_group_members',
      `select l.person_id, m.source_id, m.user_id, m.group_id
         from person_links l join source_group_members m on m.source_id = l.source_id and m.user_id = l.source_user_id
        order by l.person_id`,
    );
    // Each grant as one tab-separated text, the rule last (only it may hold a tab): cheaper to
    // parse than columns, and cheaper for the server than JSON documents (docs/benchmarks.md).
    const grants = await PersonCursor.open<{ person_id: string; grant: string }>(
      tx,
      'preview_rule_grants',
      `select person_id,
              concat_ws(E'\\t', id, workspace_id, role, status, coalesce(source_id, ''),
                        coalesce((extract(epoch from valid_until) * 1000)::bigint::text, ''), rule) as grant
         from memberships where origin = 'rules' order by person_id`,
    );
    for (;;) {
      const slice = await people.next();
      if (slice.length === 0) break;
      const last = (slice[slice.length - 1] as { person_id: string }).person_id;
      const groupsOf = new Map<string, AccountGroupRow[]>();
      for (const m of await memberships.upTo(last)) {
        const g = groups.get(`${m.source_id}/${m.group_id}`);
        if (g) push(groupsOf, `${m.source_id}/${m.user_id}`, g);
      }
      const accountsOf = new Map<string, ObservedAccountRow[]>();
      for (const a of await accounts.upTo(last)) push(accountsOf, a.person_id, { ...a, groups: groupsOf.get(`${a.source_id}/${a.id}`) ?? [] });
      const grantsOf = new Map<string, RuleGrant[]>();
      for (const row of await grants.upTo(last)) push(grantsOf, row.person_id, toRuleGrant(row.grant));
      visit({ people: slice.map((p) => ({ id: p.person_id, email: p.email, kind: p.kind })), accounts: accountsOf, ruleGrants: grantsOf });
    }
    return { liveWorkspaces: new Set(live.rows.map((r) => r.id)) };
  });
}

/** A grant from the text the grants query builds: id, workspace, role, status, source, valid-until (ms), rule. */
function toRuleGrant(text: string): RuleGrant {
  const fields = text.split('\t');
  const [id, workspaceId, role, status, sourceId, validUntil] = fields as [string, string, Role, RuleGrant['status'], string, string];
  const rule = fields.length > 6 ? fields.slice(6).join('\t') : null;
  return { id, workspaceId, role, status, sourceId: sourceId === '' ? null : sourceId, rule, validUntil: validUntil === '' ? null : new Date(Number(validUntil)) };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * A cursor over rows ordered by `person_id`, read forward in fetches. (PostgreSQL orders uuids as
 * their lower-case text sorts, so the ids compare here as strings.)
 */
class PersonCursor<T extends { person_id: string }> {
  #rows: T[] = [];
  #at = 0;
  #done = false;

  private constructor(private readonly tx: Queryable, private readonly name: string) {}

  static async open<T extends { person_id: string }>(tx: Queryable, name: string, sql: string): Promise<PersonCursor<T>> {
    await tx.query(`declare ${name} no scroll cursor for ${sql}`);
    return new PersonCursor<T>(tx, name);
  }

  /** The next fetch of rows (an empty array at the end). */
  async next(): Promise<T[]> {
    await this.#fill();
    const rows = this.#rows.slice(this.#at);
    this.#rows = [];
    this.#at = 0;
    return rows;
  }

  /** Every row left whose person id is at most `last`. */
  async upTo(last: string): Promise<T[]> {
    const out: T[] = [];
    for (;;) {
      if (this.#at === this.#rows.length) {
        if (this.#done) return out;
        await this.#fill();
        continue;
      }
      const row = this.#rows[this.#at] as T;
      if (row.person_id > last) return out;
      out.push(row);
      this.#at++;
    }
  }

  async #fill(): Promise<void> {
    if (this.#at < this.#rows.length || this.#done) return;
    const r = await this.tx.query<T>(`fetch forward ${ROWS_PER_FETCH} from ${this.name}`);
    this.#rows = r.rows;
    this.#at = 0;
    if (r.rows.length < ROWS_PER_FETCH) this.#done = true;
  }
}
