/**
 * Sticky person links: which person each source account backs, and which address each person has.
 *
 * A source account is linked to a person by its primary e-mail when it is first seen; from then on it
 * keeps backing that person until its source deletes it or an admin unlinks it. So a rename in a
 * source (a name change, a domain move, a new UPN) moves the person to the new address — same person
 * id, same grants, invites and audit history — instead of making a new person and leaving the old
 * one's access behind.
 *
 * A person's address is the e-mail of their highest-precedence linked account that has one. Among
 * accounts of that precedence the current address is kept while any of them still carries it, so two
 * sources of equal standing that rename one after the other move the person once, when the last one
 * has renamed, whatever the order; a higher-precedence source moves the person at once.
 *
 * An address already held by another person is never merged into: both people stay as they are, and
 * the mover records an `EmailConflict` until the holder moves away or an admin resolves it. Address
 * moves within one plan may chain (b → c, then a → b); a cycle (a ↔ b) is a conflict for each.
 */

/** A source account as correlation sees it. */
export interface CorrelatedAccount {
  /** `sourceId/accountId`: unique across sources. */
  key: string;
  /** Lower-cased primary e-mail; `null` when the account has none. */
  email: string | null;
  /** The source's precedence: higher wins for person attributes. */
  precedence: number;
  /** False once the source deleted the account: its link ends. */
  live: boolean;
  /** The person the account backs today, `null` when unlinked. */
  linkedTo: string | null;
}

/** A person whose links and address this plan may change. `email` is lower-cased. */
export interface CorrelatedPerson {
  id: string;
  email: string;
}

export interface LinkPlanInput {
  /** Every person this plan may change: those holding the e-mails in question and those the accounts back. */
  people: readonly CorrelatedPerson[];
  /** The accounts in question, ordered by precedence (highest first), then most recently updated first. */
  accounts: readonly CorrelatedAccount[];
  /** The person holding an address, among all people (also those not in `people`). */
  holderOf: (email: string) => string | undefined;
  /** A new person's id. */
  newPersonId: () => string;
}

export interface EmailChange {
  personId: string;
  before: string;
  after: string;
  /** The account whose address the person takes. */
  account: string;
}

export interface EmailConflict {
  personId: string;
  /** The address the person's accounts say they have. */
  email: string;
  /** The person who holds it. */
  heldBy: string;
  /** The account that carries it. */
  account: string;
}

export interface LinkPlan {
  /** People to create, one per address no one holds that an unlinked account carries. */
  created: CorrelatedPerson[];
  /** The person every live account backs after the plan (accounts without e-mail and link are left out). */
  links: Map<string, string>;
  /** Accounts whose link ends because their source deleted them. */
  unlinked: string[];
  /** Address moves, in an order in which no two people ever hold one address. */
  emailChanges: EmailChange[];
  /** People who keep their address because the one their accounts carry is held by someone else. */
  conflicts: EmailConflict[];
}

interface Move {
  person: CorrelatedPerson;
  account: CorrelatedAccount;
}

export function planPersonLinks(input: LinkPlanInput): LinkPlan {
  const plan: LinkPlan = { created: [], links: new Map(), unlinked: [], emailChanges: [], conflicts: [] };
  const accountsOf = new Map<string, CorrelatedAccount[]>();
  for (const account of input.accounts) {
    if (account.linkedTo === null) continue;
    if (!account.live) {
      plan.unlinked.push(account.key);
      continue;
    }
    plan.links.set(account.key, account.linkedTo);
    const list = accountsOf.get(account.linkedTo);
    if (list) list.push(account);
    else accountsOf.set(account.linkedTo, [account]);
  }

  const addresses = new AddressBook(input.people, input.holderOf);
  const moves: Move[] = [];
  for (const person of input.people) {
    const account = addressGiver(person, accountsOf.get(person.id) ?? []);
    if (account) moves.push({ person, account });
  }
  applyMoves(moves, addresses, plan);

  for (const account of input.accounts) {
    if (account.linkedTo !== null || !account.live || account.email === null) continue;
    let personId = addresses.holder(account.email);
    if (personId === undefined) {
      personId = input.newPersonId();
      plan.created.push({ id: personId, email: account.email });
      addresses.take(account.email, personId);
    }
    plan.links.set(account.key, personId);
  }
  return plan;
}

/**
 * The account whose address the person should take, or `undefined` when they keep theirs: the first
 * (highest-precedence, most recent) linked account with an address, unless an account of that same
 * precedence still carries the current one.
 */
function addressGiver(person: CorrelatedPerson, linked: readonly CorrelatedAccount[]): CorrelatedAccount | undefined {
  const withEmail = linked.filter((a) => a.email !== null);
  const lead = withEmail[0];
  if (!lead || lead.email === person.email) return undefined;
  const keeps = withEmail.some((a) => a.precedence === lead.precedence && a.email === person.email);
  return keeps ? undefined : lead;
}

/**
 * Applies moves in rounds: a move to a free address goes at once; one to an address whose holder is
 * itself moving waits for that holder; what cannot go after a round without progress is a conflict.
 */
function applyMoves(moves: Move[], addresses: AddressBook, plan: LinkPlan): void {
  let pending = [...moves].sort((a, b) => b.account.precedence - a.account.precedence || (a.person.id < b.person.id ? -1 : a.person.id > b.person.id ? 1 : 0));
  const movers = new Set(pending.map((m) => m.person.id));
  for (;;) {
    const waiting: Move[] = [];
    for (const move of pending) {
      const wanted = move.account.email as string;
      const holder = addresses.holder(wanted);
      if (holder === undefined) {
        addresses.release(move.person.email);
        addresses.take(wanted, move.person.id);
        plan.emailChanges.push({ personId: move.person.id, before: move.person.email, after: wanted, account: move.account.key });
        movers.delete(move.person.id);
      } else if (movers.has(holder)) {
        waiting.push(move);
      } else {
        plan.conflicts.push(conflictOf(move, holder));
        movers.delete(move.person.id);
      }
    }
    if (waiting.length === pending.length) {
      for (const move of waiting) plan.conflicts.push(conflictOf(move, addresses.holder(move.account.email as string) as string));
      return;
    }
    if (waiting.length === 0) return;
    pending = waiting;
  }
}

function conflictOf(move: Move, heldBy: string): EmailConflict {
  return { personId: move.person.id, email: move.account.email as string, heldBy, account: move.account.key };
}

/** Who holds each address as the plan goes: the plan's own people first, then everyone else. */
class AddressBook {
  readonly #held = new Map<string, string>();
  readonly #released = new Set<string>();
  readonly #holderOf: (email: string) => string | undefined;

  constructor(people: readonly CorrelatedPerson[], holderOf: (email: string) => string | undefined) {
    for (const p of people) this.#held.set(p.email, p.id);
    this.#holderOf = holderOf;
  }

  holder(email: string): string | undefined {
    const held = this.#held.get(email);
    if (held !== undefined) return held;
    return this.#released.has(email) ? undefined : this.#holderOf(email);
  }

  take(email: string, personId: string): void {
    this.#held.set(email, personId);
  }

  release(email: string): void {
    this.#held.delete(email);
    this.#released.add(email);
  }
}
