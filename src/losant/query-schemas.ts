import { z } from 'zod';

/**
 * What the client accepts as query parameters of the GET actions, before they are sent as
 * strings. Losant's route metadata (instanceEndpoints) gives the names, enums and defaults; the
 * count endpoints take milliseconds since the epoch. Objects are strict so that a misspelt
 * parameter is refused by name instead of being sent and silently ignored.
 */

const timestamp = z.unknown().transform((value, ctx) => {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a valid Date or milliseconds since the epoch (a whole number, 0 or more)' });
    return z.NEVER;
  }
  return ms;
});
const startBeforeEnd = (range: { start: number; end: number }) => range.start <= range.end;

/** The refinement options shared by every range check (queries and the generateReport body). */
export const rangeOrder = { message: 'must not be before start', path: ['end'] };

export const rangeQuery = z.strictObject({ start: timestamp, end: timestamp }).refine(startBeforeEnd, rangeOrder);

export const payloadCountsQuery = z.strictObject({ start: timestamp, end: timestamp, asBytes: z.boolean().optional() }).refine(startBeforeEnd, rangeOrder);

export const payloadCountsBreakdownQuery = z
  .strictObject({
    start: timestamp,
    end: timestamp,
    resolution: z.union([z.literal(86400000), z.literal(3600000)], { message: 'must be 86400000 (a day) or 3600000 (an hour)' }).optional(),
    asBytes: z.boolean().optional(),
    includeNonBillable: z.boolean().optional(),
  })
  .refine(startBeforeEnd, rangeOrder);

/** Losant documents no upper bound for perPage; 1000 is the largest page its other list endpoints allow. */
export const historicalSummariesQuery = z
  .strictObject({
    month: timestamp.optional(),
    sortField: z.enum(['resourceId', 'currentPeriodStart']).optional(),
    sortDirection: z.enum(['asc', 'desc']).optional(),
    page: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
    perPage: z.number().int('must be a whole number').min(1, 'must be from 1 to 1000').max(1000, 'must be from 1 to 1000').optional(),
    filterField: z.enum(['resourceType', 'resourceId', 'ownerId', 'ownerType']).optional(),
    filter: z.string().optional(),
  })
  .refine((q) => q.filter === undefined || q.filterField !== undefined, { message: 'needs filterField', path: ['filter'] });
