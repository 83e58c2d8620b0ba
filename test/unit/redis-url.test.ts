import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeRedisTarget, parseRedisUrl } from '../../src/redis-url.js';
import { testConfig } from '../helpers/config.js';

describe('REDIS_URL', () => {
  test('one server: redis:// and rediss://', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6379/2'), { kind: 'server', url: 'redis://127.0.0.1:6379/2', tls: false });
    assert.equal(parseRedisUrl('rediss://user:pw@redis.internal:6380').tls, true);
    assert.equal(describeRedisTarget(parseRedisUrl('rediss://user:secret@redis.internal:6380')), 'rediss://redis.internal:6380');
  });

  test('Sentinel: the sentinels, the master name, the database and both passwords', () => {
    const target = parseRedisUrl('redis+sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster/3?sentinelPassword=s3cret&sentinelUsername=watch');
    assert.deepEqual(target, {
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      masterName: 'mymaster',
      db: 3,
      username: 'app',
      password: 'p@ss',
      sentinelUsername: 'watch',
      sentinelPassword: 's3cret',
      tls: false,
    });
    assert.equal(describeRedisTarget(target), 'redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,[::1]:26380/mymaster');
    assert.equal(parseRedisUrl('rediss+sentinel://:pw@h:26379/m').tls, true);
  });

  test('Cluster: the seed nodes (default port 6379) and the password every node takes', () => {
    const target = parseRedisUrl('redis+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2,[::1]:7002');
    assert.deepEqual(target, {
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: false,
    });
    assert.equal(describeRedisTarget(target), 'redis+cluster://10.0.0.1:7000,10.0.0.2:6379,[::1]:7002');
    assert.deepEqual(parseRedisUrl('rediss+cluster://:pw@redis.internal:6380/'), {
      kind: 'cluster',
      nodes: [{ host: 'redis.internal', port: 6380 }],
      password: 'pw',
      tls: true,
    });
    assert.deepEqual(parseRedisUrl('redis+cluster://h:7000/0'), { kind: 'cluster', nodes: [{ host: 'h', port: 7000 }], tls: false });
  });

  test('a wrong URL is refused with what is wrong, never the password', () => {
    const cases: Array<[string, RegExp]> = [
      [
        'http://127.0.0.1:6379',
        /must start with redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/, rediss\+sentinel:\/\/, redis\+cluster:\/\/ or rediss\+cluster:\/\//u,
      ],
      ['redis+sentinel://h1:26379,h2:26379', /a Sentinel URL is redis\+sentinel:\/\//u],
      ['redis+sentinel://h1:99999/m', /"h1:99999" has no valid port/u],
      ['redis+sentinel://h1/m/x', /database .* 0 to 15/u],
      ['redis+sentinel://h1/bad name', /master name/u],
      ['redis+sentinel://:topsecret@h1/m?password=x', /unknown option "password"/u],
      ['redis+cluster://', /a Cluster URL is redis\+cluster:\/\//u],
      ['redis+cluster://:topsecret@h1:7000,h2:70000', /"h2:70000" has no valid port/u],
      ['redis+cluster://:topsecret@h1:7000/3', /database 0 only/u],
      ['redis+cluster://:topsecret@h1:7000?password=x', /unknown option "password" \(a Cluster URL takes none\)/u],
      ['redis+cluster://%zz:topsecret@h1:7000', /user name is not valid percent-encoding/u],
    ];
    for (const [url, expected] of cases) {
      assert.throws(() => parseRedisUrl(url), expected, url);
      assert.throws(
        () => testConfig({ REDIS_URL: url }),
        (error: Error) => error.message.includes('REDIS_URL') && expected.test(error.message) && !error.message.includes('topsecret'),
        url,
      );
    }
  });
});
