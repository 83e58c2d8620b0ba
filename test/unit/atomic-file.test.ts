import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { copyFileAtomically, hashFile, tempFileFor, writeFileAtomically } from '../../src/files/atomic-file.js';
import { withTempDir } from '../helpers/temp-dir.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const inTempDir = (run: (dir: string) => Promise<void>) => withTempDir('atomic-file-', run);

/** A stream that gives some bytes, then fails. */
function failingStream(): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from('half a file');
      await Promise.resolve();
      throw new Error('source broke');
    })(),
  );
}

void describe('atomic files', () => {
  void test('a buffer, a string and a stream are written whole, with their sha256 and size', async () => {
    await inTempDir(async (dir) => {
      for (const [name, content, text] of [
        ['buffer.txt', Buffer.from('a buffer'), 'a buffer'],
        ['string.txt', 'a string', 'a string'],
        ['stream.txt', Readable.from([Buffer.from('a '), 'stream']), 'a stream'],
      ] as const) {
        const written = await writeFileAtomically(join(dir, 'sub', name), content, { durable: name === 'stream.txt' });
        assert.deepEqual(written, { sha256: sha256(text), bytes: Buffer.byteLength(text) });
        assert.equal(await readFile(join(dir, 'sub', name), 'utf8'), text);
      }
      assert.deepEqual((await readdir(join(dir, 'sub'))).sort(), ['buffer.txt', 'stream.txt', 'string.txt']);
    });
  });

  void test('a new file replaces the previous one', async () => {
    await inTempDir(async (dir) => {
      const target = join(dir, 'report.csv');
      await writeFileAtomically(target, 'old');
      await writeFileAtomically(target, 'new', { durable: true });
      assert.equal(await readFile(target, 'utf8'), 'new');
      assert.deepEqual(await readdir(dir), ['report.csv']);
    });
  });

  void test('a failed write leaves the previous file as it was and no temp file behind', async () => {
    await inTempDir(async (dir) => {
      const target = join(dir, 'report.csv');
      await writeFile(target, 'previous');
      await assert.rejects(writeFileAtomically(target, failingStream()), /source broke/u);
      await assert.rejects(writeFileAtomically(join(dir, 'fresh.csv'), failingStream(), { durable: true }), /source broke/u);
      assert.equal(await readFile(target, 'utf8'), 'previous');
      assert.deepEqual(await readdir(dir), ['report.csv']);
    });
  });

  void test('a copy is whole and hashed; a failed copy leaves no temp file', async () => {
    await inTempDir(async (dir) => {
      const source = join(dir, 'source.bin');
      const content = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      await writeFile(source, content);
      const written = await copyFileAtomically(source, join(dir, 'copy', 'target.bin'), { durable: true });
      assert.deepEqual(written, { sha256: sha256(content), bytes: content.length });
      assert.ok((await readFile(join(dir, 'copy', 'target.bin'))).equals(content));
      assert.deepEqual(await hashFile(source), written);

      await assert.rejects(copyFileAtomically(join(dir, 'missing.bin'), join(dir, 'copy', 'other.bin')), { code: 'ENOENT' });
      assert.deepEqual(await readdir(join(dir, 'copy')), ['target.bin']);
    });
  });

  void test('a temp file is beside its target under a hidden name, and commit or discard leaves only the target', async () => {
    await inTempDir(async (dir) => {
      const target = join(dir, 'attachment.csv');
      const first = tempFileFor(target);
      const second = tempFileFor(target);
      assert.notEqual(first.path, second.path);
      assert.match(first.path.slice(dir.length + 1), /^\.attachment\.csv\.[0-9a-f]+\.tmp$/u);
      await writeFile(first.path, 'kept');
      await writeFile(second.path, 'dropped');
      await first.commit();
      await second.discard();
      await second.discard();
      assert.deepEqual(await readdir(dir), ['attachment.csv']);
      assert.equal(await readFile(target, 'utf8'), 'kept');
    });
  });
});
