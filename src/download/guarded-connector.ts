import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.js';
import { privateAddressError } from './errors.js';

/**
 * The one place where download sockets are opened. Every address is judged by the address policy
 * at the moment of connecting: the answers of the DNS lookup that this very connection uses (so a
 * rebinding resolver cannot swap a public answer for a private one after a check), IP literals
 * (which never go through DNS), and finally the socket's remote address. Redirects open their
 * connections here too, so they cannot get around it.
 */

export interface GuardedConnectorOptions {
  addressPolicy: AddressPolicy;
  connectTimeoutMs: number;
  /** dns.lookup-compatible resolver; tests pass a stub. */
  lookup?: LookupFunction | undefined;
}

export interface GuardedAgentOptions extends GuardedConnectorOptions {
  /** Longest wait for the response headers, and between two chunks of the body. */
  idleTimeoutMs: number;
}

const systemLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options, callback);
};

/** Wraps a resolver so that an answer with any refused address fails the lookup, and with it the connection. */
export function createGuardedLookup(addressPolicy: AddressPolicy, resolve: LookupFunction = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (error, address, family) => {
      if (error) {
        callback(error, address, family);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((entry: LookupAddress) => entry.address) : [address];
      // One refused answer refuses the host: a name that mixes public and private answers is
      // either misconfigured or an attack, and a partial answer would make failures depend on luck.
      for (const candidate of addresses) {
        const verdict = addressPolicy.check(candidate);
        if (!verdict.allowed) {
          callback(privateAddressError(hostname, verdict.reason), options.all === true ? [] : '');
          return;
        }
      }
      callback(null, address, family);
    });
  };
}

export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const { addressPolicy } = options;
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: createGuardedLookup(addressPolicy, options.lookup),
  });

  return (target, callback) => {
    if (isIP(target.hostname) !== 0) {
      const verdict = addressPolicy.check(target.hostname);
      if (!verdict.allowed) {
        callback(privateAddressError(target.hostname, verdict.reason), null);
        return;
      }
    }
    connect(target, (error, socket) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      // Defence in depth: the checks above decide before connecting; this one catches any path
      // that reached a socket without them (a resolver that ignored the hook, a future Node change).
      const remote = socket.remoteAddress;
      const verdict = remote === undefined ? { allowed: false as const, reason: 'the socket has no remote address' } : addressPolicy.check(remote);
      if (!verdict.allowed) {
        socket.destroy();
        callback(privateAddressError(target.hostname, verdict.reason), null);
        return;
      }
      callback(null, socket);
    });
  };
}

export function createGuardedAgent(options: GuardedAgentOptions): Agent {
  return new Agent({
    connect: createGuardedConnector(options),
    headersTimeout: options.idleTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
  });
}
