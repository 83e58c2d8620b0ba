import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { createAddressPolicy } from '../../../src/download/address-policy.js';
import { DownloadError } from '../../../src/download/errors.js';
import { createGuardedLookup } from '../../../src/download/guarded-connector.js';
import { createHostAllowlist } from '../../../src/download/host-allowlist.js';
import { createTargetPolicy } from '../../../src/download/target-policy.js';
import type { ReportRecord } from '../../../src/reports/record.js';
import {
  rawRequest,
  retryNotes,
  startFileServer,
  startHarness,
  startTrap,
  stubLookup,
  urlCallback,
  type FileServer,
  type Harness,
  type Trap,
} from './harness.js';

/*
 * Item 10: a callback naming a download URL can never make the service connect to this machine
 * or a private network. The service runs with DOWNLOAD_ALLOW_PRIVATE_NETWORKS=false; the loopback
 * spellings are put on DOWNLOAD_ALLOWED_HOSTS on purpose, so that the address rule alone has to
 * refuse them (the allowlist is tested on its own with a name it does not list). Trap listeners
 * on loopback count every connection: there must be none.
 *
 * The one allowed name, files.allowed.test, is stub-resolved to 127.0.0.2 and only that address
 * is exempted (StepOverrides.allowedPrivateAddresses), so a real file can be served while
 * 127.0.0.1 and ::1 stay refused. Addresses off this machine are checked at the guard with a
 * stub resolver at the end of this file and never dialed; the downloader's own tests
 * (test/integration/download-ssrf.test.ts, test/unit/download-address-policy.test.ts) cover
 * rebinding and every special-purpose range.
 */

const ALLOWED = 'files.allowed.test';
const PRIVATE_DNS = 'private-dns.allowed.test';
const UNLISTED = 'evil.test';
const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';

let harness: Harness;
let site: FileServer;
let traps: Trap[] = [];
let trap4: Trap;
let trap6: Trap | undefined;
let trapExempt: Trap;
let trapClosedPort: Trap;
const resolver = stubLookup({ [ALLOWED]: '127.0.0.2', [PRIVATE_DNS]: '127.0.0.1', [UNLISTED]: '127.0.0.2' });

const trapConnections = (): number => traps.reduce((sum, trap) => sum + trap.connections, 0);

/** Sends a callback naming `url` and waits for the report to end. */
async function reportFor(url: string): Promise<ReportRecord> {
  const report = await harness.newReport();
  const callback = urlCallback(url);
  const response = await rawRequest(report.callbackUrl, callback);
  assert.equal(response.status, 202);
  return harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized']);
}

async function expectRefused(url: string, code: string, message: RegExp): Promise<void> {
  const before = trapConnections();
  const record = await reportFor(url);
  assert.equal(record.status, 'failed', `${url}: ${record.status}`);
  assert.equal(record.error?.step, 'download', url);
  assert.equal(record.error?.code, code, `${url}: ${record.error?.message}`);
  assert.equal(record.error?.permanent, true, url);
  assert.match(record.error?.message ?? '', message, url);
  assert.equal(retryNotes(record.history), 0, `${url}: a refusal is never retried`);
  await sleep(20);
  assert.equal(trapConnections(), before, `${url}: a trap saw a connection`);
}

