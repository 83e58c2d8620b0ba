import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, settingsOfRole } from '../../src/config.js';
import { SETTINGS, type Setting, type SettingName } from '../../src/config/settings.js';
import { readmeTables, renderExampleEnv, renderReadmeTables } from '../../scripts/lib/config-docs.js';

/**
 * The README's settings tables and config/example.env say what src/config.ts enforces: both are
 * written from the settings table, and the defaults and ranges printed there are checked against
 * the parser itself.
 */

const root = new URL('../../', import.meta.url);
// as: Object.keys gives string[]; SETTINGS is a literal, so its keys are exactly the setting names.
const NAMES = Object.keys(SETTINGS) as SettingName[];
const REQUIRED = {
  PUBLIC_URL: 'https://relay.example.com',
  ADMIN_TOKEN: 'x'.repeat(32),
  LOSANT_API_TOKEN: 'token',
  LOSANT_INSTANCE_ID: '0123456789abcdef01234567',
};
const REGENERATE = 'out of date: run `npm run docs:config` and commit the result';

/** The problems loadConfig reports for `name` with the other settings valid (none: it accepted the value). */
function problemsOf(name: string, value: string): string[] {
  try {
    loadConfig('all', { ...REQUIRED, [name]: value });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.filter((problem) => problem.startsWith(`${name}:`));
  }
}

describe('configuration docs', () => {
  test('config/example.env is written from the settings table', () => {
    assert.equal(readFileSync(new URL('config/example.env', root), 'utf8'), renderExampleEnv(), `config/example.env is ${REGENERATE}`);
  });

  test("the README's settings tables are written from the settings table", () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    assert.equal(readmeTables(readme), renderReadmeTables(), `README.md's settings tables are ${REGENERATE}`);
  });

  test('every setting is documented once in each, and nothing else is', () => {
    const example = readFileSync(new URL('config/example.env', root), 'utf8');
    assert.deepEqual([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gmu)].map((match) => match[1]).sort(), [...NAMES].sort());
    const tables = readmeTables(readFileSync(new URL('README.md', root), 'utf8')) ?? '';
    assert.deepEqual([...tables.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gmu)].map((match) => match[1]).sort(), [...NAMES].sort());
  });

  test('every setting is read by a side, and read into the configuration by src/config.ts', () => {
    const source = readFileSync(new URL('src/config.ts', root), 'utf8');
    for (const name of NAMES) {
      const setting: Setting<unknown> = SETTINGS[name];
      assert.ok(setting.readBy.length > 0, `${name} is read by no side`);
      assert.match(source, new RegExp(`\\bv\\.${name}\\b`, 'u'), `${name} is declared but src/config.ts never reads it`);
    }
    assert.deepEqual(settingsOfRole('all'), NAMES);
  });

  test('a documented default is the value the setting takes when unset', () => {
    const unset = loadConfig('all', REQUIRED);
    for (const name of NAMES) {
      const setting: Setting<unknown> = SETTINGS[name];
      if (!('default' in setting)) continue;
      assert.deepEqual(loadConfig('all', { ...REQUIRED, [name]: String(setting.default) }), unset, name);
    }
  });

  test('a documented range is the one enforced: both ends accepted, one past each refused', () => {
    let checked = 0;
    for (const name of NAMES) {
      const setting: Setting<unknown> = SETTINGS[name];
      const { range } = setting.kind;
      if (!range) continue;
      checked += 1;
      const refused = (value: number) => problemsOf(name, String(value)).some((problem) => problem.includes('must be a whole number'));
      assert.ok(!refused(range.min), `${name}=${range.min}`);
      assert.ok(refused(range.min - 1), `${name}=${range.min - 1}`);
      assert.ok(!refused(range.max), `${name}=${range.max}`);
      if (range.max < Number.MAX_SAFE_INTEGER) assert.ok(refused(range.max + 1), `${name}=${range.max + 1}`);
      assert.ok(refused(range.min + 0.5), `${name}=${range.min + 0.5}`);
    }
    assert.ok(checked >= 25, `only ${checked} whole-number settings`);
  });
});
