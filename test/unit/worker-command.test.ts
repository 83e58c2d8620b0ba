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

  test('the worker exposes gc to the downloader and keeps WebAssembly on its baseline compiler, and carries no other setting', () => {
    const { env, nodeArgs } = parseProcfileCommand(procfile, 'worker');
    // Each setting is kept only where the pipeline bench misses its memory target without it (bench/README.md).
    assert.deepEqual(env, {});
    assert.deepEqual([...nodeArgs].sort(), ['--expose-gc', '--no-wasm-dynamic-tiering', '--no-wasm-tier-up']);
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
