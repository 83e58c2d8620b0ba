import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The local working copy of a report while a worker processes it. */
export function workPaths(workDir: string, reportId: string) {
  const dir = join(workDir, reportId);
  return {
    dir,
    csv: join(dir, 'report.csv'),
    part: (index: number) => join(dir, `part-${index}.csv`),
    attachment: join(dir, 'attachment.csv'),
    attachmentGz: join(dir, 'attachment.csv.gz'),
    chart: join(dir, 'chart.png'),
  };
}

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}
