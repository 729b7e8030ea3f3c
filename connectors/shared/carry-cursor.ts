import type { ConnectorPage } from '../../src/connector/connector.js';

/**
 * Yields `pages`, holding back one so the last can carry the cursor, which `cursor()` gives once
 * the listing has completed. Empty pages are dropped; an empty listing still yields `{ cursor }`.
 * A listing that fails never yields a cursor.
 */
export async function* carryCursor(pages: AsyncIterable<ConnectorPage>, cursor: () => string | undefined): AsyncGenerator<ConnectorPage> {
  let held: ConnectorPage | undefined;
  for await (const page of pages) {
    if (isEmpty(page)) continue;
    if (held) yield held;
    held = page;
  }
  yield { ...held, cursor: cursor() };
}

function isEmpty(page: ConnectorPage): boolean {
  return (
    !page.users?.length &&
    !page.groups?.length &&
    !page.userPatches?.length &&
    !page.groupPatches?.length &&
    !page.removedUsers?.length &&
    !page.removedGroups?.length &&
    !page.memberChanges?.length &&
    !page.skipped?.length &&
    !page.notices?.length
  );
}
