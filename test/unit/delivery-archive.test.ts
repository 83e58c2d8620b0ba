import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { createFileArchive } from '../../src/delivery/file-archive.js';
import { ArchiveKeyError, assertValidArchiveKey } from '../../src/delivery/archive.js';
import { NotFoundError } from '../../src/errors.js';

const sha256 = (content: Buffer | string) => createHash('sha256').update(content).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file below `dir`, relative, so tests can see stray temp files. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

void describe('file archive', () => {
  let workDir: string;
  let root: string;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'delivery-archive-'));
    // Nested, so that a key escaping the root would still land inside workDir where the test looks.
    root = join(workDir, 'nest', 'archive');
  });

  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  void test('a stored buffer can be stat-ed and read back, with its sha256 and size', async () => {
    const archive = createFileArchive(root);
    const content = 'resourceId,deviceCount\r\nabc,3\r\n';
    const key = 'reports/2026/11/rep_1/summary.json';

    const stored = await archive.putBuffer(key, content);

    assert.equal(stored.key, key);
    assert.equal(stored.sha256, sha256(content));
    assert.equal(stored.bytes, Buffer.byteLength(content));
    assert.equal(stored.location, `file:${join(root, key)}`);
    assert.deepEqual(await archive.stat(key), stored);
    assert.equal((await readAll(await archive.openRead(key))).toString('utf8'), content);
    assert.equal(await readFile(join(root, key), 'utf8'), content);
  });

  void test('putFile copies a file and reports the sha256 of its bytes', async () => {
    const archive = createFileArchive(root);
    const source = join(workDir, 'source.csv');
    const content = randomBytes(300_000);
    await writeFile(source, content);

    const stored = await archive.putFile('reports/2026/11/rep_2/report.csv', source);

    assert.equal(stored.sha256, sha256(content));
    assert.equal(stored.bytes, content.length);
    assert.ok((await readFile(join(root, 'reports/2026/11/rep_2/report.csv'))).equals(content));
  });

  void test('the description names the archive root and nothing else', () => {
    assert.equal(createFileArchive(root).description, `file:${root}`);
  });

  void test('putting the same content twice is fine and leaves one file', async () => {
    const archive = createFileArchive(root);
    const first = await archive.putBuffer('idempotent/report.csv', 'same bytes');
    const second = await archive.putBuffer('idempotent/report.csv', 'same bytes');

    assert.deepEqual(second, first);
    assert.deepEqual(await listFiles(join(root, 'idempotent')), ['report.csv']);
  });

  void test('concurrent puts of the same key end with one complete file and no temp files', async () => {
    const archive = createFileArchive(root);
    const versions = Array.from({ length: 8 }, (_, index) => Buffer.alloc(512 * 1024, index + 1));

    const results = await Promise.all(versions.map((content) => archive.putBuffer('race/report.csv', content)));

    const final = await readFile(join(root, 'race/report.csv'));
    assert.ok(
      versions.some((content) => content.equals(final)),
      'the stored file is exactly one of the versions, not a mix',
    );
    assert.ok(results.some((result) => result.sha256 === sha256(final)));
    assert.deepEqual(await listFiles(join(root, 'race')), ['report.csv']);
  });

  void test('concurrent putFile of one key from several sources ends with one whole source and no temp files', async () => {
    const archive = createFileArchive(root);
    // 2.5 MiB crosses the copy buffer's size; the empty file has no chunk at all.
    const contents = [randomBytes(2.5 * 1024 * 1024), Buffer.alloc(0), randomBytes(10)];
    const sources = await Promise.all(
      contents.map(async (content, index) => {
        const path = join(workDir, `race-source-${index}.csv`);
        await writeFile(path, content);
        return path;
      }),
    );

    const results = await Promise.all(sources.map((source) => archive.putFile('file-race/report.csv', source)));

    results.forEach((result, index) => {
      assert.equal(result.sha256, sha256(contents[index]!));
      assert.equal(result.bytes, contents[index]!.length);
    });
    const final = await readFile(join(root, 'file-race/report.csv'));
    assert.ok(
      contents.some((content) => content.equals(final)),
      'the stored file is exactly one of the sources',
    );
    assert.deepEqual(await listFiles(join(root, 'file-race')), ['report.csv']);
  });

  void test('a failed put leaves neither the object nor a temp file', async () => {
    const archive = createFileArchive(root);

    await assert.rejects(archive.putFile('failed/report.csv', join(workDir, 'does-not-exist.csv')), { code: 'ENOENT' });

    assert.equal(await archive.stat('failed/report.csv'), null);
    assert.deepEqual(await listFiles(join(root, 'failed')), []);
  });

  void test('a missing key stats as null and cannot be opened', async () => {
    const archive = createFileArchive(root);
    await archive.putBuffer('present/report.csv', 'x');

    assert.equal(await archive.stat('absent/report.csv'), null);
    assert.equal(await archive.stat('present/report.csv/deeper'), null);
    assert.equal(await archive.stat('present'), null, 'a directory is not an object');
    await assert.rejects(archive.openRead('absent/report.csv'), NotFoundError);
    await assert.rejects(archive.openRead('present'), NotFoundError);
  });

  void test('keys that could escape the root or clash with temp files are refused', async () => {
    const archive = createFileArchive(root);
    await mkdir(root, { recursive: true });
    const badKeys = [
      '',
      join(workDir, 'absolute.csv'),
      '../outside.csv',
      'reports/../../../outside.csv',
      'reports/./report.csv',
      'reports//report.csv',
      'reports/',
      '.hidden',
      'reports/.report.csv.abc.tmp',
      'reports\\report.csv',
      'reports/r\u00e9port.csv',
      'reports/report csv',
      'reports/report\u0000.csv',
      'reports/report\r\n.csv',
      'a'.repeat(1025),
    ];
    for (const key of badKeys) {
      assert.throws(() => assertValidArchiveKey(key), ArchiveKeyError, `key ${JSON.stringify(key)}`);
      await assert.rejects(archive.putBuffer(key, 'x'), ArchiveKeyError, `putBuffer ${JSON.stringify(key)}`);
      await assert.rejects(archive.stat(key), ArchiveKeyError, `stat ${JSON.stringify(key)}`);
      await assert.rejects(archive.openRead(key), ArchiveKeyError, `openRead ${JSON.stringify(key)}`);
    }
    const written = await listFiles(workDir);
    assert.ok(!written.some((file) => /absolute|outside|\.hidden|report csv/u.test(file)), written.join(', '));
  });

  void test('ordinary report keys are accepted', () => {
    for (const key of ['reports/2026/11/rep_1/report.csv', 'a', 'a-b_c.d/e.f.gz', 'x/y/z/2026-11-26T04.55.00Z.csv']) {
      assert.doesNotThrow(() => assertValidArchiveKey(key), key);
    }
  });

  void test('a 50 MB file is archived by streaming, with the right sha256', async () => {
    const archive = createFileArchive(root);
    const source = join(workDir, 'big.csv');
    const expected = createHash('sha256');
    const block = randomBytes(1024 * 1024);
    const out = createWriteStream(source);
    for (let i = 0; i < 50; i += 1) {
      const chunk = Buffer.concat([Buffer.from(`block ${i}\n`), block]);
      expected.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const digest = expected.digest('hex');

    const stored = await archive.putFile('big/report.csv', source);

    assert.equal(stored.sha256, digest);
    assert.ok(stored.bytes > 50 * 1024 * 1024);
    assert.equal((await archive.stat('big/report.csv'))?.sha256, digest);
    const readBack = createHash('sha256');
    for await (const chunk of await archive.openRead('big/report.csv')) readBack.update(chunk as Buffer);
    assert.equal(readBack.digest('hex'), digest);
    assert.deepEqual(await listFiles(join(root, 'big')), ['report.csv']);
  });
});
