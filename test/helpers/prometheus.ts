/**
 * Reads Prometheus's text exposition (what GET /metrics answers) into samples, and fetches it.
 *
 *   const scrape = await scrapeMetrics(`${url}/metrics`, token);
 *   sampleValue(scrape, 'report_relay_callbacks_total', { outcome: 'accepted' }); // summed over the other labels
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  text: string;
  samples: Sample[];
  /** Names declared by `# TYPE` lines, with their type (counter, gauge, histogram, ...). */
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/u;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/gu;

export function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice('# TYPE '.length).split(' ');
      if (name !== undefined && type !== undefined) types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/gu, (_all, char: string) => (char === 'n' ? '\n' : char));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { text, samples, types };
}

/** The sum of the samples named `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
}

/** Every label value of every sample. */
export function labelValues(scrape: Scrape): string[] {
  return scrape.samples.flatMap((sample) => Object.values(sample.labels));
}

/** GET `url` with the bearer token; throws unless it answers 200 in the exposition format. */
export async function scrapeMetrics(url: string, token: string): Promise<Scrape> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/plain; version=0.0.4')) throw new Error(`${url}: not the exposition format`);
  return parseExposition(text);
}

/** The metric names a scrape declares, histogram series (_bucket, _sum, _count) included. */
export function exposedNames(scrape: Scrape): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of scrape.types) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}
