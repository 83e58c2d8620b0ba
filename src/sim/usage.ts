import { PAYLOAD_TYPES, type PayloadType } from '../losant/response-schemas.js';
import { createRandom, hash32, intIn, splitByWeights, unit } from './prng.js';

/**
 * Daily usage of one application, generated on demand from (seed, application, UTC day). Every
 * endpoint and the report CSV read these same numbers, so they always agree.
 */

export { PAYLOAD_TYPES, type PayloadType };

/** Sources each payload type can come from, and its typical size in bytes. */
const PAYLOAD_PROFILE: Record<PayloadType, { sources: string[]; bytes: number; daily: number }> = {
  appFile: { sources: ['flow.flow'], bytes: 40_000, daily: 5 },
  dataTable: { sources: ['flow.flow', 'api.rest'], bytes: 600, daily: 300 },
  deviceCreate: { sources: ['api.rest', 'flow.flow'], bytes: 900, daily: 2 },
  deviceCommand: { sources: ['flow.flow', 'api.rest'], bytes: 200, daily: 150 },
  deviceConnect: { sources: ['device.mqtt'], bytes: 120, daily: 60 },
  deviceDisconnect: { sources: ['device.mqtt'], bytes: 120, daily: 60 },
  deviceState: { sources: ['device.mqtt', 'device.rest', 'flow.flow'], bytes: 350, daily: 4_000 },
  endpoint: { sources: ['public.rest'], bytes: 700, daily: 800 },
  event: { sources: ['flow.flow'], bytes: 450, daily: 20 },
  flowError: { sources: ['flow.flow'], bytes: 1_200, daily: 4 },
  inboundEmail: { sources: ['public.smtp'], bytes: 8_000, daily: 3 },
  integration: { sources: ['integration.mqtt', 'integration.gcpPubSub'], bytes: 500, daily: 900 },
  mqttIn: { sources: ['device.mqtt'], bytes: 250, daily: 1_500 },
  mqttOut: { sources: ['device.mqtt'], bytes: 250, daily: 300 },
  notebook: { sources: ['notebook.execution'], bytes: 2_000, daily: 2 },
  resourceJob: { sources: ['flow.flow'], bytes: 300, daily: 10 },
  timer: { sources: ['timer.flow'], bytes: 150, daily: 1_440 },
  virtualButton: { sources: ['user.rest'], bytes: 180, daily: 6 },
  webhook: { sources: ['public.rest'], bytes: 900, daily: 700 },
};

/**
 * Which payload types count against the payload limit. Losant does not publish the list; the
 * simulator treats connection events, errors, file/table/job bookkeeping and device creation
 * as non-billable.
 */
export const NON_BILLABLE_TYPES: ReadonlySet<PayloadType> = new Set([
  'appFile',
  'dataTable',
  'deviceCreate',
  'deviceConnect',
  'deviceDisconnect',
  'flowError',
  'resourceJob',
]);

export interface PayloadCell {
  type: PayloadType;
  source: string;
  billable: boolean;
  count: number;
  bytes: number;
}

export interface NotebookDay {
  minutes: number;
  completed: number;
  canceled: number;
  errored: number;
  timeout: number;
}

/** Resource counts at the end of a day (levels, not flows). */
export const STATIC_METRICS = [
  'dashboardCount',
  'workflowCount',
  'dataTableCount',
  'dataTableRowCount',
  'dataTableTotalBytes',
  'fileCount',
  'fileTotalBytes',
  'privateFileCount',
  'privateFileTotalBytes',
  'notebookCount',
  'integrationCount',
  'webhookCount',
  'experienceEndpointCount',
  'experienceDomainCount',
  'experienceGroupCount',
  'experienceSlugCount',
  'experienceUserCount',
  'experienceVersionCount',
  'experienceViewCount',
  'apiTokenCount',
  'applicationKeyCount',
  'certificateAuthorityCount',
  'certificateCount',
  'credentialCount',
  'deviceRecipeCount',
  'eventCount',
  'resourceJobCount',
] as const;
export type StaticMetric = (typeof STATIC_METRICS)[number];

const STATIC_RANGE: Record<StaticMetric, [number, number]> = {
  dashboardCount: [1, 12],
  workflowCount: [2, 40],
  dataTableCount: [0, 6],
  dataTableRowCount: [0, 50_000],
  dataTableTotalBytes: [0, 30_000_000],
  fileCount: [0, 200],
  fileTotalBytes: [0, 500_000_000],
  privateFileCount: [0, 20],
  privateFileTotalBytes: [0, 40_000_000],
  notebookCount: [0, 4],
  integrationCount: [0, 5],
  webhookCount: [0, 6],
  experienceEndpointCount: [0, 60],
  experienceDomainCount: [0, 2],
  experienceGroupCount: [0, 10],
  experienceSlugCount: [0, 3],
  experienceUserCount: [0, 500],
  experienceVersionCount: [1, 5],
  experienceViewCount: [0, 80],
  apiTokenCount: [0, 8],
  applicationKeyCount: [0, 10],
  certificateAuthorityCount: [0, 2],
  certificateCount: [0, 4],
  credentialCount: [0, 6],
  deviceRecipeCount: [0, 5],
  eventCount: [0, 300],
  resourceJobCount: [0, 3],
};

export interface DailyUsage {
  /** Devices at the end of the day, and created/deleted during it (total = yesterday + created - deleted). */
  devices: { total: number; created: number; deleted: number };
  payloads: PayloadCell[];
  notebook: NotebookDay;
  statics: Record<StaticMetric, number>;
}

interface Profile {
  deviceBase: number;
  usesNotebooks: boolean;
  payloadScale: number;
  streams: Array<{ type: PayloadType; source: string; daily: number; bytes: number; billable: boolean }>;
  staticBase: number[];
}

