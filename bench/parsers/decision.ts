/**
 * The issue's rule: keep the incumbent unless another parser is at least `minSpeedup` times its
 * throughput AND equally correct. "Equally correct" is read strictly: it passes as many cases and
 * fails none that the incumbent passes, because a parser that trades a loud failure (rejecting
 * a file) for a silent one (corrupting rows) is not equally correct even if the counts tie.
 */
export interface ParserStanding {
  name: string;
  /** Median throughput over the kept runs. */
  mbPerSecond: number;
  /** Names of the correctness cases it failed. */
  failed: string[];
}

export interface Decision {
  /** The parser to use: the incumbent or the fastest qualifying alternative. */
  choice: string;
  lines: string[];
}

export function decideParser(input: { incumbent: string; standings: ParserStanding[]; total: number; minSpeedup: number }): Decision {
  const incumbent = input.standings.find((s) => s.name === input.incumbent);
  if (incumbent === undefined) throw new RangeError(`incumbent ${input.incumbent} has no figures`);
  const passed = (s: ParserStanding) => input.total - s.failed.length;
  const lines: string[] = [];
  const qualifying: Array<{ name: string; speedup: number }> = [];
  for (const candidate of input.standings) {
    if (candidate === incumbent) continue;
    const speedup = candidate.mbPerSecond / incumbent.mbPerSecond;
    const fastEnough = speedup >= input.minSpeedup;
    const newFailures = candidate.failed.filter((name) => !incumbent.failed.includes(name));
    const correctEnough = passed(candidate) >= passed(incumbent) && newFailures.length === 0;
    if (fastEnough && correctEnough) qualifying.push({ name: candidate.name, speedup });
    lines.push(
      `${candidate.name}: ${speedup.toFixed(2)}× ${incumbent.name}'s MB/s (needs ≥ ${input.minSpeedup}×: ${fastEnough ? 'yes' : 'no'}); ` +
        `passes ${passed(candidate)}/${input.total} correctness cases against ${passed(incumbent)}/${input.total}` +
        (newFailures.length > 0 ? `, fails ${newFailures.map((n) => `"${n}"`).join(', ')} which ${incumbent.name} passes` : '') +
        ` (${correctEnough ? 'equally correct' : 'less correct'}).`,
    );
  }
  const best = qualifying.sort((a, b) => b.speedup - a.speedup)[0];
  if (best === undefined) {
    lines.push(`Decision: keep ${incumbent.name} (no alternative is both ≥ ${input.minSpeedup}× as fast and equally correct).`);
    return { choice: incumbent.name, lines };
  }
  lines.push(`Decision: switch to ${best.name} (${best.speedup.toFixed(2)}× ${incumbent.name}'s MB/s and equally correct).`);
  return { choice: best.name, lines };
}
