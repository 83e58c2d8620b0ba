import type { DateGrouping } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DATE = /^\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/iu;
const HAS_TIME = /[T ]\d{2}:/iu;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/iu;

/**
 * Milliseconds since the epoch for an ISO date, date-time (UTC unless it names an offset; the
 * report's server time zone is unknown, and Losant works in UTC) or 13-digit epoch milliseconds;
 * null for anything else, so a name or a count never passes as a date.
 */
export function parseDate(value: string): number | null {
  const text = value.trim();
  if (/^\d{13}$/u.test(text)) return Number(text);
  if (!ISO_DATE.test(text)) return null;
  let normalized = text.replace(' ', 'T');
  if (HAS_TIME.test(text) && !HAS_ZONE.test(text)) normalized += 'Z';
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? null : ms;
}

// Consecutive rows mostly repeat the same dates, and date parsing dominates the per-row cost.
function createMemoParse(): (value: string) => number | null {
  let lastValue: string | null = null;
  let lastResult: number | null = null;
  return (value) => {
    if (value !== lastValue) {
      lastValue = value;
      lastResult = parseDate(value);
    }
    return lastResult;
  };
}

function classify(lengthMs: number): DateGrouping {
  const days = lengthMs / DAY_MS;
  if (days >= 0.5 && days <= 1.5) return 'day';
  if (days >= 27 && days <= 32) return 'month';
  return 'unknown';
}

/**
 * Tracks the period a report covers and whether its rows are days or months, in constant memory.
 * The grouping comes from each row's own length (end - start, ends being inclusive like
 * 23:59:59.999 or exclusive like the next midnight) by majority; without an end column, from the
 * column's name (`day`, `month`) or from the smallest step between consecutive start dates.
 */
export function createPeriodTracker(startColumn: string | null, endColumn: string | null) {
  let earliest: number | null = null;
  let latest: number | null = null;
  const votes = { day: 0, month: 0, unknown: 0 };
  let smallestStep: number | null = null;
  let previousStart: number | null = null;

  const parseStart = createMemoParse();
  const parseEnd = createMemoParse();

  return {
    /** Returns the row's start in epoch milliseconds (null when absent or not a date), for grouping by period. */
    add(startValue: string | undefined, endValue: string | undefined): number | null {
      const start = startValue === undefined ? null : parseStart(startValue);
      const end = endValue === undefined ? null : parseEnd(endValue);
      if (start !== null) {
        earliest = earliest === null ? start : Math.min(earliest, start);
        if (previousStart !== null && start !== previousStart) {
          const step = Math.abs(start - previousStart);
          smallestStep = smallestStep === null ? step : Math.min(smallestStep, step);
        }
        previousStart = start;
      }
      // Without an end column the last period's start is the latest date the report shows.
      const last = endColumn === null ? start : end;
      if (last !== null) latest = latest === null ? last : Math.max(latest, last);
      if (start !== null && end !== null && end >= start) votes[classify(end - start)] += 1;
      return start;
    },

    period(): { start: string | null; end: string | null } {
      return {
        start: earliest === null ? null : new Date(earliest).toISOString(),
        end: latest === null ? null : new Date(latest).toISOString(),
      };
    },

    grouping(): DateGrouping {
      if (votes.day + votes.month + votes.unknown > 0) {
        if (votes.day > votes.month && votes.day > votes.unknown) return 'day';
        if (votes.month > votes.day && votes.month > votes.unknown) return 'month';
        return 'unknown';
      }
      const hint = startColumn?.toLowerCase();
      if (hint === 'day' || hint === 'month') return hint;
      return smallestStep === null ? 'unknown' : classify(smallestStep);
    },
  };
}

export type PeriodTracker = ReturnType<typeof createPeriodTracker>;
