import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseProcfileCommand } from '../../bench/lib/worker-command.js';

const root = new URL('../../', import.meta.url);
const procfile = readFileSync(new URL('Procfile', root), 'utf8');
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the worker command line', () => {
  test('npm run start:worker and npm start run node with the Procfile worker settings (the pipeline bench measures those)', () => {
    const worker = parseProcfileCommand(procfile, 'worker');
    assert.equal(worker.script, 'dist/src/worker.js');
    assert.deepEqual(parseProcfileCommand(`worker: ${scripts['start:worker']}`, 'worker'), worker);
    assert.deepEqual(parseProcfileCommand(`all: ${scripts.start}`, 'all'), { ...worker, script: 'dist/src/main.js' });
  });

  test('the worker caps the young and old generations, exposes gc to the downloader and keeps WebAssembly on its baseline compiler', () => {
    const { env, nodeArgs } = parseProcfileCommand(procfile, 'worker');
    assert.deepEqual(env, { MALLOC_MMAP_THRESHOLD_: '65536' });
    assert.ok(nodeArgs.some((arg) => /^--max-semi-space-size=\d+$/u.test(arg)));
    assert.ok(nodeArgs.some((arg) => /^--max-old-space-size=\d+$/u.test(arg)));
    assert.ok(nodeArgs.includes('--no-wasm-tier-up') && nodeArgs.includes('--no-wasm-dynamic-tiering'));
    assert.ok(nodeArgs.includes('--expose-gc'), 'src/download/young-garbage.ts does nothing without it');
  });

  test('a Procfile line is read as environment, node flags and script', () => {
    assert.deepEqual(parseProcfileCommand('web: node dist/src/web.js\nworker: A=1 B=x=y node --a=1 --b dist/w.js\n', 'worker'), {
      env: { A: '1', B: 'x=y' },
      nodeArgs: ['--a=1', '--b'],
      script: 'dist/w.js',
    });
    assert.deepEqual(parseProcfileCommand('web: node dist/src/web.js\n', 'web'), { env: {}, nodeArgs: [], script: 'dist/src/web.js' });
    assert.throws(() => parseProcfileCommand('web: node a.js\n', 'worker'), /no "worker:" line/u);
    assert.throws(() => parseProcfileCommand('worker: bash run.sh\n', 'worker'), /does not run node/u);
    assert.throws(() => parseProcfileCommand('worker: node a.js --flag\n', 'worker'), /not "node \[flags\] <script>"/u);
  });
});
