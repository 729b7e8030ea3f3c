/**
 * The chaos input: people pushed to `idsync serve` through SCIM Bulk, in phases. Within a phase a
 * person's grant in a workspace changes at most once (the other changes of the phase — title
 * edits — change no grant), so wherever reconciliation runs in between, each grant goes through
 * the same transitions: the audit trail and the outbox are the same however the work was split,
 * retried or interrupted. Between phases the caller waits for the phase's granted state.
 *
 * Every request is retried until it succeeds, as an IdP does: a refused connection, a 5xx, a
 * Bulk operation that failed with 5xx. A retried POST that had committed answers 409
 * (uniqueness); the user is then looked up by userName.
 */

export const SCIM_TOKEN = 'chaos-scim-token';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** The workspaces and rules the input is written against. */
export const CHAOS_CONFIG_YAML = `organization:
  internalDomains: [example.com]
sources:
  - { id: scim, kind: scim, tokenEnv: IDSYNC_SCIM_TOKEN, precedence: 10 }
workspaces:
  - id: alpha
    name: Alpha
    roles:
      admin:  [{ source: scim, group: alpha-admins }]
      editor: [{ source: scim, group: alpha-editors }]
      viewer: [{ source: scim, group: Everyone }]
  - id: beta
    name: Beta
    roles:
      editor: [{ source: scim, group: beta-editors }]
      viewer: [{ source: scim, group: beta-viewers }]
lifecycle:
  externalValidity: P90D
  maxExtension: P180D
  graceAfterDeprovision: P30D
  inactivity: P180D
  remindBefore: P14D
`;

/** Team groups match no rule: joining and leaving them changes observed state and no grant. */
const TEAMS = Array.from({ length: 10 }, (_, t) => `team-${t}`);
const RULE_GROUPS = ['Everyone', 'alpha-editors', 'alpha-admins', 'beta-viewers', 'beta-editors'];
const GROUPS = [...RULE_GROUPS, ...TEAMS];

type Op =
  | { kind: 'create'; person: number }
  | { kind: 'title'; person: number; title: string }
  | { kind: 'active'; person: number; active: boolean }
  | { kind: 'members'; group: string; op: 'add' | 'remove'; people: number[] };

export interface Phase {
  name: string;
  ops: Op[];
  /** Observed-state changes the phase makes: user writes plus members added or removed. */
  changes: number;
}

export interface LoadShape {
  people: number;
}

/** Person i's address: one in five is external (a validity applies to their grants). */
export function emailOf(i: number): string {
  return i % 5 === 4 ? `p${i}@partner.test` : `p${i}@example.com`;
}

function range(n: number, keep: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) out.push(i);
  return out;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The phases, about 10 changes per person in all: every user created and edited once, people
 * joining and leaving rule groups (one grant transition per workspace and phase at most) and
 * team groups (no grant: reconciliation load only).
 */
export function planLoad(shape: LoadShape): Phase[] {
  const n = shape.people;
  const everyone = range(n, () => true);
  const members = (group: string, op: 'add' | 'remove', people: number[]): Op[] => chunks(people, 500).map((p) => ({ kind: 'members', group, op, people: p }));
  /** Person i joins team (i + shift) mod 10. */
  const teams = (op: 'add' | 'remove', shift: number): Op[] => TEAMS.flatMap((team, t) => members(team, op, range(n, (i) => (i + shift) % 10 === t)));
  const phases: Array<Omit<Phase, 'changes'>> = [
    {
      name: 'join',
      ops: [
        ...everyone.map((person): Op => ({ kind: 'create', person })),
        ...members('Everyone', 'add', everyone),
        ...members('beta-viewers', 'add', range(n, (i) => i % 2 === 0)),
        ...teams('add', 0),
        ...teams('add', 3),
      ],
    },
    {
      name: 'promote',
      ops: [...members('alpha-editors', 'add', range(n, (i) => i % 10 < 3)), ...members('beta-editors', 'add', range(n, (i) => i % 5 === 1)), ...teams('add', 5), ...teams('remove', 0)],
    },
    {
      name: 'admins',
      ops: [
        ...members('alpha-admins', 'add', range(n, (i) => i % 20 === 7)),
        ...everyone.map((person): Op => ({ kind: 'title', person, title: `title-${person % 7}` })),
        ...teams('add', 7),
        ...teams('remove', 3),
      ],
    },
    {
      name: 'leave',
      ops: [...range(n, (i) => i % 10 === 0).map((person): Op => ({ kind: 'active', person, active: false })), ...members('alpha-editors', 'remove', range(n, (i) => i % 10 === 2))],
    },
  ];
  return phases.map((p) => ({ ...p, ops: interleave(p.ops), changes: p.ops.reduce((s, op) => s + (op.kind === 'members' ? op.people.length : 1), 0) }));
}

/** Creations first (later operations name the users), the rest mixed so that no phase runs group by group. */
function interleave(ops: Op[]): Op[] {
  const creates = ops.filter((o) => o.kind === 'create');
  const rest = ops.filter((o) => o.kind !== 'create');
  const step = 7919; // a prime: a fixed, well-mixed permutation
  const mixed = rest.length === 0 ? [] : Array.from({ length: rest.length }, (_, k) => rest[(k * step) % rest.length] as Op);
  return [...creates, ...(rest.length % step === 0 ? rest : mixed)];
}

export interface LoadOptions {
  /** The serve process's base URL, looked up for each request (it may move between restarts). */
  baseUrl: () => string;
  /** Operations per Bulk request. Default 500. */
  perRequest?: number;
  /** Bulk requests in flight. Default 2. */
  concurrency?: number;
  /** How long one request is retried before the load gives up. Default 180 s. */
  retryForMs?: number;
}

