/**
 * Whether a message from scimmy is one of its own validation messages, safe to show a client.
 *
 * scimmy reports a value its schema refuses as a `TypeError` or `SCIMError` with a message naming
 * the attribute ("Required attribute 'userName' is missing", "Attribute 'active' expected value
 * type 'boolean' …"); but its attribute setters also wrap *any* exception thrown while applying a
 * value — a JavaScript runtime error included — in a 400 carrying that exception's text
 * ("Cannot add property schemas, object is not extensible for 'add' op …"). Context is appended
 * (" from complex attribute 'x'", " for 'add' op of operation 1 …"), never prepended, so a
 * message is scimmy's own exactly when it starts the way one of scimmy's does. The forms below are
 * every client-reachable message of scimmy 1.3 (`lib/types.js`, `lib/messages.js`); anything else
 * is treated as a runtime error whose text stays in the log.
 */
const SCIMMY_VALIDATION = [
  /^Attribute '[^']*' /,
  /^Required attribute '[^']*' is missing/,
  /^Complex attribute '[^']*' expected /,
  /^Missing values for required schema extension '/,
  /^The request body (supplied a schema type|is missing schema extension)/,
  /^Invalid (attribute )?path '/,
  /^Invalid operation '/,
  /^Filter '.*' does not match any values/,
  /^Missing required attribute '[^']*' (from|for) /,
  /^PatchOp (request body|expects)/,
  /^(Unexpected token|Missing closing '[)\]]' token) /,
];

export function isScimmyValidationMessage(message: string): boolean {
  return SCIMMY_VALIDATION.some((form) => form.test(message));
}
