/**
 * Transitive user members of every group, from each group's direct user and group members.
 * Cycles (A ∋ B ∋ A) are walked once; groups outside the map contribute nothing.
 */
export function resolveNestedMembers(direct: ReadonlyMap<string, { users: ReadonlySet<string>; groups: ReadonlySet<string> }>, groupId: string): Set<string> {
  const start = direct.get(groupId);
  const users = new Set(start?.users ?? []);
  if (!start || start.groups.size === 0) return users;
  const seen = new Set<string>([groupId]);
  const queue = [...start.groups];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const group = direct.get(id);
    if (!group) continue;
    for (const user of group.users) users.add(user);
    for (const child of group.groups) if (!seen.has(child)) queue.push(child);
  }
  return users;
}

/** Groups that contain `groupIds` directly or through other groups (the groups themselves excluded). */
export function ancestorsOf(nesting: ReadonlyMap<string, ReadonlySet<string>>, groupIds: Iterable<string>): Set<string> {
  const parents = new Map<string, string[]>();
  for (const [parent, children] of nesting) {
    for (const child of children) {
      let list = parents.get(child);
      if (!list) parents.set(child, (list = []));
      list.push(parent);
    }
  }
  const out = new Set<string>();
  const queue = [...groupIds];
  while (queue.length > 0) {
    for (const parent of parents.get(queue.pop() as string) ?? []) {
      if (!out.has(parent)) {
        out.add(parent);
        queue.push(parent);
      }
    }
  }
  return out;
}
