import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SIM_INDEX = new URL('../../src/sim/index.ts', import.meta.url).href;

function exitOf(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${ms} ms`));
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Collects stdout until `pattern` appears. */
function waitForOutput(child: ChildProcess, pattern: RegExp, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in output: ${output}`)), ms);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    });
  });
}

describe('npm run sim (src/sim/cli.ts)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`prints its URL, instance id and token, serves the API, and exits 0 on ${signal}`, async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/sim/cli.ts', '--port', '0', '--token', 'fixed-cli-token', '--seed', '5', '--shape', 'json-urls', '--delay', '50'],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const exited = exitOf(child, 20_000);
      const output = await waitForOutput(child, /LOSANT_API_TOKEN=.*\n/u);
      const url = /LOSANT_API_URL=(\S+)/u.exec(output)?.[1];
      const instanceId = /LOSANT_INSTANCE_ID=(\S+)/u.exec(output)?.[1];
      assert.match(output, /LOSANT_API_TOKEN=fixed-cli-token\n/u);
      assert.match(instanceId ?? '', /^[a-f\d]{24}$/u);
      const response = await fetch(`${url}/instances/${instanceId}`, { headers: { authorization: 'Bearer fixed-cli-token' } });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { id: string }).id, instanceId);
      child.kill(signal);
      assert.equal(await exited, 0);
    });
  }

  test('rejects an unknown callback shape with a usage message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/cli.ts', '--port', '0', '--shape', 'xml'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    assert.equal(await exitOf(child, 20_000), 2);
    assert.match(stderr, /--shape must be one of/u);
  });
});

describe('Simulator.close()', () => {
  test('leaves no handles behind: a process that used every feature exits by itself', async () => {
    // Runs in its own process so that a leaked socket or timer shows as a process that never exits.
    const script = `
      import { createServer } from 'node:http';
      import { startSimulator } from ${JSON.stringify(SIM_INDEX)};
      const receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
      await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const callbackUrl = 'http://127.0.0.1:' + receiver.address().port + '/cb';
      const sim = await startSimulator({ reportDelayMs: 10, faults: { duplicateDelivery: 1 } });
      const headers = { authorization: 'Bearer ' + sim.token, 'content-type': 'application/json' };
      const base = sim.url + '/instances/' + sim.instanceId;
      const patched = await (await fetch(base, { method: 'PATCH', headers, body: JSON.stringify({ reportConfigs: [{ cron: '0 4 1 * *', callbackUrl }, { cron: '0 0 1 1 *' }] }) })).json();
      const accepted = await (await fetch(base + '/generateReport', { method: 'POST', headers, body: JSON.stringify({ callbackUrl }) })).json();
      const job = await sim.waitForJob(accepted.jobId);
      await (await fetch(job.downloadUrl)).text();
      await sim.triggerReportConfig(patched.reportConfigs[0].id);
      await (await fetch(base + '/payloadCountsBreakdown?resolution=3600000', { headers })).json();
      sim.injectFaults({ status: 200, delayMs: 60000, count: 1 });
      void fetch(base, { headers }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sim.close();
      await new Promise((resolve) => receiver.close(resolve));
      console.log('closed', job.callbacks.length);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await exitOf(child, 20_000);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /closed 2/u);
  });
});
