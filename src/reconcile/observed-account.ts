import { accountRuleValues, type AttributeView } from '../domain/account-attributes.js';
import type { ObservedAccount } from '../domain/desired-memberships.js';

/** A stored source account with what rules may match on it (`store/observed/rule-inputs.ts` reads one). */
export interface StoredRuleAccount {
  source_id: string;
  id: string;
  user_name: string;
  active: boolean;
  /** Absent or null: the account has no organization. */
  company?: string | null | undefined;
  attributes: Readonly<Record<string, unknown>>;
  groups: ReadonlyArray<{ external_id: string | null; display_name: string; aliases: readonly string[] }>;
}

/**
 * A stored account as the rule matcher sees it: its groups, and its app roles and attributes read
 * through its source's view (`attributeViews` by source id; a source no longer configured shows
 * none). The one conversion the reconciler, the explanation of access and the preview share.
 */
export function toObservedAccount(row: StoredRuleAccount, attributeViews: ReadonlyMap<string, AttributeView>): ObservedAccount {
  const view = attributeViews.get(row.source_id);
  const values = view ? accountRuleValues(view, { company: row.company ?? null, attributes: row.attributes }) : undefined;
  return {
    sourceId: row.source_id,
    accountId: row.id,
    userName: row.user_name,
    active: row.active,
    groups: row.groups.map((g) => ({ externalId: g.external_id, displayName: g.display_name, aliases: g.aliases })),
    appRoles: values?.appRoles,
    attributes: values?.attributes,
  };
}
