/**
 * The resource schemas, from scimmy's own RFC 7643 definitions: they validate and coerce request
 * bodies (`in`), apply PATCH operations to users (scimmy's PatchOp), and are what `/Schemas`
 * describes.
 *
 * scimmy's `Schemas.User` is a process-wide singleton whose definition `extend()` mutates; the
 * User-with-enterprise-extension schema here is a copy built once from its attributes, so that
 * nothing global changes and several servers in one process (tests) cannot disturb each other.
 * The User and Group copies accept any `type` on multi-valued attributes (`suggested-type-values.ts`).
 */
import SCIMMY from 'scimmy';
import { ScimError } from '../scim-error.js';
import { withAnyTypeValue } from './suggested-type-values.js';

const { Attribute, SchemaDefinition, Schema } = SCIMMY.Types;

function ownAttributes(definition: SCIMMY.Types.SchemaDefinition): SCIMMY.Types.Attribute[] {
  return definition.attributes.filter((a): a is SCIMMY.Types.Attribute => a instanceof Attribute && a.config.shadow !== true);
}

/** A copy of `definition` (without its extensions) whose multi-valued attributes take any `type`. */
function copyOf(definition: SCIMMY.Types.SchemaDefinition): SCIMMY.Types.SchemaDefinition {
  return new SchemaDefinition(definition.name, definition.id, definition.description, ownAttributes(definition).map(withAnyTypeValue));
}

const userDefinition = copyOf(SCIMMY.Schemas.User.definition).extend(SCIMMY.Schemas.EnterpriseUser.definition, false);
const groupDefinition = copyOf(SCIMMY.Schemas.Group.definition);

/** A User (RFC 7643 §4.1) with the optional enterprise extension (§4.3). */
export class ScimUserSchema extends Schema {
  static override get id(): string {
    return userDefinition.id;
  }

  static override get definition(): SCIMMY.Types.SchemaDefinition {
    return userDefinition;
  }

  constructor(resource: unknown, direction: 'in' | 'out' | 'both' = 'both') {
    super(resource ?? {}, direction);
    Object.assign(this, userDefinition.coerce(resource, direction));
  }
}

/** A Group (RFC 7643 §4.2). */
export class ScimGroupSchema extends Schema {
  static override get id(): string {
    return groupDefinition.id;
  }

  static override get definition(): SCIMMY.Types.SchemaDefinition {
    return groupDefinition;
  }

  constructor(resource: unknown, direction: 'in' | 'out' | 'both' = 'both') {
    super(resource ?? {}, direction);
    Object.assign(this, groupDefinition.coerce(resource, direction));
  }
}

export const GroupDefinition: SCIMMY.Types.SchemaDefinition = groupDefinition;
export const EnterpriseUserDefinition: SCIMMY.Types.SchemaDefinition = SCIMMY.Schemas.EnterpriseUser.definition;
export const UserDefinition: SCIMMY.Types.SchemaDefinition = userDefinition;

/**
 * Runs a scimmy validation step. scimmy reports most schema violations as a plain `TypeError`
 * ("Required attribute 'userName' is missing", "expected value type 'boolean'"); those are the
 * client's fault, so they become 400 `invalidValue` rather than a 500. Its own `SCIMError`s keep
 * their status and scimType.
 */
export function withScimmy<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw fromScimmy(error);
  }
}

export async function withScimmyAsync<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw fromScimmy(error);
  }
}

function fromScimmy(error: unknown): unknown {
  if (error instanceof ScimError) return error;
  if (error instanceof SCIMMY.Types.Error) {
    const { status, scimType } = error as unknown as { status: number; scimType?: string };
    const type = scimType === undefined || scimType === null ? undefined : (scimType as ConstructorParameters<typeof ScimError>[1]);
    return new ScimError(status >= 400 && status < 600 ? status : 400, type, error.message, { cause: error });
  }
  if (error instanceof TypeError || error instanceof RangeError) return new ScimError(400, 'invalidValue', error.message, { cause: error });
  return error;
}
