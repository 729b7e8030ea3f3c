import { z } from 'zod';
import type { ListOptions } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import type { GraphClient } from './client.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const groupRefs = z.object({ value: z.array(z.object({ id: z.string() }).passthrough()) }).passthrough();
const ref = z.object({ id: z.string() }).passthrough();

/**
 * The ids of the users in scope: transitive user members of `scopeGroups` (object ids, or display
 * names looked up with `$filter`). A name that matches no group is a configuration error.
 */
export async function resolveScope(graph: GraphClient, scopeGroups: readonly string[], sourceId: string, options: ListOptions): Promise<Set<string>> {
  const ids: string[] = [];
  for (const entry of scopeGroups) {
    if (GUID.test(entry)) {
      ids.push(entry);
      continue;
    }
    const query = new URLSearchParams({ $filter: `displayName eq '${entry.replace(/'/g, "''")}'`, $select: 'id,displayName' });
    const found = groupRefs.safeParse(await graph.get(`/groups?${query.toString()}`, options));
    const matches = found.success ? found.data.value.map((g) => g.id) : [];
    if (matches.length === 0) {
      throw new ConnectorError('connector_config', `source "${sourceId}": scope group "${entry}" not found in Entra ID`, { sourceId });
    }
    ids.push(...matches);
  }
  const users = new Set<string>();
  for (const id of ids) {
    for (const userId of await transitiveUserMembers(graph, id, options)) users.add(userId);
  }
  return users;
}

/** `/groups/{id}/transitiveMembers/microsoft.graph.user`: the group's users, nesting resolved by Graph. */
export async function transitiveUserMembers(graph: GraphClient, groupId: string, options: ListOptions): Promise<string[]> {
  const out: string[] = [];
  const path = `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`;
  for await (const page of graph.pages(path, options)) {
    for (const raw of page.value) {
      const member = ref.safeParse(raw);
      if (member.success) out.push(member.data.id);
    }
  }
  return out;
}
