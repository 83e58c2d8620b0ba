import { parseArgs } from 'node:util';
import { createLogger } from '../log.js';
import { startSimulator } from './index.js';
import { CALLBACK_SHAPES, type CallbackShape } from './types.js';
import { errorMessage } from '../errors.js';

/**
 * `npm run sim`: a Losant Instance API simulator for local runs and demos.
 * Options: --port (default 4100), --host, --token, --seed, --delay (ms before the callback),
 * --shape (callback body shape), --orgs. Everything comes from the command line: the simulator
 * is a development tool, not part of the service's configuration, which only src/config.ts reads
 * from the environment.
 */

function usage(message: string): never {
  console.error(
    `${message}\nUsage: npm run sim -- [--port 4100] [--host 127.0.0.1] [--token T] [--seed 1] [--delay 200] [--shape ${CALLBACK_SHAPES.join('|')}] [--orgs 6]`,
  );
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) usage(`--${name} must be a whole number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        seed: { type: 'string' },
        delay: { type: 'string' },
        shape: { type: 'string' },
        orgs: { type: 'string' },
      },
    }));
  } catch (error) {
    usage(errorMessage(error));
  }
  const shape = values.shape ?? 'json-url';
  // as: asked of the list of shapes, then used only if it is one.
  if (!CALLBACK_SHAPES.includes(shape as CallbackShape)) usage(`--shape must be one of ${CALLBACK_SHAPES.join(', ')}`);

  const sim = await startSimulator({
    port: integer('port', values.port, 4100),
    host: values.host ?? '127.0.0.1',
    seed: integer('seed', values.seed, 1),
    reportDelayMs: integer('delay', values.delay, 200),
    organizations: integer('orgs', values.orgs, 6),
    callbackShape: shape as CallbackShape, // as: checked against the list above
    logger: createLogger({ name: 'losant-sim', level: 'info' }),
    ...(values.token !== undefined ? { token: values.token } : {}),
  });
  console.log(`Losant simulator listening on ${sim.url}`);
  console.log(`LOSANT_API_URL=${sim.url}`);
  console.log(`LOSANT_INSTANCE_ID=${sim.instanceId}`);
  console.log(`LOSANT_API_TOKEN=${sim.token}`);

  const shutdown = (signal: string) => {
    console.log(`${signal} received, closing the simulator`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