/** Sends the phases to serve over SCIM, tracking the ids the server gave. */
export class ScimLoad {
  readonly #o: Required<LoadOptions>;
  readonly #userIds = new Map<number, string>();
  readonly #groupIds = new Map<string, string>();
  /** Observed-state changes sent and acknowledged so far. */
  sent = 0;
  /** Requests that had to be sent again. */
  retries = 0;

  constructor(options: LoadOptions) {
    this.#o = { baseUrl: options.baseUrl, perRequest: options.perRequest ?? 500, concurrency: options.concurrency ?? 2, retryForMs: options.retryForMs ?? 180_000 };
  }

  async createGroups(): Promise<void> {
    for (const name of GROUPS) {
      const res = await this.#request('POST', '/Groups', { schemas: [GROUP], displayName: name, externalId: `g-${name}` });
      if (res.status === 201) this.#groupIds.set(name, ((await res.json()) as { id: string }).id);
      else if (res.status === 409) this.#groupIds.set(name, await this.#lookup('Groups', `displayName eq "${name}"`));
      else throw new Error(`POST /Groups ${name}: ${res.status} ${await res.text()}`);
    }
  }

  /** Sends one phase; `onSent` is called after each acknowledged request with the running total. */
  async runPhase(phase: Phase, onSent?: (sent: number) => void): Promise<void> {
    // Users are created before anything names them.
    await this.#send(phase.ops.filter((o) => o.kind === 'create'), onSent);
    await this.#send(phase.ops.filter((o) => o.kind !== 'create'), onSent);
  }

  async #send(ops: Op[], onSent?: (sent: number) => void): Promise<void> {
    const batches = chunks(ops, this.#o.perRequest);
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const batch = batches[next++] as Op[];
        await this.#sendBulk(batch);
        this.sent += batch.reduce((s, op) => s + (op.kind === 'members' ? op.people.length : 1), 0);
        onSent?.(this.sent);
      }
    };
    await Promise.all(Array.from({ length: this.#o.concurrency }, lane));
  }

  async #sendBulk(ops: Op[]): Promise<void> {
    let pending = ops;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) this.retries++;
      const operations = pending.map((op, k) => this.#operation(op, k));
      const res = await this.#request('POST', '/Bulk', { schemas: [BULK], Operations: operations });
      if (res.status !== 200) throw new Error(`Bulk answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
      const results = ((await res.json()) as { Operations: Array<{ status: string; location?: string; response?: unknown }> }).Operations;
      const again: Op[] = [];
      for (let k = 0; k < pending.length; k++) {
        const op = pending[k] as Op;
        const result = results[k];
        const status = Number(result?.status ?? 500);
        if (status < 300) {
          if (op.kind === 'create') this.#userIds.set(op.person, String(result?.location?.split('/').pop()));
        } else if (op.kind === 'create' && status === 409) {
          this.#userIds.set(op.person, await this.#lookup('Users', `userName eq "${emailOf(op.person)}"`));
        } else if (status >= 500) {
          again.push(op);
        } else {
          throw new Error(`Bulk operation ${JSON.stringify(operations[k]).slice(0, 300)} failed: ${status} ${JSON.stringify(result?.response)}`);
        }
      }
      pending = again;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 250));
    }
  }

  #operation(op: Op, k: number): Record<string, unknown> {
    switch (op.kind) {
      case 'create': {
        const email = emailOf(op.person);
        return {
          method: 'POST',
          path: '/Users',
          bulkId: `u${op.person}-${k}`,
          data: {
            schemas: [USER],
            userName: email,
            externalId: `ext-${op.person}`,
            name: { givenName: `Given${op.person}`, familyName: `Family${op.person}` },
            emails: [{ value: email, type: 'work', primary: true }],
            active: true,
          },
        };
      }
      case 'title':
        return { method: 'PATCH', path: `/Users/${this.#user(op.person)}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: op.title }] } };
      case 'active':
        return { method: 'PATCH', path: `/Users/${this.#user(op.person)}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: op.active }] } };
      case 'members': {
        const group = this.#groupIds.get(op.group);
        if (!group) throw new Error(`group ${op.group} was not created`);
        const value = op.people.map((p) => ({ value: this.#user(p) }));
        // A removal names its members in `value`, as Entra ID sends it (a filter path is limited to 4 KiB).
        const operation = { op: op.op, path: 'members', value };
        return { method: 'PATCH', path: `/Groups/${group}`, data: { schemas: [PATCH_OP], Operations: [operation] } };
      }
    }
  }

  #user(person: number): string {
    const id = this.#userIds.get(person);
    if (!id) throw new Error(`user ${person} was not created`);
    return id;
  }

  async #lookup(type: 'Users' | 'Groups', filter: string): Promise<string> {
    const res = await this.#request('GET', `/${type}?filter=${encodeURIComponent(filter)}`);
    const body = (await res.json()) as { Resources?: Array<{ id: string }> };
    const id = body.Resources?.[0]?.id;
    if (!id) throw new Error(`no ${type} matches ${filter}`);
    return id;
  }

  /** One request, sent again while serve is away or answers 5xx. */
  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const deadline = Date.now() + this.#o.retryForMs;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.retries++;
      let failure: string;
      try {
        const res = await fetch(`${this.#o.baseUrl()}/scim/v2${path}`, {
          method,
          headers: { authorization: `Bearer ${SCIM_TOKEN}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(120_000),
        });
        if (res.status < 500) return res;
        failure = `${res.status} ${(await res.text()).slice(0, 300)}`;
      } catch (error) {
        failure = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`${method} ${path} kept failing for ${this.#o.retryForMs} ms: ${failure}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
