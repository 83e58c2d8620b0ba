import { isIPv6 } from 'node:net';

/**
 * The hosts a download URL may name (DOWNLOAD_ALLOWED_HOSTS). Entries are exact hosts or
 * "*.example.com", which matches any subdomain but not example.com itself (list it too if wanted).
 * Entries go through the same WHATWG host parser as the URLs they are compared with, so case,
 * IDN (punycode), a trailing dot and the many spellings of an IP address all compare equal.
 */
export interface HostAllowlist {
  allows(hostname: string): boolean;
  /** The normalized entries, for messages and logs. */
  readonly entries: readonly string[];
}

/** What WHATWG URL makes of a host, without brackets or a trailing dot; null if it is not a bare host. */
export function normalizeHost(text: string): string | null {
  let host = text.trim().toLowerCase();
  if (isIPv6(host)) host = `[${host}]`;
  // A bare host only: no scheme, path, user info, port or spaces.
  if (host === '' || /[/?#@\\\s]/u.test(host)) return null;
  if (!host.startsWith('[') && host.includes(':')) return null;
  let parsed: URL;
  try {
    parsed = new URL(`http://${host}/`);
  } catch {
    return null;
  }
  if (parsed.port !== '') return null;
  return comparableHost(parsed.hostname);
}

/** The form in which a URL's hostname is compared: brackets and one trailing dot removed. */
export function comparableHost(hostname: string): string {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

const isIpLiteral = (host: string): boolean => host.includes(':') || /^[\d.]+$/u.test(host);

export function createHostAllowlist(entries: readonly string[]): HostAllowlist {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const invalid: string[] = [];
  const normalized: string[] = [];

  for (const entry of entries) {
    const wildcard = entry.trim().startsWith('*.');
    const host = normalizeHost(wildcard ? entry.trim().slice(2) : entry);
    if (host === null || host.includes('*') || (wildcard && isIpLiteral(host))) {
      invalid.push(entry);
      continue;
    }
    if (wildcard) suffixes.push(host);
    else exact.add(host);
    normalized.push(wildcard ? `*.${host}` : host);
  }
  if (invalid.length > 0) {
    throw new TypeError(`DOWNLOAD_ALLOWED_HOSTS has entries that are not a host or "*.domain": ${invalid.map((item) => JSON.stringify(item)).join(', ')}`);
  }

  return {
    entries: normalized,
    allows(hostname) {
      const host = comparableHost(hostname.toLowerCase());
      if (host === '') return false;
      if (exact.has(host)) return true;
      if (isIpLiteral(host)) return false;
      return suffixes.some((suffix) => host.endsWith(`.${suffix}`));
    },
  };
}
