import { z } from 'zod';

/**
 * The query parameters of the GET actions, as instanceEndpoints.json lists them. Every value
 * arrives as a string; unknown parameters are ignored, as Losant does.
 */

const ms = (name: string) =>
  z
    .string()
    .regex(/^-?\d{1,15}$/u, `${name} must be milliseconds since the epoch, e.g. 1704067200000`)
    .transform(Number)
    .optional();
const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1')
  .default(false);
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/u, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

export const rangeQuerySchema = z.object({ start: ms('start'), end: ms('end') });

export const payloadCountsQuerySchema = rangeQuerySchema.extend({ asBytes: flag });

export const payloadCountsBreakdownQuerySchema = rangeQuerySchema.extend({
  asBytes: flag,
  includeNonBillable: flag,
  resolution: z.enum(['86400000', '3600000'], { message: 'must be 86400000 (a day) or 3600000 (an hour)' }).default('86400000').transform(Number),
});

export const historicalSummariesQuerySchema = z.object({
  month: ms('month'),
  sortField: z.enum(['resourceId', 'currentPeriodStart']).default('currentPeriodStart'),
  sortDirection: z.enum(['asc', 'desc']).default('asc'),
  page: wholeNumber(0, 1_000_000, 0),
  perPage: wholeNumber(1, 1000, 100),
  // "Blank or not provided means no filtering."
  filterField: z
    .enum(['resourceType', 'resourceId', 'ownerId', 'ownerType', ''])
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  filter: z.string().max(255).optional(),
});

export type RangeQuery = z.infer<typeof rangeQuerySchema>;
export type PayloadCountsQuery = z.infer<typeof payloadCountsQuerySchema>;
export type PayloadCountsBreakdownQuery = z.infer<typeof payloadCountsBreakdownQuerySchema>;
export type HistoricalSummariesQuery = z.infer<typeof historicalSummariesQuerySchema>;
