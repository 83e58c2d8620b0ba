/**
 * Load generator of the intake bench, a process of its own (never the server's):
 *   node --import tsx load.ts <base URL[,base URL...]> <targets.json> <connections> <seconds> <warmup seconds> <accepted-ids out file>
 * Several base URLs (web processes behind no balancer) share the connections round-robin.
 * Each request is the next distinct callback from targets.json (its own report and secret), so
 * dedupe never answers from a shortcut. The ids of 202 answers are written out, for the harness
 * to check that each one is in Redis. Prints one JSON line (IntakeLoadResult).
 */
import { readFile, writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export interface IntakeTarget {
  path: string;
  body: string;
}

export interface IntakeLoadResult {
  /** 2xx answers per second of the measured phase (warm-up excluded). */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  measuredSeconds: number;
  answered2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Every status seen, warm-up included. */
  statuses: Record<string, number>;
  /** Targets handed out (warm-up included); above the list's length means some were sent twice. */
  targetsUsed: number;
  exhausted: boolean;
}

const [url = '', targetsFile = '', connectionsText = '100', secondsText = '10', warmupText = '2', acceptedFile = ''] = process.argv.slice(2);
const targets = JSON.parse(await readFile(targetsFile, 'utf8')) as IntakeTarget[];
if (targets.length === 0) throw new Error('no targets');

let next = 0;
let exhausted = false;
const accepted: string[] = [];
const statuses: Record<string, number> = {};
const connections = Number(connectionsText);
const warmupSeconds = Number(warmupText);

const urls = url.split(',');
const result = await autocannon({
  url: urls.length === 1 ? urls[0]! : urls,
  connections,
  duration: Number(secondsText),
  ...(warmupSeconds > 0 ? { warmup: { connections, duration: warmupSeconds } } : {}),
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'losant-callback-bench' },
      setupRequest(request) {
        const target = targets[next] ?? targets[targets.length - 1]!;
        if (next >= targets.length) exhausted = true;
        next += 1;
        request.path = target.path;
        request.body = target.body;
        return request;
      },
      onResponse(status, body) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) accepted.push((JSON.parse(body) as { reportId: string }).reportId);
      },
    },
  ],
});

await writeFile(acceptedFile, JSON.stringify(accepted));
const output: IntakeLoadResult = {
  requestsPerSecond: result['2xx'] / result.duration,
  latencyP50Ms: result.latency.p50,
  latencyP99Ms: result.latency.p99,
  latencyMeanMs: result.latency.mean,
  measuredSeconds: result.duration,
  answered2xx: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statuses,
  targetsUsed: next,
  exhausted,
};
console.log(JSON.stringify(output));
