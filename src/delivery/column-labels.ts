/**
 * Human labels for the usage columns of Losant's report CSV. Losant does not publish the column
 * names; these follow the Historical Summary fields, which the CSV most likely mirrors. Unknown
 * columns still get a readable label from their camelCase name.
 */

/** The columns people look at first, in the order they are shown. */
const MAIN_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['payloadBillableCount', 'Billable payloads'],
  ['payloadNonbillableCount', 'Non-billable payloads'],
  ['deviceCount', 'Devices'],
  ['deviceCountProrated', 'Devices (prorated)'],
  ['notebookMinutesCount', 'Notebook minutes'],
  ['notebookRunCount', 'Notebook runs'],
  ['payloadBillableSizeMb', 'Billable payload size (MB)'],
  ['payloadNonbillableSizeMb', 'Non-billable payload size (MB)'],
  ['applicationCount', 'Applications'],
  ['applicationCountProrated', 'Applications (prorated)'],
  ['userCount', 'Users'],
  ['userCountProrated', 'Users (prorated)'],
  ['dashboardCount', 'Dashboards'],
  ['dashboardCountProrated', 'Dashboards (prorated)'],
  ['workflowCount', 'Workflows'],
  ['dataTableCount', 'Data tables'],
  ['dataTableRowCount', 'Data table rows'],
  ['dataTableTotalSizeMb', 'Data table size (MB)'],
  ['fileCount', 'Files'],
  ['fileTotalSizeMb', 'File size (MB)'],
  ['privateFileCount', 'Private files'],
  ['privateFileTotalSizeMb', 'Private file size (MB)'],
  ['notebookCount', 'Notebooks'],
];

const OTHER_LABELS: Record<string, string> = {
  apiTokenCount: 'API tokens',
  applicationKeyCount: 'Application keys',
  certificateAuthorityCount: 'Certificate authorities',
  certificateCount: 'Certificates',
  credentialCount: 'Credentials',
  deviceRecipeCount: 'Device recipes',
  eventCount: 'Events',
  experienceDomainCount: 'Experience domains',
  experienceEndpointCount: 'Experience endpoints',
  experienceGroupCount: 'Experience groups',
  experienceSlugCount: 'Experience slugs',
  experienceUserCount: 'Experience users',
  experienceVersionCount: 'Experience versions',
  experienceViewCount: 'Experience views',
  integrationCount: 'Integrations',
  resourceJobCount: 'Resource jobs',
  webhookCount: 'Webhooks',
  resourceProration: 'Resource proration',
};

const LABELS = new Map<string, string>([...MAIN_COLUMNS, ...Object.entries(OTHER_LABELS)]);
const MAIN_RANK = new Map(MAIN_COLUMNS.map(([column], index) => [column, index]));

export function columnLabel(column: string): string {
  const known = LABELS.get(column);
  if (known) return known;
  const words = column
    .replace(/([a-z\d])([A-Z])/gu, '$1 $2')
    .replace(/[_\s-]+/gu, ' ')
    .trim()
    .toLowerCase()
    .replace(/\bmb\b/gu, '(MB)');
  return words === '' ? column : words.charAt(0).toUpperCase() + words.slice(1);
}

/** Main columns first in their fixed order, then the rest in the order of the CSV header. */
export function orderColumns(columns: readonly string[], fileOrder: readonly string[]): string[] {
  const filePosition = new Map(fileOrder.map((column, index) => [column, index]));
  const rank = (column: string): [number, number] => {
    const main = MAIN_RANK.get(column);
    if (main !== undefined) return [0, main];
    return [1, filePosition.get(column) ?? Number.MAX_SAFE_INTEGER];
  };
  return [...columns].sort((a, b) => {
    const [groupA, posA] = rank(a);
    const [groupB, posB] = rank(b);
    return groupA - groupB || posA - posB || a.localeCompare(b);
  });
}
