/**
 * A throw-away OpenLDAP `slapd` for tests and benchmarks (Debian's package, no systemd):
 * a temp dir with a `slapd.conf`, a generated directory loaded offline with `slapadd -q`, then
 * `slapd -d 0` in the foreground as a child process on a free loopback port.
 * Recipe and timings: /work/shared/notes/test-infra.md.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SLAPD = process.env['SLAPD_BIN'] ?? '/usr/sbin/slapd';
const SLAPADD = process.env['SLAPADD_BIN'] ?? '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export interface DirectoryShape {
  /** Suffix of the database. Default `dc=example,dc=com`. */
  baseDn?: string;
  /** `uid=user1` … `uid=userN` under `ou=people`, mail `userN@example.com`. */
  users: number;
  /** `cn=group1` … `cn=groupN` (groupOfNames) under `ou=groups`. */
  groups?: number;
  /** How many groups each user is in (user n is in groups ((n-1+k) mod G)+1, k < groupsPerUser). Default 1. */
  groupsPerUser?: number;
  /**
   * GeneralizedTime written as createTimestamp/modifyTimestamp of every generated entry
   * (e.g. `20200101000000Z`), so a delta taken "now" does not see the freshly loaded directory.
   * Default: slapadd stamps the load time.
   */
  timestamp?: string;
}

export interface SlapdOptions extends Partial<DirectoryShape> {
  /** Generate a CA and a server certificate, enable StartTLS and also listen on ldaps://. */
  tls?: boolean;
  /** With `tls`: refuse TLS clients without a certificate from the CA (`TLSVerifyClient demand`). */
  requireClientCert?: boolean;
  /** LDIF appended after the generated entries (loaded by slapadd as well). */
  extraLdif?: string;
  /** Lines appended to the database section of slapd.conf (e.g. extra `limits`). */
  extraConfig?: string;
}

export interface Slapd {
  url: string;
  port: number;
  /** `ldaps://127.0.0.1:<port>/` when started with `tls: true`. */
  ldapsUrl?: string | undefined;
  /** The CA that signed the server certificate (with `tls: true`). */
  caFile?: string | undefined;
  /** A client certificate and key signed by the same CA (with `tls: true`). */
  clientCertFile?: string | undefined;
  clientKeyFile?: string | undefined;
  bindDn: string;
  password: string;
  baseDn: string;
  peopleDn: string;
  groupsDn: string;
  dir: string;
  pid: number;
  /** Applies LDIF with changetype records through `ldapmodify` as the rootdn. */
  ldapModify(ldif: string): Promise<void>;
  /**
   * Sends a signal to slapd (SIGSTOP / SIGCONT to simulate a hung server). Signals are delivered
   * asynchronously: after SIGSTOP this resolves only once every slapd thread has stopped, so a
   * request sent afterwards cannot be answered by a thread that had not stopped yet.
   */
  signal(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** Waits until every thread of `pid` is in state T (stopped), as /proc reports it. */
async function allThreadsStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const states = readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    });
    if (states.every((state) => state === 'T')) return;
    if (Date.now() > deadline) throw new Error(`slapd ${pid} did not stop: thread states ${states.join('')}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A `kind: ldap` source reading this slapd's people and groups, bound as its root DN. */
export function slapdSource(slapd: Slapd, id: string, passwordEnv: string) {
  return {
    id,
    kind: 'ldap' as const,
    url: slapd.url,
    bindDn: slapd.bindDn,
    passwordEnv,
    users: { baseDn: slapd.peopleDn },
    groups: { baseDn: slapd.groupsDn },
  };
}

/** The DN of generated user n. */
export function userDn(n: number, baseDn = 'dc=example,dc=com'): string {
  return `uid=user${n},ou=people,${baseDn}`;
}

/** The DN of generated group g. */
export function groupDn(g: number, baseDn = 'dc=example,dc=com'): string {
  return `cn=group${g},ou=groups,${baseDn}`;
}

/** The user numbers the generator puts into group g (ascending). */
export function generatedMembers(g: number, shape: DirectoryShape): number[] {
  const groups = shape.groups ?? 0;
  const per = Math.min(shape.groupsPerUser ?? 1, groups);
  const out: number[] = [];
  for (let n = 1; n <= shape.users; n++) {
    for (let k = 0; k < per; k++) {
      if (((n - 1 + k) % groups) + 1 === g) {
        out.push(n);
        break;
      }
    }
  }
  return out;
}

/**
 * The generated directory as LDIF, entry by entry (so 100,000 users never sit in one string).
 * Root, `ou=people`, `ou=groups`, users, then groups.
 */
export function* directoryLdif(shape: DirectoryShape): Generator<string> {
  const base = shape.baseDn ?? 'dc=example,dc=com';
  const dc = /^dc=([^,]+)/i.exec(base)?.[1] ?? 'example';
  const stamp = shape.timestamp ? `createTimestamp: ${shape.timestamp}\nmodifyTimestamp: ${shape.timestamp}\n` : '';
  yield `dn: ${base}\nobjectClass: dcObject\nobjectClass: organization\ndc: ${dc}\no: Example\n${stamp}\n`;
  yield `dn: ou=people,${base}\nobjectClass: organizationalUnit\nou: people\n${stamp}\n`;
  yield `dn: ou=groups,${base}\nobjectClass: organizationalUnit\nou: groups\n${stamp}\n`;
  for (let n = 1; n <= shape.users; n++) {
    yield (
      `dn: ${userDn(n, base)}\nobjectClass: inetOrgPerson\nuid: user${n}\ncn: User ${n}\n` +
      `givenName: Given${n}\nsn: Family${n}\nmail: user${n}@example.com\no: Example Corp\n${stamp}\n`
    );
  }
  const groups = shape.groups ?? 0;
  const per = Math.min(shape.groupsPerUser ?? 1, groups);
  if (groups === 0) return;
  // Member lists built in one pass over the users (not G passes): G arrays of user numbers.
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let n = 1; n <= shape.users; n++) {
    for (let k = 0; k < per; k++) members[(n - 1 + k) % groups]?.push(n);
  }
  for (let g = 1; g <= groups; g++) {
    const list = members[g - 1] ?? [];
    // groupOfNames requires a member: an empty group points at the suffix (not a user, not a group).
    const lines = list.length > 0 ? list.map((n) => `member: ${userDn(n, base)}\n`).join('') : `member: ${base}\n`;
    yield `dn: ${groupDn(g, base)}\nobjectClass: groupOfNames\ncn: group${g}\n${lines}${stamp}\n`;
  }
}

/** Writes `directoryLdif(shape)` (and `extra`) to a file in chunks. */
export function writeDirectoryLdif(path: string, shape: DirectoryShape, extra?: string): void {
  const fd = openSync(path, 'w');
  try {
    let chunk = '';
    for (const entry of directoryLdif(shape)) {
      chunk += entry;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (extra) chunk += `\n${extra.trim()}\n`;
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await execFileAsync('openssl', args, { cwd: dir });
}

export interface TestCa {
  caFile: string;
  caKeyFile: string;
}

/** A throw-away CA (EC P-256: key generation is instant). */
export async function createTestCa(dir: string, name = 'ca'): Promise<TestCa> {
  mkdirSync(dir, { recursive: true });
  await openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=idsync test ${name}`,
  ]);
  return { caFile: join(dir, `${name}.pem`), caKeyFile: join(dir, `${name}.key`) };
}

