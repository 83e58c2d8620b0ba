import { html, type SafeHtml } from '../html.js';

/**
 * A time as the schedule's own clock shows it (weekday, date, time and the zone's abbreviation),
 * with the exact UTC time for machines and tooltips: a cron reads in its time zone, so its runs do too.
 */
export function zonedTimeTag(date: Date, timezone: string): SafeHtml {
  const shown = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);
  return html`<time datetime="${date.toISOString()}" title="${date.toISOString()}">${shown}</time>`;
}

/** The IANA time zones this runtime knows, for a field's suggestions (UTC first: the default). */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
