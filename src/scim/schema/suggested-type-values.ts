/**
 * The `type` of a multi-valued attribute (`emails[].type`, `roles[].type`, `members[].type`, …)
 * takes any string.
 *
 * RFC 7643 §7 makes `canonicalValues` suggestions — a service provider "MAY choose to ignore
 * unsupported values" — and `type` is `caseExact: false`; §8.7.1 defines none at all for
 * `roles.type` and `x509Certificates.type`. scimmy enforces the lists, exactly and
 * case-sensitively, and reads an empty list as "no value allowed": Entra ID's app-role assignment
 * (`"roles":[{"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]`) and `emails[].type:
 * "Work"` were refused with 400. Here the values are kept as sent, and `/Schemas` still lists the
 * suggestions (an empty list, which would read as "nothing allowed", is left out).
 */
import SCIMMY from 'scimmy';

const { Attribute } = SCIMMY.Types;
type Attribute = SCIMMY.Types.Attribute;

/** A string sub-attribute whose canonical values are described but not enforced. */
class SuggestedValuesAttribute extends Attribute {
  // A private field: scimmy freezes every Attribute in its constructor, so no property can be added.
  readonly #suggested: readonly string[];

  constructor(from: Attribute, suggested: readonly string[]) {
    super(from.type, from.name, { ...from.config, canonicalValues: false });
    this.#suggested = suggested;
  }

  override toJSON(): SCIMMY.Types.Attribute.AttributeDefinition {
    const definition = super.toJSON();
    return this.#suggested.length === 0 ? definition : { ...definition, canonicalValues: [...this.#suggested] };
  }
}

/** `attribute` itself, or — for a multi-valued complex attribute — a copy whose `type` takes any string. */
export function withAnyTypeValue(attribute: Attribute): Attribute {
  const subAttributes = attribute.subAttributes;
  if (String(attribute.type) !== 'complex' || attribute.config.multiValued !== true || !subAttributes) return attribute;
  if (!subAttributes.some(isEnforcedType)) return attribute;
  const relaxed = subAttributes.map((sub) => (isEnforcedType(sub) ? new SuggestedValuesAttribute(sub, canonicalValuesOf(sub)) : sub));
  return new Attribute(attribute.type, attribute.name, { ...attribute.config }, relaxed);
}

function isEnforcedType(attribute: Attribute): boolean {
  return attribute.name === 'type' && Array.isArray(attribute.config.canonicalValues);
}

function canonicalValuesOf(attribute: Attribute): string[] {
  const values: unknown = attribute.config.canonicalValues;
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
}