/** A certificate signed by `ca` for `127.0.0.1` and `localhost`. Returns [certFile, keyFile]. */
export async function issueCertificate(dir: string, ca: TestCa, name: string, extendedKeyUsage: 'serverAuth' | 'clientAuth'): Promise<[string, string]> {
  writeFileSync(
    join(dir, `${name}.ext`),
    `subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=${extendedKeyUsage}\nbasicConstraints=CA:FALSE\n`,
  );
  await openssl(dir, [
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : name}`,
  ]);
  await openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', ca.caFile, '-CAkey', ca.caKeyFile, '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`,
  ]);
  return [join(dir, `${name}.pem`), join(dir, `${name}.key`)];
}

function slapdConf(o: {
  dir: string;
  baseDn: string;
  bindDn: string;
  password: string;
  tls?: { ca: string; cert: string; key: string; verifyClient: 'allow' | 'demand' } | undefined;
  extra?: string | undefined;
}): string {
  return [
    `include ${SCHEMA_DIR}/core.schema`,
    `include ${SCHEMA_DIR}/cosine.schema`,
    `include ${SCHEMA_DIR}/inetorgperson.schema`,
    `include ${SCHEMA_DIR}/nis.schema`,
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    'moduleload memberof',
    `pidfile ${join(o.dir, 'slapd.pid')}`,
    `argsfile ${join(o.dir, 'slapd.args')}`,
    ...(o.tls
      ? [`TLSCACertificateFile ${o.tls.ca}`, `TLSCertificateFile ${o.tls.cert}`, `TLSCertificateKeyFile ${o.tls.key}`, `TLSVerifyClient ${o.tls.verifyClient}`]
      : []),
    'database mdb',
    'maxsize 4294967296',
    'dbnosync',
    `suffix "${o.baseDn}"`,
    `rootdn "${o.bindDn}"`,
    `rootpw ${o.password}`,
    `directory ${join(o.dir, 'db')}`,
    'index objectClass,uid,cn,mail,member,uniqueMember,memberUid,memberOf,entryUUID,entryCSN eq',
    'index modifyTimestamp eq',
    `limits dn.exact="${o.bindDn}" size=unlimited time=unlimited`,
    ...(o.extra ? [o.extra] : []),
    'overlay memberof',
    '',
  ].join('\n');
}

