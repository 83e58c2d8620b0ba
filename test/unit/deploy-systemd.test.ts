import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { procfileArgv } from '../helpers/procfile.js';
import { readUnit, type Unit } from '../helpers/systemd-unit.js';

/*
 * The systemd unit examples in docs/: the Procfile's commands with their node flags, restarted on
 * failure, configured from an environment file, and confined to DATA_DIR.
 */

const docs = new URL('../../docs/', import.meta.url);
const units: Record<'web' | 'worker', Unit> = {
  web: readUnit(new URL('report-relay-web.service', docs)),
  worker: readUnit(new URL('report-relay-worker@.service', docs)),
};

const only = (unit: Unit, key: string): string | undefined => {
  const values = unit.Service?.[key];
  assert.ok(values?.length === 1, `one ${key}= line`);
  return values[0];
};

describe('the systemd units', () => {
  for (const [role, unit] of Object.entries(units) as Array<['web' | 'worker', Unit]>) {
    describe(role, () => {
      test("runs the Procfile's command with node's absolute path", () => {
        const words = only(unit, 'ExecStart')?.split(/\s+/u) ?? [];
        assert.match(words[0] ?? '', /^\/.*\/node$/u);
        assert.deepEqual(['node', ...words.slice(1)], procfileArgv(role));
        assert.ok(only(unit, 'WorkingDirectory')?.startsWith('/'), 'dist/ is found from an absolute working directory');
      });

      test('reads an environment file, restarts on failure, and is hardened', () => {
        const service = unit.Service!;
        assert.ok(only(unit, 'EnvironmentFile')?.startsWith('/'));
        assert.equal(only(unit, 'Restart'), 'on-failure');
        assert.equal(only(unit, 'NoNewPrivileges'), 'yes');
        assert.equal(only(unit, 'ProtectSystem'), 'strict');
        assert.equal(only(unit, 'PrivateTmp'), 'yes');
        assert.ok(only(unit, 'User') && only(unit, 'User') !== 'root');
        assert.equal(service.MemoryDenyWriteExecute, undefined, "V8's compilers need writable executable memory");
      });

      test('may write to DATA_DIR only, and NODE_ENV is production', () => {
        const environment = new Map(unit.Service?.Environment?.map((assignment) => assignment.split('=', 2) as [string, string]));
        const dataDir = environment.get('DATA_DIR') ?? '';
        assert.match(dataDir, /^\//u, 'an absolute DATA_DIR');
        assert.deepEqual(only(unit, 'ReadWritePaths')?.split(/\s+/u), [dataDir]);
        assert.equal(environment.get('NODE_ENV'), 'production');
        // ProtectSystem=strict leaves the working directory read-only: the default DATA_DIR (./data) could not be written.
        assert.ok(!dataDir.startsWith(only(unit, 'WorkingDirectory')!));
      });
    });
  }
});
