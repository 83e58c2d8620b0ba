import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress, createAddressPolicy, formatIPv4, parseIPv4, parseIPv6 } from '../../src/download/address-policy.js';

const strict = createAddressPolicy({ allowPrivateNetworks: false });

describe('parseIPv4 reads every spelling that URL parsers and inet_aton accept', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0.0.0.0', '0.0.0.0'],
    ['4294967295', '255.255.255.255'],
    ['8.8.8.8.', '8.8.8.8'],
    ['0xa.0.0.5', '10.0.0.5'],
    ['012.0.0.5', '10.0.0.5'],
  ];
  for (const [text, expected] of cases) {
    test(`"${text}" is ${expected}`, () => {
      const value = parseIPv4(text);
      assert.notEqual(value, null);
      assert.equal(formatIPv4(value!), expected);
    });
  }

  for (const text of ['256.0.0.1', '1.2.3.4.5', '4294967296', '1.16777216', '08.0.0.1', '0x1g', '1..2', '', 'example.com', '::1', '1.2.3.-4']) {
    test(`"${text}" is not an IPv4 address`, () => {
      assert.equal(parseIPv4(text), null);
    });
  }
});

describe('parseIPv6 reads compressed, bracketed, zoned and dotted-tail forms', () => {
  test('"::1" is seven zero groups and a one', () => {
    assert.deepEqual(parseIPv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  });
  test('"[::ffff:127.0.0.1]" has the IPv4 address in its last two groups', () => {
    assert.deepEqual(parseIPv6('[::ffff:127.0.0.1]'), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  });
  test('"fe80::1%eth0" drops the zone', () => {
    assert.deepEqual(parseIPv6('fe80::1%eth0'), [0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  });
  test('a full eight-group address needs no "::"', () => {
    assert.deepEqual(parseIPv6('2606:4700:0:0:0:0:0:1111'), [0x2606, 0x4700, 0, 0, 0, 0, 0, 0x1111]);
  });
  for (const text of ['1:2:3:4:5:6:7:8:9', '1::2::3', 'gggg::1', '12345::1', '::ffff:127.1', ':::', '1:2:3:4:5:6:7', '127.0.0.1', 'host']) {
    test(`"${text}" is not an IPv6 address`, () => {
      assert.equal(parseIPv6(text), null);
    });
  }
});

describe('the strict policy refuses every private, local and special-purpose address', () => {
  const blocked: Array<[string, string]> = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'ipv4-compatible'],
    ['::8.8.8.8', 'ipv4-compatible'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::1', 'reserved'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['2001:10::1', 'reserved'],
    ['2001:1ff::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
  ];
  for (const [address, category] of blocked) {
    test(`${address} is refused as ${category}`, () => {
      assert.equal(classifyAddress(address)?.category, category);
      const verdict = strict.check(address);
      assert.equal(verdict.allowed, false);
    });
  }
});

describe('the strict policy allows public addresses', () => {
  const allowed = [
    '8.8.8.8',
    '1.1.1.1',
    '52.216.0.1',
    '11.0.0.1',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '169.253.255.255',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700::1',
    '2606:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001:82b::200e',
    '2001:200::1',
    '2600::',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ];
  for (const address of allowed) {
    test(`${address} is allowed`, () => {
      assert.equal(classifyAddress(address)?.category, 'public');
      assert.deepEqual(strict.check(address), { allowed: true });
    });
  }
});

describe('refusal reasons and options', () => {
  test('the reason names the range, and for an embedded address the IPv4 address inside', () => {
    const plain = strict.check('10.0.0.5');
    assert.equal(plain.allowed, false);
    assert.match(plain.allowed ? '' : plain.reason, /10\.0\.0\.5 is a private network address/u);
    const mapped = strict.check('::ffff:7f00:1');
    assert.equal(mapped.allowed, false);
    assert.match(mapped.allowed ? '' : mapped.reason, /carries 127\.0\.0\.1 \(ipv4-mapped\), which is a loopback address/u);
  });

  test('text that is not an IP address is refused, not guessed at', () => {
    const verdict = strict.check('localhost');
    assert.equal(verdict.allowed, false);
    assert.equal(classifyAddress('localhost'), null);
  });

  test('allowPrivateNetworks allows loopback and private addresses', () => {
    const open = createAddressPolicy({ allowPrivateNetworks: true });
    for (const address of ['127.0.0.1', '10.0.0.5', '::1', '169.254.169.254']) {
      assert.deepEqual(open.check(address), { allowed: true }, address);
    }
    assert.equal(open.check('not-an-ip').allowed, false);
  });

  test('an allowed private address is allowed in every spelling, and only that address', () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: false, allowedAddresses: ['127.0.0.1'] });
    for (const address of ['127.0.0.1', '127.1', '::ffff:127.0.0.1']) {
      assert.deepEqual(policy.check(address), { allowed: true }, address);
    }
    for (const address of ['127.0.0.2', '10.0.0.5', '::1', '169.254.169.254', '0.0.0.0']) {
      assert.equal(policy.check(address).allowed, false, address);
    }
  });

  test('an allowed address that is not an IP address is a configuration error', () => {
    assert.throws(() => createAddressPolicy({ allowPrivateNetworks: false, allowedAddresses: ['localhost'] }), /not an IP address/u);
  });
});
