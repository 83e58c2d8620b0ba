/**
 * Human labels for the columns of Losant's report CSV, shared by the summary (TopList.label) and
 * the email (totals), so one column is called the same everywhere. Losant does not publish the
 * column names; the fixed labels follow the Historical Summary fields, which the CSV most likely
 * mirrors. Unknown columns still get a readable label from their name.
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
  ['dataTableTotalSizeMb', 'Data table storage (MB)'],
  ['fileCount', 'Files'],
  ['fileTotalSizeMb', 'File storage (MB)'],
  ['privateFileCount', 'Private files'],
  ['privateFileTotalSizeMb', 'Private file storage (MB)'],
  ['notebookCount', 'Notebooks'],
];

const OTHER_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['resourceType', 'Resource type'],
  ['resourceId', 'Resource ID'],
  ['resourceName', 'Resource'],
  ['ownerType', 'Owner type'],
  ['ownerId', 'Owner ID'],
  ['ownerName', 'Owner'],
  ['currentPeriodStart', 'Period start'],
  ['currentPeriodEnd', 'Period end'],
  ['sandbox', 'Sandbox'],
  ['apiTokenCount', 'API tokens'],
  ['applicationKeyCount', 'Application keys'],
  ['certificateAuthorityCount', 'Certificate authorities'],
  ['certificateCount', 'Certificates'],
  ['credentialCount', 'Credentials'],
  ['deviceRecipeCount', 'Device recipes'],
  ['eventCount', 'Events'],
  ['experienceDomainCount', 'Experience domains'],
  ['experienceEndpointCount', 'Experience endpoints'],
  ['experienceGroupCount', 'Experience groups'],
  ['experienceSlugCount', 'Experience slugs'],
  ['experienceUserCount', 'Experience users'],
  ['experienceVersionCount', 'Experience versions'],
  ['experienceViewCount', 'Experience views'],
  ['integrationCount', 'Integrations'],
  ['resourceJobCount', 'Resource jobs'],
  ['webhookCount', 'Webhooks'],
  ['resourceProration', 'Resource proration'],
];

const LABELS = new Map<string, string>([...MAIN_COLUMNS, ...OTHER_LABELS]);
const MAIN_RANK = new Map(MAIN_COLUMNS.map(([column], index) => [column, index]));

// Written in capitals wherever they appear in a generated label.
const ACRONYMS = new Map<string, string>([
  ['id', 'ID'],
  ['mb', 'MB'],
  ['kb', 'KB'],
  ['gb', 'GB'],
  ['url', 'URL'],
  ['api', 'API'],
  ['mqtt', 'MQTT'],
]);
// A unit as the last word is shown as a unit: "someSizeMb" → "Some size (MB)".
const UNITS = new Set(['MB', 'KB', 'GB']);

function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/gu, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/gu, '$1 $2')
    .split(/[\s_-]+/u)
    .filter((word) => word !== '');
}

function sentenceCase(name: string): string {
  const words = wordsOf(name).map((word) => {
    const acronym = ACRONYMS.get(word.toLowerCase());
    if (acronym !== undefined) return acronym;
    return /^[A-Z\d]{2,}$/u.test(word) ? word : word.toLowerCase();
  });
  const last = words.at(-1);
  if (words.length > 1 && last !== undefined && UNITS.has(last)) words[words.length - 1] = `(${last})`;
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A human label for a CSV column: known report columns get a fixed label ("Billable payloads"),
 * `tag:<key>` columns become "Tag: <key>" (the key verbatim), anything else is split from
 * camelCase, snake_case or kebab-case into a sentence ("widgetCount" → "Widget count").
 */
export function labelForColumn(name: string): string {
  const known = LABELS.get(name);
  if (known !== undefined) return known;
  if (name.startsWith('tag:')) return `Tag: ${name.slice(4)}`;
  const label = sentenceCase(name);
  return label === '' ? 'Unnamed column' : label;
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
