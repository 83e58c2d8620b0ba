import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { aptInstallsOf, argsOf, copiesOf, envOf, execForm, healthcheckOf, readDockerfile } from '../helpers/dockerfile.js';
import { procfileArgv, SCRIPTS } from '../helpers/procfile.js';

/*
 * The Dockerfile read as text (no Docker engine needed): a build stage with every dependency, a
 * slim runtime stage with production dependencies, dist/ and the files the built process reads,
 * run by a user other than root, starting the Procfile's web command. image-web.test.ts runs that
 * command from the same file set.
 */

const stages = readDockerfile(new URL('../../Dockerfile', import.meta.url));
const runtime = stages.at(-1)!;
const build = stages.find((stage) => stage.name === 'build');

describe('the Dockerfile', () => {
  test('builds dist/ in a stage with the dev dependencies', () => {
    assert.ok(build, 'a stage named build');
    const runs = argsOf(build, 'RUN');
    assert.ok(
      runs.some((run) => /^npm ci\b/u.test(run) && !run.includes('--omit=dev')),
      'npm ci with dev dependencies (the compiler)',
    );
    assert.ok(runs.some((run) => run.includes('npm run build')));
  });

  test('the runtime stage is node 20 slim with production dependencies only and NODE_ENV=production', () => {
    assert.notEqual(runtime, build, 'the image is not the build stage');
    assert.equal(runtime.base, 'node:20-bookworm-slim');
    const installs = argsOf(runtime, 'RUN').filter((run) => /\bnpm (ci|install|i)\b/u.test(run));
    assert.ok(installs.length > 0, 'it installs its dependencies');
    for (const install of installs) assert.match(install, /^npm ci --omit=dev\b/u);
    assert.equal(envOf(runtime).NODE_ENV, 'production');
  });

  test('the runtime stage copies dist/ from the build, package.json and the dashboard assets', () => {
    const copies = copiesOf(runtime);
    assert.ok(
      copies.some((copy) => copy.from === 'build' && copy.sources.includes('/app/dist')),
      'dist/ from the build stage',
    );
    assert.ok(copies.some((copy) => copy.from === undefined && copy.sources.includes('package.json')));
    assert.ok(copies.some((copy) => copy.from === undefined && copy.sources.includes('src/ui/assets') && copy.destination === './src/ui/assets'));
    assert.ok(!copies.some((copy) => copy.from === undefined && copy.sources.some((source) => source === '.' || source === 'src')), 'not the whole tree');
  });

  test('installs the font the email chart draws its text with, without recommends or package lists left behind', () => {
    const fonts = aptInstallsOf(runtime).find((install) => install.name === 'fonts-liberation');
    assert.ok(fonts, 'fonts-liberation is installed in the runtime stage');
    assert.match(fonts.run, /\bapt-get update\b/u, 'the package lists are fetched in the same RUN');
    assert.match(fonts.run, /apt-get install -y --no-install-recommends\b/u);
    assert.match(fonts.run, /&& rm -rf \/var\/lib\/apt\/lists\/\*$/u, 'the lists are removed in the same layer');
    const installedAt = runtime.instructions.findIndex((instruction) => instruction.keyword === 'RUN' && instruction.args === fonts.run);
    const userAt = runtime.instructions.findIndex((instruction) => instruction.keyword === 'USER');
    assert.ok(installedAt < userAt, 'installed as root, before USER');
  });

  test('runs as a user other than root', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    assert.ok(user, 'a USER instruction');
    assert.doesNotMatch(user, /^(root|0)(:|$)/u);
  });

  test("starts the Procfile's web command, which is npm run start:web's", () => {
    const cmd = argsOf(runtime, 'CMD');
    assert.equal(cmd.length, 1);
    assert.deepEqual(execForm(cmd[0]!), procfileArgv('web'));
    assert.equal(SCRIPTS['start:web'], procfileArgv('web').join(' '));
    assert.equal(argsOf(runtime, 'ENTRYPOINT').length, 0, 'no entrypoint in front of the command');
  });

  test('checks its health on /healthz with node alone (image-web.test.ts runs the check)', () => {
    const command = healthcheckOf(runtime);
    assert.equal(command[0], 'node');
    assert.match(command.join(' '), /\/healthz/u);
  });

  test('.dockerignore keeps secrets and local state out of the build context, and nothing the build copies', () => {
    const ignored = readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const path of ['.env', '.git', 'node_modules', 'dist', 'data']) assert.ok(ignored.includes(path), path);
    const copied = stages.flatMap((stage) => copiesOf(stage).filter((copy) => copy.from === undefined)).flatMap((copy) => copy.sources);
    for (const source of copied) {
      assert.ok(!ignored.some((entry) => source === entry || source.startsWith(`${entry}/`)), `${source} is copied but ignored`);
    }
  });
});
