import { IdsyncError } from '../errors.js';

/**
 * Where `REDIS_URL` points: one Redis server (`redis://…`, `rediss://…`, as ioredis reads them) or a
 * Redis Cluster, named by its nodes: `redis+cluster://[user:password@]host:port,host:port,…`
 * (`rediss+cluster://` for TLS). A few nodes are enough; the client learns the rest from them.
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'cluster'; nodes: ClusterNode[]; username: string | undefined; password: string | undefined; tls: boolean };

export interface ClusterNode {
  host: string;
  port: number;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]*)([/?#].*)?$/i;
const DEFAULT_PORT = 6379;

export class RedisUrlError extends IdsyncError<'redis_url_invalid'> {
  constructor(problem: string) {
    super('redis_url_invalid', `REDIS_URL: ${problem} (a Redis Cluster is written redis+cluster://host:port,host:port,…)`);
  }
}

/** Reads `REDIS_URL`; a cluster URL that names no usable node is refused with a `RedisUrlError`. */
export function parseRedisUrl(url: string): RedisTarget {
  if (!/^rediss?\+cluster:/i.test(url)) return { kind: 'server', url };
  const match = CLUSTER_URL.exec(url);
  if (!match) throw new RedisUrlError('a cluster URL starts with redis+cluster:// or rediss+cluster://');
  const [, scheme, userinfo, hosts, rest] = match as unknown as [string, string, string | undefined, string, string | undefined];
  // A cluster has only database 0: a path naming another one would be silently ignored.
  if (rest !== undefined && !/^\/0?$/.test(rest)) throw new RedisUrlError('a cluster URL takes no database number or options after its nodes');
  const nodes = hosts.split(',').map(parseNode);
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon)) || undefined;
    password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1)) || undefined;
  }
  return { kind: 'cluster', nodes, username, password, tls: scheme.toLowerCase() === 'rediss' };
}

function parseNode(text: string): ClusterNode {
  // host, host:port, [v6], [v6]:port
  const m = /^(?:\[([0-9a-f:.]+)\]|([^\s:[\]]+))(?::(\d{1,5}))?$/i.exec(text.trim());
  const port = m?.[3] === undefined ? DEFAULT_PORT : Number(m[3]);
  if (!m || port < 1 || port > 65535) throw new RedisUrlError(`"${text}" is not a node (host:port)`);
  return { host: (m[1] ?? m[2]) as string, port };
}
