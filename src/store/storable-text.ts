/** A NUL, or half of a UTF-16 surrogate pair without its other half. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text PostgreSQL can keep, for text written as a record of what someone else sent (a logged
 * request, a skipped directory entry): a NUL or a lone surrogate becomes U+FFFD, where the
 * database would refuse the whole statement it came in.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}
