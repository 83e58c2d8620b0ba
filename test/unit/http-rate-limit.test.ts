import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientKey } from '../../src/http/rate-limit.js';

describe('rate limit client key', () => {
  test('an IPv4 address is its own key, also when it arrives IPv4-mapped', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::FFFF:cb00:7107'), '203.0.113.7');
  });

  test('IPv6 addresses in one /64 share a key, whatever their spelling', () => {
    const a = clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    assert.equal(a, '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0DB8:0001:0002::1'), a);
    assert.equal(clientKey('2001:db8:1:2::'), a);
    assert.equal(clientKey('2001:db8:1:2:1:2:3.4.5.6'), a);
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });

  test('IPv6 addresses in different /64s have different keys', () => {
    assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
    assert.notEqual(clientKey('2001:db8::1'), clientKey('2001:db9::1'));
  });

  test('no address, or something that is not one, has a key of its own that cannot collide with an address', () => {
    assert.equal(clientKey(undefined), 'unknown');
    assert.equal(clientKey(''), 'unknown');
    assert.equal(clientKey('not an address'), 'unknown');
  });
});