describe('SSRF through the whole service', () => {
  before(async () => {
    trap4 = (await startTrap('127.0.0.1'))!;
    trap6 = (await startTrap('::1', trap4.port)) ?? (await startTrap('::1'));
    trapExempt = (await startTrap('127.0.0.2', trap4.port)) ?? (await startTrap('127.0.0.2'))!;
    site = await startFileServer('127.0.0.2');
    const allowedPorts = [trap4.port, trap6?.port, trapExempt.port, site.port].filter((port): port is number => port !== undefined);
    do trapClosedPort = (await startTrap('127.0.0.2'))!;
    while (allowedPorts.includes(trapClosedPort.port));
    traps = [trap4, trapExempt, trapClosedPort, ...(trap6 ? [trap6] : [])];

    site.route('/ok.csv', (_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(CSV));
    site.route('/hop', (_req, res) => res.writeHead(302, { location: '/ok.csv' }).end());

    harness = await startHarness({
      name: 'sec-ssrf',
      env: {
        DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'false',
        DOWNLOAD_ALLOWED_HOSTS: [ALLOWED, PRIVATE_DNS, '127.0.0.1', 'localhost', '0.0.0.0', '[::1]', '[::ffff:127.0.0.1]'].join(','),
        DOWNLOAD_ALLOWED_PORTS: [...new Set(allowedPorts)].join(','),
        DOWNLOAD_CONNECT_TIMEOUT_MS: '1000',
        JOB_ATTEMPTS: '3',
      },
      overrides: { lookup: resolver.lookup, allowedPrivateAddresses: ['127.0.0.2'] },
    });
  });
  after(async () => {
    await harness.close();
    await site.close();
    await sleep(50);
    assert.equal(trapConnections(), 0, 'no connection ever reached a trap');
    for (const trap of traps) await trap.close();
  });

  test('the allowed host serves a report, directly and through a same-host redirect (the refusals below are not blanket ones)', async () => {
    for (const path of ['/ok.csv', '/hop']) {
      const record = await reportFor(`http://${ALLOWED}:${site.port}${path}`);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      assert.equal(record.summary?.rows, 1);
    }
  });

  const loopbackCases: Array<[string, () => string]> = [
    ['127.0.0.1', () => `http://127.0.0.1:${trap4.port}/r.csv`],
    ['localhost', () => `http://localhost:${trap4.port}/r.csv`],
    ['0.0.0.0', () => `http://0.0.0.0:${trap4.port}/r.csv`],
    ['[::1]', () => `http://[::1]:${(trap6 ?? trap4).port}/r.csv`],
    ['[::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${trap4.port}/r.csv`],
    ['decimal 2130706433', () => `http://2130706433:${trap4.port}/r.csv`],
    ['octal 0177.0.0.1', () => `http://0177.0.0.1:${trap4.port}/r.csv`],
    ['hex 0x7f000001', () => `http://0x7f000001:${trap4.port}/r.csv`],
    ['mixed 0x7f.1', () => `http://0x7f.1:${trap4.port}/r.csv`],
    ['https to 127.0.0.1', () => `https://127.0.0.1:${trap4.port}/r.csv`],
  ];
  for (const [name, url] of loopbackCases) {
    test(`a download URL at ${name} fails the report permanently and connects nowhere`, async () => {
      await expectRefused(url(), 'download_private_address', /refusing to connect to .*(loopback|unspecified)/u);
    });
  }

  test('an allowed name whose DNS answer is private fails the report and connects nowhere', async () => {
    await expectRefused(
      `http://${PRIVATE_DNS}:${trap4.port}/r.csv`,
      'download_private_address',
      /"private-dns\.allowed\.test": 127\.0\.0\.1 is a loopback address/u,
    );
    assert.ok(resolver.questions.includes(PRIVATE_DNS), 'the name was resolved by the stub');
  });

  test('a host that is not on the allowlist is refused before any lookup, even when its address would be allowed', async () => {
    const asked = resolver.questions.length;
    await expectRefused(`http://${UNLISTED}:${trapExempt.port}/r.csv`, 'download_host_not_allowed', /"evil\.test" is not allowed/u);
    assert.equal(resolver.questions.slice(asked).includes(UNLISTED), false, 'the unlisted name was never resolved');
  });

  test('a port that is not allowed is refused on an allowed host', async () => {
    await expectRefused(`http://${ALLOWED}:${trapClosedPort.port}/r.csv`, 'download_port_not_allowed', new RegExp(`port ${trapClosedPort.port}`, 'u'));
  });

  test('credentials in a download URL are refused', async () => {
    await expectRefused(`http://user:pass@${ALLOWED}:${site.port}/ok.csv`, 'download_bad_url', /user name or password/u);
  });

  test('file:, ftp: and data: URLs are never fetched: the report ends with a permanent reason that names the scheme', async () => {
    for (const [url, scheme] of [
      ['file:///etc/passwd', 'file:'],
      [`ftp://${ALLOWED}:${trapExempt.port}/r.csv`, 'ftp:'],
      ['data:text/csv;base64,YSxiCjEsMgo=', 'data:'],
    ] as const) {
      const before = trapConnections();
      const record = await reportFor(url);
      assert.ok(['failed', 'unrecognized'].includes(record.status), `${url}: ${record.status}`);
      assert.equal(record.error?.permanent, true);
      assert.ok(record.error?.message.includes(scheme), `${url}: ${record.error?.message}`);
      assert.equal(record.download, null, 'nothing was downloaded');
      assert.equal(retryNotes(record.history), 0);
      assert.equal(trapConnections(), before);
    }
  });

  const redirects: Array<[string, () => string, string, RegExp]> = [
    ['127.0.0.1', () => `http://127.0.0.1:${trap4.port}/`, 'download_private_address', /loopback/u],
    ['localhost', () => `http://localhost:${trap4.port}/`, 'download_private_address', /loopback/u],
    ['[::1]', () => `http://[::1]:${(trap6 ?? trap4).port}/`, 'download_private_address', /loopback/u],
    ['decimal 2130706433', () => `http://2130706433:${trap4.port}/`, 'download_private_address', /loopback/u],
    ['an allowed name with a private DNS answer', () => `http://${PRIVATE_DNS}:${trap4.port}/`, 'download_private_address', /private-dns/u],
    ['an unlisted host', () => `http://${UNLISTED}:${trapExempt.port}/`, 'download_host_not_allowed', /evil\.test/u],
    ['a port that is not allowed', () => `http://${ALLOWED}:${trapClosedPort.port}/`, 'download_port_not_allowed', /port/u],
    ['file:///etc/passwd', () => 'file:///etc/passwd', 'download_bad_scheme', /not file:/u],
    ['a data: URL', () => 'data:text/csv,a%2Cb', 'download_bad_scheme', /not data:/u],
  ];
  for (const [name, target, code, message] of redirects) {
    test(`an allowed host redirecting to ${name} fails the report after one request and connects nowhere else`, async () => {
      const path = `/redirect-${redirects.findIndex(([other]) => other === name)}`;
      site.route(path, (_req, res) => res.writeHead(302, { location: target() }).end());
      const served = site.requests.length;
      await expectRefused(`http://${ALLOWED}:${site.port}${path}`, code, message);
      assert.deepEqual(site.requests.slice(served), [path], 'only the redirecting request reached the allowed host');
    });
  }
});

describe('addresses off this machine are refused at the guard (stub resolver, never dialed)', () => {
  const offMachine: Record<string, string> = {
    'ten.example': '10.1.2.3',
    'class-b.example': '172.16.5.4',
    'home.example': '192.168.1.1',
    'metadata.example': '169.254.169.254',
    'cgnat.example': '100.64.0.1',
    'ula.example': 'fd00::1',
    'link-local6.example': 'fe80::1',
    'mapped.example': '::ffff:10.0.0.1',
  };
  const resolve: LookupFunction = (hostname, options, callback) => {
    const address = offMachine[hostname] ?? (hostname === 'public.example' ? '93.184.215.14' : undefined);
    if (address === undefined) {
      callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      return;
    }
    const family = address.includes(':') ? 6 : 4;
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  // The policy the service builds from DOWNLOAD_ALLOW_PRIVATE_NETWORKS=false (its default).
  const policy = createAddressPolicy({ allowPrivateNetworks: false });
  const guarded = createGuardedLookup(policy, resolve);
  const lookup = (hostname: string) =>
    new Promise<{ error: Error | null; address: unknown }>((done) => guarded(hostname, { all: true }, (error, address) => done({ error, address })));

  test('names resolving to private, link-local, metadata, CGNAT and unique-local addresses fail the lookup', async () => {
    for (const [hostname, address] of Object.entries(offMachine)) {
      const { error } = await lookup(hostname);
      assert.ok(error instanceof DownloadError, hostname);
      assert.equal(error.code, 'download_private_address');
      assert.equal(error.retryable, false);
      assert.ok(error.message.includes(hostname) && error.message.includes(address.replace('::ffff:', '')), error.message);
    }
    const publicAnswer = await lookup('public.example');
    assert.equal(publicAnswer.error, null, 'a public answer passes: the guard is not refusing everything');
  });

  test('the same addresses written into the URL are refused by the target check, before any lookup', () => {
    const targets = createTargetPolicy({
      allowlist: createHostAllowlist(['10.1.2.3', '172.16.5.4', '192.168.1.1', '169.254.169.254', '[fd00::1]', '[::ffff:10.0.0.1]', '93.184.215.14']),
      allowedPorts: [80, 443],
      addressPolicy: policy,
    });
    for (const url of [
      'http://10.1.2.3/',
      'http://172.16.5.4/',
      'https://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[fd00::1]/',
      'http://[::ffff:10.0.0.1]/',
    ]) {
      assert.throws(
        () => targets.check(new URL(url)),
        (error: unknown) => error instanceof DownloadError && error.code === 'download_private_address',
        url,
      );
    }
    assert.doesNotThrow(() => targets.check(new URL('https://93.184.215.14/r.csv')));
  });
});
