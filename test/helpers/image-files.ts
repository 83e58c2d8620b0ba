import { cpSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { argsOf, copiesOf, type Stage } from './dockerfile.js';

/**
 * The files a Dockerfile's runtime stage holds, laid out in `dir` from a built work tree at `root`:
 * each COPY from the build context comes from `root`, each COPY from the build stage from where
 * that stage builds it (its WORKDIR is `root`, after `npm run build`). The runtime stage's
 * `npm ci --omit=dev` is stood in for by a link to `root`'s node_modules (which also holds the
 * dev dependencies: a production module missing from package.json would not be caught here).
 */
export function layOutImageFiles(stages: Stage[], root: string, dir: string): void {
  const runtime = stages.at(-1);
  if (!runtime) throw new Error('the Dockerfile has no stage');
  for (const copy of copiesOf(runtime)) {
    const from = copy.from === undefined ? undefined : stages.find((stage) => stage.name === copy.from);
    if (copy.from !== undefined && !from) throw new Error(`COPY --from=${copy.from}: no such stage`);
    const workdir = from ? argsOf(from, 'WORKDIR').at(-1) : undefined;
    for (const source of copy.sources) {
      const path = join(root, workdir === undefined ? source : posix.relative(workdir, source));
      const isDirectory = statSync(path).isDirectory();
      const target = join(dir, copy.destination.endsWith('/') && !isDirectory ? join(copy.destination, basename(path)) : copy.destination);
      if (isDirectory) mkdirSync(target, { recursive: true });
      cpSync(path, target, { recursive: true });
    }
  }
  if (!argsOf(runtime, 'RUN').some((run) => run.startsWith('npm ci --omit=dev'))) throw new Error('the runtime stage does not install production dependencies');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
}
