import { hexId, intIn, unit } from './prng.js';

/**
 * The fake instance's resources: organizations (with tags), their applications, and sandbox
 * users with applications of their own. Everything derives from the seed; nothing is random.
 */

export interface Organization {
  id: string;
  name: string;
  tags: Record<string, string>;
  memberCount: number;
  applicationIds: string[];
}

export interface SandboxUser {
  id: string;
  name: string;
  applicationIds: string[];
}

export interface Application {
  id: string;
  name: string;
  ownerType: 'organization' | 'user';
  ownerId: string;
  ownerName: string;
  sandbox: boolean;
}

export interface World {
  seed: number;
  instanceId: string;
  organizations: Organization[];
  sandboxUsers: SandboxUser[];
  /** Every application, org-owned and sandbox, sorted by id. */
  applications: Application[];
  applicationsById: Map<string, Application>;
  /** Every organization tag key, sorted (the report's `tag:<key>` columns). */
  tagKeys: string[];
}

// The first two pools guarantee a comma and a double quote in names, so CSV quoting is exercised.
const NAMES_WITH_COMMA = ['Acme Water, Inc.', 'Blue River Farms, LLC', 'Harbor Logistics, Ltd.'];
const NAMES_WITH_QUOTE = ['Northwind "Field Ops" Services', 'The "Smart Building" Co', 'Summit "Peak" Energy'];
const NAMES = [
  'Contoso Manufacturing',
  'Globex Utilities',
  'Initech Cold Chain',
  'Société Générale d’Énergie',
  'Umbrella Agritech',
  'Stark Fleet Telematics',
  'Wayne Smart Cities',
  'Tyrell Greenhouses',
  'Cyberdyne Robotics',
  'Hooli Facilities',
  'Vandelay Industries',
  'Massive Dynamic Labs',
];
const APP_NAMES = [
  'Fleet Tracker',
  'Cold Storage Monitor',
  'Smart Meters',
  'Asset Health',
  'Greenhouse Climate',
  'Pump Stations',
  'Air Quality',
  'Building Energy',
];
const USER_NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Linus Pauling', 'Hedy Lamarr'];
const REGIONS = ['us-east', 'us-west', 'eu-central', 'ap-south'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const COST_CENTERS = ['CC-100', 'CC-200', 'CC-310'];

function organizationName(seed: number, index: number): string {
  const pool = index === 0 ? NAMES_WITH_COMMA : index === 1 ? NAMES_WITH_QUOTE : NAMES;
  const offset = intIn([seed, 'org-name-offset', index === 0 || index === 1 ? index : 2], 0, pool.length - 1);
  const position = index < 2 ? offset : (index - 2 + offset) % pool.length;
  const base = pool[position] ?? `Organization ${index + 1}`;
  const round = index < 2 ? 0 : Math.floor((index - 2) / pool.length);
  return round === 0 ? base : `${base} ${round + 1}`;
}

export function defaultInstanceId(seed: number): string {
  return hexId([seed, 'instance']);
}

export function createWorld(options: { seed: number; organizations: number; organizationNames?: readonly string[]; instanceId?: string }): World {
  const { seed } = options;
  const applications: Application[] = [];

  const organizations = Array.from({ length: options.organizations }, (_, index): Organization => {
    const id = hexId([seed, 'org', index]);
    const name = options.organizationNames?.[index] ?? organizationName(seed, index);
    const tags: Record<string, string> = {
      region: REGIONS[intIn([seed, id, 'region'], 0, REGIONS.length - 1)] ?? 'us-east',
      tier: TIERS[intIn([seed, id, 'tier'], 0, TIERS.length - 1)] ?? 'bronze',
    };
    // Only some organizations carry this tag, so the report shows empty tag cells too.
    if (unit([seed, id, 'has-cost-center']) < 0.5) {
      tags.costCenter = COST_CENTERS[intIn([seed, id, 'cost-center'], 0, COST_CENTERS.length - 1)] ?? 'CC-100';
    }
    const appCount = intIn([seed, id, 'app-count'], 1, 4);
    const applicationIds: string[] = [];
    for (let a = 0; a < appCount; a += 1) {
      const appId = hexId([seed, 'app', id, a]);
      const appName = APP_NAMES[(intIn([seed, id, 'app-name'], 0, APP_NAMES.length - 1) + a) % APP_NAMES.length] ?? 'Application';
      applications.push({ id: appId, name: appName, ownerType: 'organization', ownerId: id, ownerName: name, sandbox: false });
      applicationIds.push(appId);
    }
    return { id, name, tags, memberCount: intIn([seed, id, 'members'], 2, 40), applicationIds };
  });

  const sandboxCount = Math.max(1, Math.ceil(options.organizations / 3));
  const sandboxUsers = Array.from({ length: sandboxCount }, (_, index): SandboxUser => {
    const id = hexId([seed, 'user', index]);
    const base = USER_NAMES[(intIn([seed, 'user-name-offset'], 0, USER_NAMES.length - 1) + index) % USER_NAMES.length] ?? 'User';
    const round = Math.floor(index / USER_NAMES.length);
    const name = round === 0 ? base : `${base} ${round + 1}`;
    const appCount = intIn([seed, id, 'app-count'], 1, 2);
    const applicationIds: string[] = [];
    for (let a = 0; a < appCount; a += 1) {
      const appId = hexId([seed, 'sandbox-app', id, a]);
      applications.push({
        id: appId,
        name: `${name.split(' ')[0] ?? 'My'}'s Sandbox ${a + 1}`,
        ownerType: 'user',
        ownerId: id,
        ownerName: name,
        sandbox: true,
      });
      applicationIds.push(appId);
    }
    return { id, name, applicationIds };
  });

  applications.sort((a, b) => a.id.localeCompare(b.id));
  const tagKeys = [...new Set(organizations.flatMap((org) => Object.keys(org.tags)))].sort();
  return {
    seed,
    instanceId: options.instanceId ?? defaultInstanceId(seed),
    organizations,
    sandboxUsers,
    applications,
    applicationsById: new Map(applications.map((app) => [app.id, app])),
    tagKeys,
  };
}
