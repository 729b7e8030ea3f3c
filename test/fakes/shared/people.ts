/** Cheap deterministic names for generated directories (50,000 users in a few milliseconds). */
const GIVEN = ['Ada', 'Alan', 'Barbara', 'Claude', 'Donald', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'John', 'Katherine', 'Leslie', 'Margaret', 'Niklaus', 'Radia'];
const FAMILY = ['Lovelace', 'Turing', 'Liskov', 'Shannon', 'Knuth', 'Dijkstra', 'Allen', 'Hopper', 'Lamarr', 'Sutherland', 'Backus', 'Johnson', 'Lamport', 'Hamilton', 'Wirth', 'Perlman'];

export interface Person {
  givenName: string;
  familyName: string;
  /** `user<i>` — unique, used for logins and addresses. */
  handle: string;
}

export function person(index: number): Person {
  return {
    givenName: GIVEN[index % GIVEN.length] as string,
    familyName: FAMILY[Math.floor(index / GIVEN.length) % FAMILY.length] as string,
    handle: `user${index}`,
  };
}

/**
 * Which groups user `index` belongs to: two of `groupCount`, so 5,000 users over 100 groups give
 * every group about 100 members. Deterministic, so tests can compute expected memberships.
 */
export function groupsOfUser(index: number, groupCount: number): number[] {
  if (groupCount === 0) return [];
  const a = index % groupCount;
  const b = (index * 7 + 3) % groupCount;
  return a === b ? [a] : [a, b];
}

/** A stable, uuid-shaped id for the `index`-th object of a kind (kind 1 users, 2 groups, …). */
export function uuidFor(kind: number, index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}