export function createUsage(seed: number) {
  // What an application is (its size, the payload types and sources it uses, its resource
  // counts) never changes, so it is worked out once; each day then needs one hash per kind of
  // figure, whose seeded sequence gives that day's numbers.
  const profiles = new Map<string, Profile>();
  const profileOf = (appId: string): Profile => {
    let profile = profiles.get(appId);
    if (profile !== undefined) return profile;
    profile = {
      deviceBase: intIn([seed, appId, 'device-base'], 5, 400),
      usesNotebooks: unit([seed, appId, 'uses-notebooks']) >= 0.4,
      payloadScale: 0.2 + unit([seed, appId, 'payload-scale']) * 3,
      streams: [],
      staticBase: STATIC_METRICS.map((metric) => intIn([seed, appId, metric], ...STATIC_RANGE[metric])),
    };
    for (const type of PAYLOAD_TYPES) {
      // Every application sends device state; other types are used by some applications only.
      if (type !== 'deviceState' && unit([seed, appId, 'uses', type]) < 0.35) continue;
      const typeProfile = PAYLOAD_PROFILE[type];
      for (const source of typeProfile.sources) {
        if (source !== typeProfile.sources[0] && unit([seed, appId, 'uses', type, source]) < 0.5) continue;
        profile.streams.push({ type, source, daily: typeProfile.daily, bytes: typeProfile.bytes, billable: !NON_BILLABLE_TYPES.has(type) });
      }
    }
    profiles.set(appId, profile);
    return profile;
  };
  const randomFor = (appId: string, kind: string, period: number) => createRandom(hash32([seed, appId, kind, period]));
  const between = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const deviceTotal = (appId: string, day: number): number => {
    const base = profileOf(appId).deviceBase;
    return base + between(randomFor(appId, 'devices', day), 0, Math.max(1, Math.floor(base / 20)));
  };

  const devices = (appId: string, day: number): DailyUsage['devices'] => {
    const total = deviceTotal(appId, day);
    const delta = total - deviceTotal(appId, day - 1);
    const churn = between(randomFor(appId, 'device-churn', day), 0, 2);
    return { total, created: Math.max(0, delta) + churn, deleted: Math.max(0, -delta) + churn };
  };

  const payloads = (appId: string, day: number): PayloadCell[] => {
    const profile = profileOf(appId);
    const random = randomFor(appId, 'payloads', day);
    const weekday = new Date(day * 86_400_000).getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.6 : 1;
    // Each application's traffic has a level of its own each UTC month (70% to 130%), so month over
    // month some organizations grow and some shrink, as on a real instance.
    const date = new Date(day * 86_400_000);
    const monthly = 0.7 + unit([seed, appId, 'payload-month', date.getUTCFullYear() * 12 + date.getUTCMonth()]) * 0.6;
    const cells: PayloadCell[] = [];
    for (const stream of profile.streams) {
      const jitter = 0.7 + random() * 0.6;
      const sizeJitter = 0.8 + random() * 0.4;
      const count = Math.floor(stream.daily * profile.payloadScale * monthly * weekly * jitter);
      if (count === 0) continue;
      cells.push({ type: stream.type, source: stream.source, billable: stream.billable, count, bytes: Math.round(count * stream.bytes * sizeJitter) });
    }
    return cells;
  };

  const notebook = (appId: string, day: number): NotebookDay => {
    if (!profileOf(appId).usesNotebooks) return { minutes: 0, completed: 0, canceled: 0, errored: 0, timeout: 0 };
    const random = randomFor(appId, 'notebook', day);
    const completed = between(random, 0, 6);
    const errored = random() < 0.15 ? 1 : 0;
    const canceled = random() < 0.05 ? 1 : 0;
    const timeout = random() < 0.03 ? 1 : 0;
    const runs = completed + errored + canceled + timeout;
    const perRun = between(random, 1, 9);
    return { minutes: runs * perRun, completed, canceled, errored, timeout };
  };

  const statics = (appId: string, day: number): Record<StaticMetric, number> => {
    const base = profileOf(appId).staticBase;
    // Counts drift a little month to month (30-day steps); sizes and table rows day to day.
    const monthly = randomFor(appId, 'statics-month', Math.floor(day / 30));
    const daily = randomFor(appId, 'statics-day', day);
    const result = {} as Record<StaticMetric, number>; // as: every metric is set below
    STATIC_METRICS.forEach((metric, index) => {
      const max = STATIC_RANGE[metric][1];
      const byDay = metric.endsWith('Bytes') || metric === 'dataTableRowCount';
      const drift = byDay ? Math.floor(daily() * Math.max(1, Math.floor(max / 50))) : between(monthly, 0, 2);
      result[metric] = (base[index] ?? 0) + drift;
    });
    return result;
  };

  return {
    /** Everything an application did on one UTC day (day = whole days since the epoch). */
    daily(appId: string, day: number): DailyUsage {
      return { devices: devices(appId, day), payloads: payloads(appId, day), notebook: notebook(appId, day), statics: statics(appId, day) };
    },
    devices,
    payloads,
    notebook,
    statics,
    /** 24 hourly shares of a day's payloads (the same weights split counts and bytes). */
    hourWeights(appId: string, day: number): number[] {
      const random = randomFor(appId, 'hours', day);
      return Array.from({ length: 24 }, (_, hour) => (1 + Math.sin(((hour - 6) / 24) * 2 * Math.PI) * 0.5) * (0.5 + random()));
    },
    splitByHour(total: number, weights: number[]): number[] {
      return splitByWeights(total, weights);
    },
  };
}

export type Usage = ReturnType<typeof createUsage>;
