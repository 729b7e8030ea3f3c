/**
 * LDAP read benchmark: 100,000 users and 1,000 groups (2 groups per user) in a throw-away slapd.
 * Compares the floor (ldapts `searchPaginated`, nothing else) with the connector's full listing
 * and a delta, and measures the connector's user index (the memory a full run keeps).
 *
 *   node --expose-gc --import tsx test/bench/ldap-raw-read.ts [users] [groups]
 */
import { ldapSourceConfig } from '../../connectors/ldap/config.js';
import { normalizeDn } from '../../connectors/ldap/dn.js';
import { UserIndex } from '../../connectors/ldap/groups.js';
import { createLdapConnector } from '../../connectors/ldap/index.js';
import { rawPagedUserRead, slapdSource, startSlapd } from '../helpers/slapd.js';

const USERS = Number(process.argv[2] ?? 100_000);
const GROUPS = Number(process.argv[3] ?? 1_000);
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

let t = performance.now();
const slapd = await startSlapd({ users: USERS, groups: GROUPS, groupsPerUser: 2, timestamp: '20200101000000Z' });
console.log(`slapd with ${USERS} users / ${GROUPS} groups ready in ${(performance.now() - t).toFixed(0)} ms`);
try {
  // The floor: read every user with the attributes the connector asks for.
  t = performance.now();
  const raw = await rawPagedUserRead(slapd);
  console.log(`raw searchPaginated: ${raw} users in ${(performance.now() - t).toFixed(0)} ms`);

  const config = ldapSourceConfig.parse(slapdSource(slapd, 'bench', 'PW'));
  const connector = createLdapConnector(config, { env: { PW: slapd.password }, sourceId: 'bench' });
  t = performance.now();
  let users = 0;
  let groups = 0;
  let members = 0;
  let usersDone = 0;
  let cursor = '';
  for await (const page of connector.full()) {
    users += page.users?.length ?? 0;
    if (page.groups && usersDone === 0) usersDone = performance.now() - t;
    groups += page.groups?.length ?? 0;
    for (const g of page.groups ?? []) members += g.memberExternalIds?.length ?? 0;
    cursor = page.cursor ?? cursor;
  }
  console.log(
    `connector full: ${users} users (${usersDone.toFixed(0)} ms), ${groups} groups / ${members} memberships, total ${(performance.now() - t).toFixed(0)} ms`,
  );
  t = performance.now();
  let changed = 0;
  for await (const page of connector.delta?.({ cursor }) ?? []) changed += (page.users?.length ?? 0) + (page.groups?.length ?? 0);
  console.log(`connector delta (nothing changed): ${changed} records in ${(performance.now() - t).toFixed(1)} ms`);

  // The index a full run holds: same shapes as the connector builds (normal-form DN, uid, uuid).
  if (!gc) console.log('(run with --expose-gc for the memory figure)');
  const before = heap();
  const index = new UserIndex();
  for (let n = 1; n <= USERS; n++) {
    index.add({
      // Decoded from bytes like ldapts' values (randomUUID() itself returns a ~500-byte cons string).
      user: { externalId: Buffer.from(crypto.randomUUID(), 'latin1').toString('latin1'), userName: `user${n}`, email: null, active: true },
      // normalizeDn returns flat strings, like the connector's keys (template literals would be cons strings).
      dnKey: normalizeDn(`uid=user${n},ou=people,dc=example,dc=com`),
      uid: `USER${n}`.toLowerCase(),
      primaryGroupId: undefined,
    });
  }
  const after = heap();
  console.log(`user index for ${index.size} users: ${mb(after - before)} (${((after - before) / index.size).toFixed(0)} bytes/user)`);
} finally {
  await slapd.stop();
}
