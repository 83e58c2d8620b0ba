/**
 * What REDIS_URL names: one server (redis://, rediss://), a master found through Sentinel
 * (redis+sentinel://, rediss+sentinel://), or a Redis Cluster (redis+cluster://,
 * rediss+cluster://). The Sentinel and Cluster forms list several hosts where a URL has one, so
 * they are read here rather than by the WHATWG URL parser:
 *
 *   redis+sentinel://[[user]:password@]host:port[,host:port...]/<master name>[/<db>][?sentinelPassword=...&sentinelUsername=...]
 *   redis+cluster://[[user]:password@]host:port[,host:port...][/]
 *
 * The password in the authority is the master's (and its replicas'); sentinels protected by a
 * password of their own take it from `sentinelPassword`. `rediss+sentinel` speaks TLS to the
 * sentinels and to the master. A cluster's hosts are seed nodes: the client learns the others
 * from them, and the password is every node's. A cluster has database 0 only, so no path.
 */

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'server'; url: string; tls: boolean }
  | {
      kind: 'sentinel';
      sentinels: HostPort[];
      masterName: string;
      db: number;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      tls: boolean;
    }
  | { kind: 'cluster'; nodes: HostPort[]; username?: string; password?: string; tls: boolean };

const SENTINEL_DEFAULT_PORT = 26379;
const SENTINEL_FORM = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]*)(?:\/([^/?#]*))?(?:\?([^#]*))?$/u;
const CLUSTER_DEFAULT_PORT = 6379;
const CLUSTER_FORM = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/u;
const MASTER_NAME = /^[\w.-]{1,128}$/u;

export class RedisUrlError extends Error {}

function hostPort(text: string, defaultPort: number): HostPort {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/u.exec(text);
  const plain = /^([^:[\]]+)(?::(\d+))?$/u.exec(text);
  const match = bracketed ?? plain;
  if (match?.[1] === undefined) throw new RedisUrlError(`"${text}" is not host:port`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RedisUrlError(`"${text}" has no valid port (1 to 65535)`);
  return { host: match[1], port };
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError(`its ${what} is not valid percent-encoding`);
  }
}

/** The user name and password of an authority's `[user]:password` part, decoded. */
function credentials(auth: string | undefined): { username?: string; password?: string } {
  if (auth === undefined) return {};
  const colon = auth.indexOf(':');
  const username = colon < 0 ? auth : auth.slice(0, colon);
  return {
    ...(username === '' ? {} : { username: decode(username, 'user name') }),
    ...(colon < 0 ? {} : { password: decode(auth.slice(colon + 1), 'password') }),
  };
}

function parseSentinel(text: string): RedisTarget {
  const match = SENTINEL_FORM.exec(text);
  if (match === null)
    throw new RedisUrlError('a Sentinel URL is redis+sentinel://[[user]:password@]host:port[,host:port...]/<master name>[/<db>][?sentinelPassword=...]');
  const [, scheme, auth, hosts, name, dbText, query] = match;
  const masterName = decode(name ?? '', 'master name');
  if (!MASTER_NAME.test(masterName)) throw new RedisUrlError('the master name (the path) must be 1 to 128 letters, digits, "_", "." or "-"');
  const sentinels = (hosts ?? '').split(',').map((entry) => hostPort(entry.trim(), SENTINEL_DEFAULT_PORT));
  const db = dbText === undefined || dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new RedisUrlError('the database (after the master name) must be a number from 0 to 15');
  const target: Extract<RedisTarget, { kind: 'sentinel' }> = { kind: 'sentinel', sentinels, masterName, db, tls: scheme === 'rediss', ...credentials(auth) };
  for (const [key, value] of new URLSearchParams(query ?? '')) {
    if (key === 'sentinelPassword') target.sentinelPassword = value;
    else if (key === 'sentinelUsername') target.sentinelUsername = value;
    else throw new RedisUrlError(`unknown option "${key}" (sentinelPassword and sentinelUsername are known)`);
  }
  return target;
}

function parseCluster(text: string): RedisTarget {
  const match = CLUSTER_FORM.exec(text);
  if (match === null) throw new RedisUrlError('a Cluster URL is redis+cluster://[[user]:password@]host:port[,host:port...] (seed nodes)');
  const [, scheme, auth, hosts, path, query] = match;
  if (path !== undefined && path !== '/' && path !== '/0') throw new RedisUrlError('a Redis Cluster has database 0 only: leave the path out');
  const nodes = (hosts ?? '').split(',').map((entry) => hostPort(entry.trim(), CLUSTER_DEFAULT_PORT));
  for (const [key] of new URLSearchParams(query ?? '')) throw new RedisUrlError(`unknown option "${key}" (a Cluster URL takes none)`);
  return { kind: 'cluster', nodes, tls: scheme === 'rediss', ...credentials(auth) };
}

/** Reads REDIS_URL; throws RedisUrlError saying what is wrong (never repeating a password). */
export function parseRedisUrl(text: string): RedisTarget {
  const scheme = /^([a-z+]+):\/\//u.exec(text)?.[1];
  if (scheme === 'redis+sentinel' || scheme === 'rediss+sentinel') return parseSentinel(text);
  if (scheme === 'redis+cluster' || scheme === 'rediss+cluster') return parseCluster(text);
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(text);
    } catch {
      throw new RedisUrlError('must be an absolute URL');
    }
    return { kind: 'server', url: text, tls: scheme === 'rediss' };
  }
  throw new RedisUrlError('must start with redis://, rediss://, redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster://');
}

/** Where the target is, for logs and errors: hosts and ports, never credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'server') {
    const url = new URL(target.url);
    return `${url.protocol}//${url.host}`;
  }
  const hostList = (entries: HostPort[]) => entries.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  const scheme = target.tls ? 'rediss' : 'redis';
  if (target.kind === 'cluster') return `${scheme}+cluster://${hostList(target.nodes)}`;
  return `${scheme}+sentinel://${hostList(target.sentinels)}/${target.masterName}`;
}
