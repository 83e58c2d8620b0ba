import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CompiledTree {
  /** Where the compiled twin of a .ts file of the repository is. */
  jsPath(tsPath: string): string;
  /** The compiled child probe, for runChild's `compiled` option. */
  probe: string;
}

/**
 * Compiles src/ and the given bench folders to plain JavaScript (tsc, no type check), as
 * `npm run build` does for production, so a child's peak RSS is that of the service as deployed,
 * not of tsx compiling it on the fly (tsx adds 20-40 MB). Takes a few seconds.
 */
export async function compileTree(repoDir: string, outDir: string, benchDirs: readonly string[]): Promise<CompiledTree> {
  await mkdir(outDir, { recursive: true });
  const config = {
    extends: join(repoDir, 'tsconfig.json'),
    compilerOptions: { noEmit: false, noCheck: true, outDir, rootDir: repoDir, sourceMap: false, incremental: false, types: [] },
    include: [join(repoDir, 'src'), join(repoDir, 'bench/lib'), ...benchDirs.map((dir) => join(repoDir, dir))],
  };
  const project = join(outDir, 'tsconfig.bench.json');
  await writeFile(project, JSON.stringify(config));
  await run(join(repoDir, 'node_modules/.bin/tsc'), ['-p', project], { cwd: repoDir });
  // The compiled files are ES modules and import packages: give them the repository's.
  await writeFile(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(join(repoDir, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const jsPath = (tsPath: string) => join(outDir, relative(repoDir, tsPath)).replace(/\.ts$/u, '.js');
  return { jsPath, probe: jsPath(join(repoDir, 'bench/lib/child-probe.ts')) };
}
