const KNOWN_LABELS = new Map<string, string>([
  ['resourceType', 'Resource type'],
  ['resourceId', 'Resource ID'],
  ['resourceName', 'Resource'],
  ['ownerType', 'Owner type'],
  ['ownerId', 'Owner ID'],
  ['ownerName', 'Owner'],
  ['currentPeriodStart', 'Period start'],
  ['currentPeriodEnd', 'Period end'],
  ['sandbox', 'Sandbox'],
  ['deviceCount', 'Devices'],
  ['applicationCount', 'Applications'],
  ['userCount', 'Users'],
  ['dashboardCount', 'Dashboards'],
  ['workflowCount', 'Workflows'],
  ['dataTableCount', 'Data tables'],
  ['dataTableRowCount', 'Data table rows'],
  ['fileCount', 'Files'],
  ['fileTotalSizeMb', 'File storage (MB)'],
  ['notebookCount', 'Notebooks'],
  ['notebookRunCount', 'Notebook runs'],
  ['notebookMinutesCount', 'Notebook minutes'],
  ['integrationCount', 'Integrations'],
  ['webhookCount', 'Webhooks'],
  ['experienceEndpointCount', 'Experience endpoints'],
  ['payloadBillableCount', 'Billable payloads'],
  ['payloadNonbillableCount', 'Non-billable payloads'],
  ['payloadBillableSizeMb', 'Billable payload size (MB)'],
  ['payloadNonbillableSizeMb', 'Non-billable payload size (MB)'],
]);

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
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A human label for a CSV column: known report columns get a fixed label ("Billable payloads"),
 * `tag:<key>` columns become "Tag: <key>" (the key verbatim), anything else is split from
 * camelCase, snake_case or kebab-case into a sentence ("experienceUserCount" → "Experience user count").
 */
export function labelForColumn(name: string): string {
  const known = KNOWN_LABELS.get(name);
  if (known !== undefined) return known;
  if (name.startsWith('tag:')) return `Tag: ${name.slice(4)}`;
  const label = sentenceCase(name);
  return label === '' ? 'Unnamed column' : label;
}
