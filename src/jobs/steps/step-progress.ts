import { Readable } from 'node:stream';
import { progressMeter, type ProgressMeter, type ReportProgress } from '../../reports/progress.js';
import type { StepDeps } from '../step-deps.js';

/** A meter writing one report's progress through the steps' deps; null when they record none. `rowsSoFar`: see progressMeter. */
export function meterFor(
  deps: Pick<StepDeps, 'progress' | 'now'>,
  reportId: string,
  step: ReportProgress['step'],
  totalBytes: number | null,
  rowsSoFar?: () => number,
): ProgressMeter | null {
  const { progress } = deps;
  if (progress === undefined) return null;
  return progressMeter((value) => progress(reportId, value), step, { totalBytes, rowsSoFar, now: deps.now });
}

/**
 * The same bytes, counted on their way: a generator in front of the parse rather than a 'data'
 * listener, which would start the stream flowing before the parse reads it. Errors and the
 * abort signal of the source reach the reader as before.
 */
export function metered(source: Readable, meter: ProgressMeter): Readable {
  async function* count(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      // as: a file stream without an encoding yields Buffers
      const bytes = chunk as Buffer;
      meter.add(bytes.length);
      yield bytes;
    }
  }
  return Readable.from(count(), { objectMode: false });
}
