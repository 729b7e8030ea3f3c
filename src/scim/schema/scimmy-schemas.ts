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
import { isScimType, ScimError, type ScimType } from '../scim-error.js';
import { isScimmyValidationMessage } from './scimmy-validation-message.js';
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

/** Names what a PATCH operation targets, by its 1-based index in the message scimmy applied. */
export type OperationTarget = (operation: number) => string | undefined;

/**
 * Runs a scimmy validation step. scimmy reports most schema violations as a plain `TypeError`
 * ("Required attribute 'userName' is missing", "expected value type 'boolean'"); those are the
 * client's fault, so they become 400 `invalidValue` rather than a 500. Its own `SCIMError`s keep
 * their status and scimType. Only scimmy's own validation messages reach the client: a runtime
 * error inside scimmy (its setters turn those into 400s too) becomes a 400 that names the attribute
 * or operation and hides the runtime text, which the server logs.
 */
export function withScimmy<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw fromScimmy(error);
  }
}

export async function withScimmyAsync<T>(step: () => Promise<T>, target?: OperationTarget): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw fromScimmy(error, target);
  }
}

function fromScimmy(error: unknown, target?: OperationTarget): unknown {
  if (error instanceof ScimError) return error;
  let status = 400;
  let type: ScimType | undefined = 'invalidValue';
  if (error instanceof SCIMMY.Types.Error) {
    const fields = error as unknown as { status: number; scimType?: unknown };
    status = fields.status >= 400 && fields.status < 600 ? fields.status : 400;
    type = isScimType(fields.scimType) ? fields.scimType : undefined;
  } else if (!(error instanceof TypeError || error instanceof RangeError)) {
    return error;
  }
  if (isScimmyValidationMessage(error.message)) return new ScimError(status, type, error.message, { cause: error });
  return new ScimError(status, type, `${subjectOf(error.message, target)} cannot be accepted`, { cause: error, hidesCause: true });
}

/**
 * What a refused value was, from the context scimmy appends to its messages: an operation of a
 * PATCH (named by `target`), a complex attribute or a schema extension. Only the names scimmy
 * puts there are used — the runtime text before them can hold anything.
 */
function subjectOf(message: string, target: OperationTarget | undefined): string {
  const operation = / of operation (\d+) in PatchOp request body$/.exec(message);
  if (operation) {
    const index = Number(operation[1]);
    const path = target?.(index);
    return path === undefined ? `Operation ${index}: its value` : `Operation ${index}: the value for "${path.slice(0, 200)}"`;
  }
  const attribute = / (?:from complex attribute|in schema extension) '([^']{1,200})'$/.exec(message);
  return attribute ? `The value of "${attribute[1]}"` : 'A value in the request';
}
