import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createRandom } from '../../src/sim/prng.js';
import { REPORT_COLUMNS as SIM_REPORT_COLUMNS } from '../../src/sim/report-rows.js';

/**
 * Writes a synthetic Losant usage report of any size, deterministically from a seed, and returns
 * the figures a parser must reproduce (row count, a column sum, total name length) so a benchmark
 * can check correctness against the generator instead of only against other parsers.
 */

/** The simulator's report columns (the contract the parser relies on), plus two organization tags. */
export const REPORT_COLUMNS = [...SIM_REPORT_COLUMNS, 'tag:region', 'tag:tier'] as const;

export interface GenerateOptions {
  path: string;
  /** Stop after this many data rows... */
  rows?: number;
  /** ...or once the file reaches this many bytes (it ends on a whole row, so slightly above). */
  targetBytes?: number;
  /** Same seed, same file. */
  seed?: number;
  /** Distinct resources per period; rows cycle through them one period (day) at a time. */
  resources?: number;
  lineEnding?: '\n' | '\r\n';
  bom?: boolean;
}

export interface GeneratedReport {
  path: string;
  rows: number;
  bytes: number;
  /** Sum of the payloadBillableCount column over all rows. */
  payloadBillableSum: number;
  /** Sum of resourceName lengths (UTF-16 code units, as String#length) after unquoting. */
  resourceNameChars: number;
}

interface Resource {
  type: 'application' | 'organization';
  id: string;
  name: string;
  ownerType: 'organization' | 'user';
  ownerId: string;
  ownerName: string;
  sandbox: boolean;
  region: string;
  tier: string;
  /** Size of the customer: scales every count so columns correlate like real usage. */
  scale: number;
}

const ADJECTIVES = ['North', 'Blue', 'Rapid', 'Smart', 'Central', 'Quiet', 'Prime', 'Harbor', 'Summit', 'Delta'];
const NOUNS = ['Fleet', 'Plant', 'Depot', 'Greenhouse', 'Pipeline', 'Warehouse', 'Campus', 'Turbines', 'Chillers', 'Meters'];
// Multi-byte names make chunk boundaries fall inside characters, as in real exports.
const PLACES = ['Zürich', 'São Paulo', 'Kraków', '東京', 'Åre', 'Dublin', 'Austin', 'Reykjavík', 'Δελφοί', 'Lyon'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Vandelay'];
const REGIONS = ['us-east', 'us-west', 'eu-central', 'ap-southeast', ''];
const TIERS = ['free', 'standard', 'enterprise'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function hexId(random: () => number): string {
  let id = '';
  for (let i = 0; i < 24; i++) id += Math.floor(random() * 16).toString(16);
  return id;
}

function resourceName(random: () => number, index: number): string {
  const roll = random();
  const base = `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${index}`;
  if (roll < 0.03) return `${pick(random, COMPANIES)}, Inc. ${base}`;
  if (roll < 0.05) return `The "${pick(random, ADJECTIVES)}" ${pick(random, NOUNS)} ${index}`;
  if (roll < 0.15) return `${pick(random, PLACES)} ${base}`;
  return base;
}

function createResources(random: () => number, count: number): Resource[] {
  const owners = Array.from({ length: Math.max(1, Math.floor(count / 8)) }, () => ({
    id: hexId(random),
    name: random() < 0.05 ? `${pick(random, COMPANIES)}, "${pick(random, PLACES)}" Division` : `${pick(random, COMPANIES)} ${pick(random, PLACES)}`,
    type: random() < 0.9 ? ('organization' as const) : ('user' as const),
  }));
  return Array.from({ length: count }, (_, index) => {
    const owner = pick(random, owners);
    return {
      type: random() < 0.85 ? 'application' : 'organization',
      id: hexId(random),
      name: resourceName(random, index),
      ownerType: owner.type,
      ownerId: owner.id,
      ownerName: owner.name,
      sandbox: random() < 0.1,
      region: pick(random, REGIONS),
      tier: pick(random, TIERS),
      scale: random() ** 3,
    };
  });
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2024, 0, 1);

export async function generateReportCsv(options: GenerateOptions): Promise<GeneratedReport> {
  const { rows: maxRows, targetBytes } = options;
  if ((maxRows === undefined) === (targetBytes === undefined)) throw new RangeError('give exactly one of rows or targetBytes');
  const limit = maxRows ?? targetBytes!;
  if (!Number.isFinite(limit) || limit < 0) throw new RangeError(`rows/targetBytes must be a number ≥ 0, got ${limit}`);

  const random = createRandom(options.seed ?? 1);
  const resources = createResources(random, options.resources ?? 5000);
  const eol = options.lineEnding ?? '\n';
  const out = createWriteStream(options.path);
  const result: GeneratedReport = { path: options.path, rows: 0, bytes: 0, payloadBillableSum: 0, resourceNameChars: 0 };
  const count = (max: number, scale: number) => Math.floor(random() * max * scale);
  const mb = (max: number, scale: number) => (random() * max * scale).toFixed(2);

  const done = () => (maxRows !== undefined ? result.rows >= maxRows : result.bytes >= targetBytes!);
  let batch = `${options.bom === true ? '\uFEFF' : ''}${REPORT_COLUMNS.join(',')}${eol}`;
  result.bytes += Buffer.byteLength(batch);
  try {
    for (let day = 0; !done(); day++) {
      const start = new Date(FIRST_DAY + day * DAY_MS).toISOString();
      const end = new Date(FIRST_DAY + (day + 1) * DAY_MS - 1).toISOString();
      for (let i = 0; i < resources.length && !done(); i++) {
        const r = resources[i]!;
        const s = r.scale;
        const billable = count(2_000_000, s);
        const line = [
          r.type,
          r.id,
          csvField(r.name),
          r.ownerType,
          r.ownerId,
          csvField(r.ownerName),
          start,
          end,
          String(r.sandbox),
          count(50_000, s),
          r.type === 'organization' ? 1 + count(40, s) : 1,
          count(200, s),
          count(60, s),
          count(300, s),
          count(20, s),
          count(1_000_000, s),
          count(5_000, s),
          mb(10_000, s),
          count(10, s),
          count(500, s),
          count(3_000, s),
          count(15, s),
          count(25, s),
          count(40, s),
          billable,
          count(100_000, s),
          mb(4_000, s),
          mb(200, s),
          r.region,
          r.tier,
        ].join(',');
        batch += line + eol;
        result.rows++;
        result.bytes += Buffer.byteLength(line) + eol.length;
        result.payloadBillableSum += billable;
        result.resourceNameChars += r.name.length;
        if (batch.length >= 65_536) {
          if (!out.write(batch)) await once(out, 'drain');
          batch = '';
        }
      }
    }
    out.end(batch);
    await finished(out);
  } catch (error) {
    out.destroy();
    throw error;
  }
  return result;
}
