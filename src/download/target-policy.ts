import type { AddressPolicy } from './address-policy.js';
import { DownloadError, privateAddressError } from './errors.js';
import { comparableHost, type HostAllowlist } from './host-allowlist.js';
import { isIP } from 'node:net';

/**
 * The checks on a URL before any request: scheme, credentials, host, port, and the address itself
 * when the host is an IP literal. Applied to the first URL and again to every redirect target.
 * The address of a named host is checked later, on the address actually connected to
 * (guarded-connector.ts), because only that defeats DNS rebinding.
 */

export interface TargetPolicyOptions {
  allowlist: HostAllowlist;
  allowedPorts: readonly number[] | '*';
  addressPolicy: AddressPolicy;
}

export interface TargetPolicy {
  /** Throws a permanent DownloadError unless the URL may be requested. `from` is the URL that redirected here. */
  check(url: URL, from?: URL): void;
}

const DEFAULT_PORT: Record<string, number> = { 'https:': 443, 'http:': 80 };

/** scheme://host/path, never the query or fragment: signed download links carry secrets there. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function parseDownloadUrl(text: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    // The text is not repeated: it may carry a signature.
    throw new DownloadError('download_bad_url', 'the download URL is not a valid absolute URL', { cause: error });
  }
}

export function effectivePort(url: URL): number {
  return url.port === '' ? (DEFAULT_PORT[url.protocol] ?? 0) : Number(url.port);
}

export function createTargetPolicy(options: TargetPolicyOptions): TargetPolicy {
  const { allowlist, allowedPorts, addressPolicy } = options;

  return {
    check(url, from) {
      if (DEFAULT_PORT[url.protocol] === undefined) {
        throw new DownloadError('download_bad_scheme', `download URLs must use https: or http:, not ${url.protocol}`, {
          details: { scheme: url.protocol },
        });
      }
      if (from?.protocol === 'https:' && url.protocol === 'http:') {
        throw new DownloadError('download_bad_redirect', `refusing a redirect from https: to http: (${describeUrl(url)})`);
      }
      if (url.username !== '' || url.password !== '') {
        throw new DownloadError('download_bad_url', 'download URLs must not carry a user name or password');
      }
      const host = comparableHost(url.hostname);
      if (!allowlist.allows(url.hostname)) {
        throw new DownloadError('download_host_not_allowed', `the download host "${host}" is not allowed; add it to DOWNLOAD_ALLOWED_HOSTS if it is trusted`, {
          details: { host },
        });
      }
      const port = effectivePort(url);
      if (allowedPorts !== '*' && !allowedPorts.includes(port)) {
        throw new DownloadError(
          'download_port_not_allowed',
          `port ${port} of download host "${host}" is not allowed; add it to DOWNLOAD_ALLOWED_PORTS if it is trusted`,
          { details: { host, port } },
        );
      }
      if (isIP(host) !== 0) {
        const verdict = addressPolicy.check(host);
        if (!verdict.allowed) throw privateAddressError(host, verdict.reason);
      }
    },
  };
}