/** Starts slapd with a generated directory. Always `stop()` it (afterAll): it removes the temp dir. */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const baseDn = options.baseDn ?? 'dc=example,dc=com';
  const bindDn = `cn=admin,${baseDn}`;
  const password = randomBytes(12).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'idsync-slapd-'));
  let child: ChildProcess | undefined;
  try {
    mkdirSync(join(dir, 'db'));
    let tls: { ca: string; cert: string; key: string; verifyClient: 'allow' | 'demand' } | undefined;
    let client: [string, string] | undefined;
    if (options.tls) {
      const ca = await createTestCa(dir);
      const [cert, key] = await issueCertificate(dir, ca, 'server', 'serverAuth');
      client = await issueCertificate(dir, ca, 'client', 'clientAuth');
      tls = { ca: ca.caFile, cert, key, verifyClient: options.requireClientCert ? 'demand' : 'allow' };
    }
    const confFile = join(dir, 'slapd.conf');
    writeFileSync(confFile, slapdConf({ dir, baseDn, bindDn, password, tls, extra: options.extraConfig }));
    const ldifFile = join(dir, 'data.ldif');
    writeDirectoryLdif(ldifFile, { ...options, baseDn, users: options.users ?? 0 }, options.extraLdif);
    await execFileAsync(SLAPADD, ['-q', '-f', confFile, '-l', ldifFile]).catch((err: unknown) => {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`slapadd failed: ${stderr.trim() || String(err)}`);
    });
    rmSync(ldifFile);

    // A free port can be taken between probing and binding: retry a few times.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const tlsPort = options.tls ? await freePort() : undefined;
      const url = `ldap://127.0.0.1:${port}/`;
      const ldapsUrl = tlsPort ? `ldaps://127.0.0.1:${tlsPort}/` : undefined;
      const urls = ldapsUrl ? `${url} ${ldapsUrl}` : url;
      const proc = spawn(SLAPD, ['-d', '0', '-f', confFile, '-h', urls], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      let stderr = '';
      proc.stderr?.on('data', (d: Buffer) => {
        if (stderr.length < 16_384) stderr += d.toString();
      });
      let exited = false;
      // A test process that dies without afterAll (crash, timeout) must not leave slapd behind.
      const reap = () => {
        if (!exited) proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      };
      process.once('exit', reap);
      proc.once('exit', () => {
        exited = true;
      });
      const deadline = Date.now() + 10_000;
      let ready = false;
      while (!exited && Date.now() < deadline) {
        if ((await canConnect(port)) && (tlsPort === undefined || (await canConnect(tlsPort)))) {
          ready = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      if (!ready) {
        process.removeListener('exit', reap);
        proc.kill('SIGKILL');
        if (attempt < 3 && exited) continue;
        throw new Error(`slapd did not start on ${urls}: ${stderr.trim()}`);
      }
      const pwFile = join(dir, 'bind.pw');
      writeFileSync(pwFile, password, { mode: 0o600 });
      const handle: Slapd = {
        url,
        port,
        ldapsUrl,
        caFile: tls?.ca,
        clientCertFile: client?.[0],
        clientKeyFile: client?.[1],
        bindDn,
        password,
        baseDn,
        peopleDn: `ou=people,${baseDn}`,
        groupsDn: `ou=groups,${baseDn}`,
        dir,
        pid: proc.pid ?? -1,
        ldapModify: (ldif) =>
          new Promise<void>((resolve, reject) => {
            const p = spawn('ldapmodify', ['-x', '-H', url, '-D', bindDn, '-y', pwFile], { stdio: ['pipe', 'ignore', 'pipe'] });
            let err = '';
            p.stderr.on('data', (d: Buffer) => (err += d.toString()));
            p.once('error', reject);
            p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ldapmodify exited ${code}: ${err.trim()}`))));
            p.stdin.end(ldif);
          }),
        signal: async (sig) => {
          if (exited) return;
          proc.kill(sig);
          if (sig === 'SIGSTOP' && proc.pid !== undefined) await allThreadsStopped(proc.pid);
        },
        stop: async () => {
          process.removeListener('exit', reap);
          if (!exited) {
            proc.kill('SIGCONT');
            const gone = new Promise<void>((r) => proc.once('exit', () => r()));
            proc.kill('SIGTERM');
            const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
            await gone;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
      return handle;
    }
  } catch (err) {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The floor a sync is measured against: every user read with plain ldapts paged search, asking for
 * the attributes the openldap preset maps. Returns how many entries came back.
 */
export async function rawPagedUserRead(slapd: Slapd, pageSize = 1000): Promise<number> {
  const { Client } = await import('ldapts');
  const client = new Client({ url: slapd.url });
  await client.bind(slapd.bindDn, slapd.password);
  let read = 0;
  try {
    for await (const page of client.searchPaginated(slapd.peopleDn, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['entryUUID', 'uid', 'mail', 'givenName', 'sn', 'displayName', 'cn', 'o'],
      paged: { pageSize },
    })) read += page.searchEntries.length;
  } finally {
    await client.unbind();
  }
  return read;
}
