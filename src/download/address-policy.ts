/**
 * Which IP addresses a download may connect to. Pure: parsing and range arithmetic only, so every
 * spelling of every range is unit tested without a socket (test/unit/download-address-policy.test.ts).
 *
 * Written by hand rather than with node:net BlockList because the dangerous cases are the
 * addresses that hide another one: IPv4-mapped and -translated IPv6, NAT64 and 6to4 carry an IPv4
 * address that must be judged by the IPv4 rules, and the error should say which one it was.
 */

export type AddressCategory =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'unique-local'
  | 'site-local'
  | 'ipv4-compatible';

/** How an IPv6 address carries the IPv4 address it was judged by. */
export type Embedding = 'ipv4-mapped' | 'ipv4-translated' | 'nat64' | '6to4';

export interface AddressInfo {
  family: 4 | 6;
  category: AddressCategory;
  /** Set when an IPv6 address was judged by the IPv4 address inside it. */
  embedded?: { via: Embedding; ipv4: string };
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export interface AddressPolicy {
  check(address: string): AddressVerdict;
}

export interface AddressPolicyOptions {
  /** Allow every address (local use only: a simulator on loopback). */
  allowPrivateNetworks: boolean;
  /**
   * Exact addresses allowed even though they are not public. Meant for one fixed local endpoint,
   * and for tests that give a stub-resolved host a loopback address while everything else stays refused.
   */
  allowedAddresses?: readonly string[];
}

const IPV4_PART = /^(?:0x[\da-f]*|0[0-7]*|[1-9]\d*)$/iu;

/**
 * Parses an IPv4 address in any spelling that inet_aton and the WHATWG URL parser accept:
 * 1 to 4 parts, each decimal, octal (leading 0) or hex (0x), the last part filling the remaining
 * bytes ("127.1", "2130706433", "0177.0.0.1", "0x7f000001"). Returns the address as an unsigned
 * 32-bit number, or null when the text is not such an address.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  // "1.2.3.4." is accepted by URL parsers: a trailing dot ends the last part.
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return null;
    const lower = part.toLowerCase();
    let value: number;
    if (lower.startsWith('0x')) value = lower.length === 2 ? 0 : parseInt(lower.slice(2), 16);
    else if (lower.length > 1 && lower.startsWith('0')) value = parseInt(lower.slice(1), 8);
    else value = parseInt(lower, 10);
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop();
  if (last === undefined) return null;
  if (values.some((value) => value > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let result = last;
  values.forEach((value, index) => {
    result += value * 256 ** (3 - index);
  });
  return result;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

const HEX_GROUP = /^[\da-f]{1,4}$/iu;
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/u;

/**
 * Parses an IPv6 address (optionally in brackets, optionally with a %zone) into its eight 16-bit
 * groups, or null. An IPv4 tail ("::ffff:127.0.0.1") must be a plain dotted quad, as RFC 4291 says.
 */
export function parseIPv6(text: string): number[] | null {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = body.indexOf('%');
  if (zone !== -1) body = body.slice(0, zone);
  if (!body.includes(':')) return null;

  const halves = body.split('::');
  if (halves.length > 2) return null;
  const toGroups = (half: string, isTail: boolean): number[] | null => {
    if (half === '') return [];
    const pieces = half.split(':');
    const groups: number[] = [];
    for (const [index, piece] of pieces.entries()) {
      if (isTail && index === pieces.length - 1 && piece.includes('.')) {
        if (!DOTTED_QUAD.test(piece)) return null;
        const v4 = parseIPv4(piece);
        if (v4 === null) return null;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };

  if (halves.length === 1) {
    const groups = toGroups(body, true);
    return groups !== null && groups.length === 8 ? groups : null;
  }
  const [before = '', after = ''] = halves;
  const head = toGroups(before, false);
  const tail = toGroups(after, true);
  if (head === null || tail === null || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

type Range4 = readonly [base: number, prefix: number, category: AddressCategory];

const ip4 = (text: string): number => {
  const value = parseIPv4(text);
  if (value === null) throw new Error(`not an IPv4 address in the range table: ${text}`);
  return value;
};

// The first match wins (the broadcast address sits inside 240.0.0.0/4).
const IPV4_RANGES: readonly Range4[] = [
  [ip4('0.0.0.0'), 8, 'unspecified'],
  [ip4('10.0.0.0'), 8, 'private'],
  [ip4('100.64.0.0'), 10, 'shared'],
  [ip4('127.0.0.0'), 8, 'loopback'],
  [ip4('169.254.0.0'), 16, 'link-local'],
  [ip4('172.16.0.0'), 12, 'private'],
  [ip4('192.0.0.0'), 24, 'reserved'],
  [ip4('192.0.2.0'), 24, 'documentation'],
  [ip4('192.88.99.0'), 24, 'reserved'],
  [ip4('192.168.0.0'), 16, 'private'],
  [ip4('198.18.0.0'), 15, 'benchmarking'],
  [ip4('198.51.100.0'), 24, 'documentation'],
  [ip4('203.0.113.0'), 24, 'documentation'],
  [ip4('224.0.0.0'), 4, 'multicast'],
  [ip4('255.255.255.255'), 32, 'broadcast'],
  [ip4('240.0.0.0'), 4, 'reserved'],
];

function inRange4(value: number, base: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = prefix === 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0 === (base & mask) >>> 0;
}

export function categorizeIPv4(value: number): AddressCategory {
  for (const [base, prefix, category] of IPV4_RANGES) {
    if (inRange4(value, base, prefix)) return category;
  }
  return 'public';
}

const allZero = (groups: readonly number[]): boolean => groups.every((group) => group === 0);
const v4From = (high: number, low: number): number => ((high << 16) | low) >>> 0;

function categorizeIPv6(g: readonly number[]): AddressInfo {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embed = (via: Embedding, v4: number): AddressInfo => ({
    family: 6,
    category: categorizeIPv4(v4),
    embedded: { via, ipv4: formatIPv4(v4) },
  });

  if (allZero(g.slice(0, 5))) {
    if (g5 === 0xffff) return embed('ipv4-mapped', v4From(g6, g7));
    if (g5 === 0) {
      if (g6 === 0 && g7 === 0) return { family: 6, category: 'unspecified' };
      if (g6 === 0 && g7 === 1) return { family: 6, category: 'loopback' };
      // ::a.b.c.d, deprecated by RFC 4291; never a real destination.
      return { family: 6, category: 'ipv4-compatible' };
    }
  }
  if (allZero(g.slice(0, 4)) && g4 === 0xffff && g5 === 0) return embed('ipv4-translated', v4From(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && allZero([g2, g3, g4, g5])) return embed('nat64', v4From(g6, g7));
  if (g0 === 0x2002) return embed('6to4', v4From(g1, g2));

  if ((g0 & 0xfe00) === 0xfc00) return { family: 6, category: 'unique-local' };
  if ((g0 & 0xffc0) === 0xfe80) return { family: 6, category: 'link-local' };
  if ((g0 & 0xffc0) === 0xfec0) return { family: 6, category: 'site-local' };
  if ((g0 & 0xff00) === 0xff00) return { family: 6, category: 'multicast' };
  // 2001:db8::/32 and 3fff::/20 (RFC 9637) are for examples only.
  if ((g0 === 0x2001 && g1 === 0x0db8) || (g0 & 0xfff0) === 0x3ff0) return { family: 6, category: 'documentation' };
  // 2001::/23 holds IETF protocol assignments: Teredo (which can tunnel to any IPv4 address),
  // benchmarking, ORCHID. None of them serves downloads.
  if (g0 === 0x2001 && g1 < 0x0200) return { family: 6, category: 'reserved' };
  // Everything outside global unicast 2000::/3 (local-use NAT64 64:ff9b:1::/48, discard 100::/64...).
  if ((g0 & 0xe000) !== 0x2000) return { family: 6, category: 'reserved' };
  return { family: 6, category: 'public' };
}

/** Classifies an IP literal (IPv4 in any inet_aton spelling, or IPv6); null when it is not one. */
export function classifyAddress(text: string): AddressInfo | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, category: categorizeIPv4(v4) };
  const v6 = parseIPv6(text);
  if (v6 !== null) return categorizeIPv6(v6);
  return null;
}

/** A comparable key for one address: IPv4 dotted, IPv6 as eight full groups. */
function addressKey(text: string): string | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return formatIPv4(v4);
  const v6 = parseIPv6(text);
  return v6 === null ? null : v6.map((group) => group.toString(16)).join(':');
}

const DESCRIPTION: Record<Exclude<AddressCategory, 'public'>, string> = {
  unspecified: 'an unspecified ("this host") address',
  loopback: 'a loopback address',
  private: 'a private network address',
  shared: 'a carrier-grade NAT (shared) address',
  'link-local': 'a link-local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  'unique-local': 'a unique-local IPv6 address',
  'site-local': 'a site-local IPv6 address',
  'ipv4-compatible': 'a deprecated IPv4-compatible IPv6 address',
};

export function createAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const exceptions = new Set<string>();
  for (const address of options.allowedAddresses ?? []) {
    const key = addressKey(address);
    if (key === null) throw new TypeError(`allowedAddresses: "${address}" is not an IP address`);
    exceptions.add(key);
  }

  return {
    check(address) {
      const info = classifyAddress(address);
      // Fail closed: whatever is not an address cannot be judged, so it is not connected to.
      if (info === null) return { allowed: false, reason: `"${address}" is not an IP address` };
      if (options.allowPrivateNetworks || info.category === 'public') return { allowed: true };
      const key = addressKey(address);
      if (key !== null && exceptions.has(key)) return { allowed: true };
      if (info.embedded !== undefined && exceptions.has(info.embedded.ipv4)) return { allowed: true };
      const what = DESCRIPTION[info.category];
      const reason =
        info.embedded === undefined ? `${address} is ${what}` : `${address} carries ${info.embedded.ipv4} (${info.embedded.via}), which is ${what}`;
      return { allowed: false, reason };
    },
  };
}
