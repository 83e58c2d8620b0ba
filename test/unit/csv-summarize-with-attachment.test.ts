import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { neutralizeCsv } from '../../src/csv/neutralize.js';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import { summarizeWithAttachment } from '../../src/csv/summarize-with-attachment.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { PermanentError } from '../../src/errors.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const FIXTURES = [
  'org-daily-tags.csv',
  'app-monthly-sandbox.csv',
  'quoted-names.csv',
  'bom-crlf.csv',
  'formula-injection.csv',
  'formula-cr.csv',
  'ragged.csv',
  'header-only.csv',
  'empty.csv',
];

const withDir = <T>(run: (dir: string) => Promise<T>) => withTempDir('report-relay-attachment-', run);

describe('summarizing with the attachment from the same parse', () => {
  test('the attachment is byte for byte what neutralizeCsv writes, and the summary is unchanged', async () => {
    await withDir(async (dir) => {
      for (const name of FIXTURES) {
        const path = join(dir, `${name}.attachment`);
        const summary = await summarizeWithAttachment(createReadStream(fixtureUrl(name)), LIMITS, { plain: path });
        assert.deepEqual(summary, await summarizeReportCsv(createReadStream(fixtureUrl(name)), LIMITS), name);
        assert.equal(await readFile(path, 'utf8'), await text(neutralizeCsv(createReadStream(fixtureUrl(name)), LIMITS)), name);
      }
    });
  });

  test('a report with thousands of rows, blank lines and a multi-line cell late in the file matches too', async () => {
    const lines = ['resourceId,resourceName,payloadBillableCount'];
    for (let i = 0; i < 5000; i++) lines.push(i === 4000 ? `id${i},"=two\nlines",${i}` : i % 997 === 0 ? '' : `id${i},Plant ${i},${i}`);
    const csv = `${lines.join('\n')}\n`;
    await withDir(async (dir) => {
      const path = join(dir, 'attachment.csv');
      const summary = await summarizeWithAttachment(Readable.from([csv]), LIMITS, { plain: path });
      assert.equal(summary.rows, 4994);
      assert.equal(await readFile(path, 'utf8'), await text(neutralizeCsv(Readable.from([csv]), LIMITS)));
    });
  });

  test('with a gzip path, the gzip copy holds exactly the attachment, written from the same parse', async () => {
    // 3 MB: many 64 KiB batches, so the compressor's back-pressure is exercised along the way.
    const lines = ['resourceId,resourceName,payloadBillableCount'];
    for (let i = 0; i < 60_000; i++) lines.push(`id${i},${i % 50 === 0 ? '=cmd|calc' : `Plant ${i}`},${i}`);
    const csv = `${lines.join('\n')}\n`;
    await withDir(async (dir) => {
      const plain = join(dir, 'attachment.csv');
      const gzip = join(dir, 'attachment.csv.gz');
      const summary = await summarizeWithAttachment(Readable.from([csv]), LIMITS, { plain, gzip });
      assert.equal(summary.rows, 60_000);
      const attachment = await readFile(plain);
      assert.ok(attachment.includes("'=cmd|calc"), 'the neutralized text is what gets compressed');
      assert.ok(gunzipSync(await readFile(gzip)).equals(attachment));
      assert.deepEqual((await readdir(dir)).sort(), ['attachment.csv', 'attachment.csv.gz']);
    });
  });

  test('when the CSV breaks a limit, the summary fails and no attachment, gzip copy or temporary file is left', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'attachment.csv');
      const wide = `${Array.from({ length: 50 }, (_, i) => `c${i}`).join(',')}\n`;
      await assert.rejects(summarizeWithAttachment(Readable.from([wide]), { maxColumns: 10, maxFieldBytes: 1024 }, { plain: path }), PermanentError);
      await assert.rejects(
        summarizeWithAttachment(Readable.from([wide]), { maxColumns: 10, maxFieldBytes: 1024 }, { plain: path, gzip: `${path}.gz` }),
        PermanentError,
      );
      assert.deepEqual(await readdir(dir), []);
    });
  });
});
