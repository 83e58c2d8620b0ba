import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mergeCsvParts } from '../../src/jobs/merge-parts.js';

let dir: string;

async function merge(...contents: string[]): Promise<string> {
  const parts = await Promise.all(
    contents.map(async (content, i) => {
      const path = join(dir, `part-${i}-${Math.random()}.csv`);
      await writeFile(path, content);
      return path;
    }),
  );
  const destination = join(dir, `merged-${Math.random()}.csv`);
  await mergeCsvParts(parts, destination);
  return readFile(destination, 'utf8');
}

describe('joining a report delivered in several parts', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'merge-parts-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('later parts that repeat the header have it dropped', async () => {
    assert.equal(await merge('a,b\n1,2\n', 'a,b\n3,4\n', 'a,b\r\n5,6\r\n'), 'a,b\n1,2\n3,4\n5,6\r\n');
  });

  test('a later part with another first line keeps it', async () => {
    assert.equal(await merge('a,b\n1,2\n', '3,4\n'), 'a,b\n1,2\n3,4\n');
  });

  test('a part without a final newline is not glued to the next part', async () => {
    assert.equal(await merge('a,b\n1,2', 'a,b\n3,4'), 'a,b\n1,2\n3,4');
  });
});
