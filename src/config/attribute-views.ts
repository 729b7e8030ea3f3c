import { isPulled, ruleAttributeMappingOf } from '../../connectors/registry.js';
import type { AttributeView } from '../domain/account-attributes.js';
import { attributeView } from '../domain/source-attribute-views.js';
import type { SourceConfig } from './schema.js';

/** The `attributes:` entries of a source that map attributes for rules (LDAP's also remap user fields). */
export function ruleAttributeMapping(source: SourceConfig): Record<string, string> {
  return isPulled(source) ? ruleAttributeMappingOf(source) : (source.attributes ?? {});
}

/** How rules read a source's accounts: its kind's default attributes with its `attributes:` overrides. */
export function sourceAttributeView(source: SourceConfig): AttributeView {
  return attributeView(source.kind, ruleAttributeMapping(source));
}

/** Every configured source's view, by source id. */
export function attributeViews(sources: readonly SourceConfig[]): Map<string, AttributeView> {
  return new Map(sources.map((s) => [s.id, sourceAttributeView(s)]));
}
