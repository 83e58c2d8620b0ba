import { ownRecord } from '../own-record.js';
import { detectRoles, isExcludedFromTotals, isLevelColumn, type ColumnRoles } from './columns.js';
import { labelForColumn } from './labels.js';
import { cutForDisplay, MAX_PERIOD_START_CHARS, MAX_QUOTED_COLUMN_CHARS, MAX_RESOURCE_ID_CHARS, MAX_RESOURCE_NAME_CHARS } from './kept-text.js';
import { createLevelTracker, type LevelTracker } from './level-tracker.js';
import { plainNumberOrNaN, roundSum } from './numbers.js';
import { createPeriodTracker, type PeriodTracker } from './period.js';
import { createPeriodSeriesTracker, type PeriodSeriesTracker } from './period-series.js';
import { createResourceTable, type RankedColumn, type ResourceTable } from './resource-table.js';
import { createResourceTags, type ResourceTags } from './resource-tags.js';
import type { BadRow, LevelFigures, ReportSummary, ResourceFigure, ResourceFigures, ResourceGrouping, TopList } from './types.js';

export interface SummaryOptions {
  /** Entries per top list; 10 by default. */
  topN?: number;
  /**
   * Distinct resources tracked for ranking and counting; 100,000 by default (a safety bound). Rows
   * of later resources still count in the totals, and resourcesCapped counts them.
   */
  maxResources?: number;
  /**
   * Distinct periods tracked for the levels' peak and latest; 1,000 by default (a safety bound: a
   * year of days is 366). Past it levels are left empty and levelsUnavailable says why.
   */
  maxLevelPeriods?: number;
  /** Distinct dated periods kept in the per-period series (periodSeries); 400 by default (a year of days and more). */
  maxSeriesPeriods?: number;
  /**
   * Given, it receives the per-resource figures when the summary is finished (the first
   * resourceFiguresKept resources met), and tag values are kept for those resources meanwhile.
   */
  onResourceFigures?: (figures: ResourceFigures) => void;
  /** Resources whose figures onResourceFigures gets; 10,000 by default. */
  resourceFiguresKept?: number;
}

export interface SummaryAccumulator {
  /** The header, once, before the rows: unique names (see uniqueColumnNames), in file order. */
  setColumns(headers: readonly string[]): void;
  /**
   * One data row, its fields in the order of the header given to setColumns (a missing field is
   * `undefined`), starting on `line` (1-based). The hot path: column positions are resolved once,
   * in setColumns, not per cell. A row whose resource id or period start is too long to keep (see
   * kept-text.ts) becomes a bad row on that line instead.
   */
  addRow(fields: ReadonlyArray<string | undefined>, line: number): void;
  addBadRow(bad: BadRow): void;
  finish(): ReportSummary;
}

const MAX_BAD_ROWS_KEPT = 100;
// "Whatever the CSV holds": without payload, device or notebook-minute columns, rank by the
// largest totals among the first columns that could be quantities.
const FALLBACK_TOP_LISTS = 3;
const MAX_FALLBACK_CANDIDATES = 32;

interface ColumnsState {
  names: string[];
  roles: ColumnRoles;
  totalled: boolean[];
  /** The positions of the totalled columns, in column order: the only cells addRow parses for totals. */
  totalledPositions: Int32Array;
  sums: Float64Array;
  numericCounts: Uint32Array;
  nonNumeric: Uint8Array;
  /** Per column, its index among the level columns (see isLevelColumn), or -1 for flows and labels. */
  levelSlot: Int32Array;
  levels: LevelTracker;
  /** Per column, its index among the main usage columns (see ColumnRoles.main), or -1. */
  seriesSlot: Int32Array;
  series: PeriodSeriesTracker;
  ranked: RankedColumn[];
  /** True when ranked holds fallback candidates rather than main usage columns. */
  fallback: boolean;
  table: ResourceTable;
  /** Tag values of the resources whose figures are handed out; null when nobody asked for them. */
  tags: ResourceTags | null;
  period: PeriodTracker;
  /** Positions of the role columns (-1: no such column) and of the ranked columns. */
  at: { type: number; id: number; name: number; start: number; end: number; ranked: Int32Array };
  /** The bad-row reasons for an over-long id or period start, made once: every such bad row shares them. */
  tooLong: { id: string; start: string };
  /** Reused for every row: the number in each cell parsed this row (NaN: not a number), and the row that parsed it. */
  cellNumbers: Float64Array;
  cellNumberRow: Float64Array;
  /** Reused for every row: the ranked columns' numbers handed to the resource table (NaN: none). */
  rankedValues: Float64Array;
}

type ResourceKind = 'organization' | 'application' | null;

function tooLongReason(column: string | null, maxChars: number, what: string): string {
  const quoted = cutForDisplay(column ?? '', MAX_QUOTED_COLUMN_CHARS);
  return `${JSON.stringify(quoted)} holds more than ${maxChars} characters, too long for ${what}`;
}

function resourceKind(typeCell: string): ResourceKind {
  const type = typeCell.trim().toLowerCase();
  if (type === 'organization' || type === 'org') return 'organization';
  if (type === 'application' || type === 'app') return 'application';
  return null;
}

/**
 * Builds a ReportSummary from rows fed one at a time. Memory grows with columns, distinct
 * resources and distinct periods, never with rows. Totals are plain column sums over every row (a
 * level such as deviceCount summed over daily rows is device-days); levels give such columns'
 * peak and latest sums per period, and the top lists use each resource's highest period.
 */
export function createSummaryAccumulator(options: SummaryOptions = {}): SummaryAccumulator {
  const topN = options.topN ?? 10;
  const maxResources = options.maxResources ?? 100_000;
  const maxLevelPeriods = options.maxLevelPeriods ?? 1_000;
  const maxSeriesPeriods = options.maxSeriesPeriods ?? 400;
  const resourceFiguresKept = options.resourceFiguresKept ?? 10_000;

  let state: ColumnsState | null = null;
  let rows = 0;
  let badRowCount = 0;
  const badRows: BadRow[] = [];
  const resourceTypes = { organization: 0, application: 0 };

  const setColumns = (headers: readonly string[]): void => {
    const names = [...headers];
    const roles = detectRoles(names);
    const totalled = names.map((name) => !isExcludedFromTotals(name, roles));
    const fallback = roles.main.length === 0;
    const rankedNames = fallback ? names.filter((_, index) => totalled[index]).slice(0, MAX_FALLBACK_CANDIDATES) : roles.main;
    const ranked = rankedNames.map((column) => ({ column, level: isLevelColumn(column) }));
    const levelNames: string[] = [];
    const levelSlot = Int32Array.from(names, (name, index) => (totalled[index] && isLevelColumn(name) ? levelNames.push(name) - 1 : -1));
    const position = (column: string | null): number => (column === null ? -1 : names.indexOf(column));
    state = {
      names,
      roles,
      totalled,
      totalledPositions: Int32Array.from(names.flatMap((_, index) => (totalled[index] ? [index] : []))),
      sums: new Float64Array(names.length),
      numericCounts: new Uint32Array(names.length),
      nonNumeric: new Uint8Array(names.length),
      levelSlot,
      levels: createLevelTracker(levelNames, maxLevelPeriods),
      seriesSlot: Int32Array.from(names, (name, index) => (totalled[index] ? roles.main.indexOf(name) : -1)),
      series: createPeriodSeriesTracker(roles.main, maxSeriesPeriods),
      ranked,
      fallback,
      table: createResourceTable(ranked, maxResources),
      tags: options.onResourceFigures === undefined ? null : createResourceTags(names, Math.min(resourceFiguresKept, maxResources)),
      period: createPeriodTracker(roles.start, roles.end),
      at: {
        type: position(roles.type),
        id: position(roles.id),
        name: position(roles.name),
        start: position(roles.start),
        end: position(roles.end),
        ranked: Int32Array.from(ranked, ({ column }) => position(column)),
      },
      tooLong: {
        id: tooLongReason(roles.id, MAX_RESOURCE_ID_CHARS, 'a resource id'),
        start: tooLongReason(roles.start, MAX_PERIOD_START_CHARS, 'a period start'),
      },
      cellNumbers: new Float64Array(names.length),
      cellNumberRow: new Float64Array(names.length).fill(-1),
      rankedValues: new Float64Array(ranked.length),
    };
  };

  // Consecutive rows mostly repeat the resource type: classify each distinct text once.
  let lastTypeCell: string | undefined;
  let lastTypeKind: ResourceKind = null;
  /** Resources whose rows name a type that is neither organization nor application (a sandbox user), for their figures; bounded like them. */
  const otherTypeKeys = new Set<string>();

  const addBadRow = (bad: BadRow): void => {
    badRowCount += 1;
    if (badRows.length < MAX_BAD_ROWS_KEPT) badRows.push({ line: bad.line, reason: bad.reason });
  };

  /* eslint-disable @typescript-eslint/no-non-null-assertion -- the per-row loop indexes typed arrays sized to the
     columns, always within bounds; noUncheckedIndexedAccess cannot know, and a check per cell would only cost time. */
  const addRow = (fields: ReadonlyArray<string | undefined>, line: number): void => {
    const s = state;
    if (s === null) throw new Error('setColumns must come before addRow');
    const { at, sums, numericCounts, nonNumeric, levelSlot, seriesSlot, cellNumbers, cellNumberRow, totalledPositions } = s;

    // The resource id and an undated period start are kept per distinct value: too long, and the
    // row is refused whole before any of it is counted.
    const id = at.id < 0 ? '' : (fields[at.id]?.trim() ?? '');
    if (id.length > MAX_RESOURCE_ID_CHARS) {
      addBadRow({ line, reason: s.tooLong.id });
      return;
    }
    const start = at.start < 0 ? undefined : fields[at.start];
    if (start !== undefined && start.length > MAX_PERIOD_START_CHARS && start.trim().length > MAX_PERIOD_START_CHARS) {
      addBadRow({ line, reason: s.tooLong.start });
      return;
    }
    rows += 1;

    const startTime = s.period.add(start, at.end < 0 ? undefined : fields[at.end]);
    const periodSums = s.levels.sumsFor(start, startTime);
    const seriesSums = s.series.sumsFor(startTime);

    for (const index of totalledPositions) {
      if (nonNumeric[index] === 1) continue;
      const value = fields[index];
      if (value === undefined) continue;
      const text = value.trim();
      if (text === '') continue;
      const number = plainNumberOrNaN(text);
      cellNumbers[index] = number;
      cellNumberRow[index] = rows;
      if (Number.isNaN(number)) {
        nonNumeric[index] = 1;
        continue;
      }
      sums[index] = sums[index]! + number;
      numericCounts[index] = numericCounts[index]! + 1;
      const slot = levelSlot[index]!;
      if (periodSums !== null && slot >= 0) {
        const sum = periodSums[slot]!;
        periodSums[slot] = Number.isNaN(sum) ? number : sum + number;
      }
      const mainSlot = seriesSlot[index]!;
      if (seriesSums !== null && mainSlot >= 0) {
        const sum = seriesSums[mainSlot]!;
        seriesSums[mainSlot] = Number.isNaN(sum) ? number : sum + number;
      }
    }

    if (at.type >= 0) {
      const typeCell = fields[at.type];
      if (typeCell !== lastTypeCell) {
        lastTypeCell = typeCell;
        lastTypeKind = typeCell === undefined ? null : resourceKind(typeCell);
      }
      if (lastTypeKind !== null) resourceTypes[lastTypeKind] += 1;
    }

    // Names are shown, never matched (unless there is no id): a longer one than Losant allows is cut.
    const name = at.name < 0 ? '' : cutForDisplay(fields[at.name]?.trim() ?? '', MAX_RESOURCE_NAME_CHARS);
    const key = id !== '' ? id : name;
    if (key === '') return;
    const { rankedValues } = s;
    for (let r = 0; r < rankedValues.length; r++) {
      const index = at.ranked[r]!;
      // Parsed above for the totals unless the cell was blank or its column already had text.
      rankedValues[r] = cellNumberRow[index] === rows ? cellNumbers[index]! : plainNumberOrNaN((fields[index] ?? '').trim());
    }
    s.table.add(key, name, rankedValues);
    if (s.tags?.active === true) s.tags.add(key, fields);
    if (at.type >= 0 && lastTypeKind === null && (lastTypeCell ?? '').trim() !== '' && otherTypeKeys.size < resourceFiguresKept) otherTypeKeys.add(key);
  };
  /* eslint-enable @typescript-eslint/no-non-null-assertion */

  const resourceGrouping = (s: ColumnsState | null): ResourceGrouping => {
    const { organization, application } = resourceTypes;
    if (organization > 0 && application === 0) return 'organization';
    if (application > 0 && organization === 0) return 'application';
    if (organization > 0 || s === null) return 'unknown'; // both kinds: no single grouping
    const id = s.roles.id === null ? '' : s.roles.id.toLowerCase().replace(/[\s_-]+/gu, '');
    if (id === 'applicationid' || id === 'appid') return 'application';
    if (id === 'organizationid' || id === 'orgid') return 'organization';
    // Losant adds tag columns only when the report is grouped by organization.
    if (s.names.some((name) => name.startsWith('tag:'))) return 'organization';
    return 'unknown';
  };

  const totalsOf = (s: ColumnsState): Array<[string, number]> =>
    s.names.flatMap((name, index): Array<[string, number]> =>
      s.totalled[index] && s.nonNumeric[index] === 0 && (s.numericCounts[index] ?? 0) > 0 ? [[name, roundSum(s.sums[index] ?? 0)]] : [],
    );

  const topLists = (s: ColumnsState, totals: ReadonlyMap<string, number>): TopList[] => {
    if (s.roles.id === null && s.roles.name === null) return [];
    let chosen = s.ranked.map((ranked, index) => ({ column: ranked.column, index }));
    if (s.fallback) {
      chosen = chosen
        .filter(({ column }) => (totals.get(column) ?? 0) > 0)
        .sort((a, b) => (totals.get(b.column) ?? 0) - (totals.get(a.column) ?? 0))
        .slice(0, FALLBACK_TOP_LISTS);
    }
    return chosen.map(({ column, index }) => ({ column, label: labelForColumn(column), entries: s.table.top(index, topN) }));
  };

  /** Levels of the level columns that are totalled, in column order. */
  const levelsOf = (s: ColumnsState, totals: ReadonlyMap<string, number>): Array<[string, LevelFigures]> => {
    if (s.levels.overflowed) return [];
    const figures = s.levels.figures();
    return s.names.flatMap((name): Array<[string, LevelFigures]> => {
      const levels = figures.get(name);
      return totals.has(name) && levels !== undefined ? [[name, levels]] : [];
    });
  };

  const levelsUnavailable = (s: ColumnsState | null, totals: ReadonlyMap<string, number>): string | null => {
    if (!s?.levels.overflowed) return null;
    if (!s.names.some((name, index) => (s.levelSlot[index] ?? -1) >= 0 && totals.has(name))) return null;
    return `the rows span more than ${maxLevelPeriods.toLocaleString('en-US')} distinct periods`;
  };

  const resourceFigures = (s: ColumnsState | null): ResourceFigures => {
    if (s === null || (s.roles.id === null && s.roles.name === null)) return { columns: [], resources: [], leftOut: 0 };
    const columns = s.ranked.map(({ column }) => column);
    const resources = [...s.table.first(resourceFiguresKept)].map(({ id, name, values }): ResourceFigure => ({
      id,
      name,
      figures: ownRecord(
        columns.flatMap((column, index): Array<[string, number]> => (Number.isNaN(values[index] ?? Number.NaN) ? [] : [[column, values[index] ?? 0]])),
      ),
      tags: s.tags?.of(id) ?? {},
      ...(otherTypeKeys.has(id) ? { otherType: true } : {}),
    }));
    return { columns, resources, leftOut: s.table.size - resources.length };
  };

  const finish = (): ReportSummary => {
    const s = state;
    options.onResourceFigures?.(resourceFigures(s));
    const totals = s === null ? [] : totalsOf(s);
    const totalsMap = new Map(totals);
    return {
      rows,
      badRowCount,
      badRows: badRows.map((bad) => ({ ...bad })),
      columns: s === null ? [] : [...s.names],
      period: s === null ? { start: null, end: null } : s.period.period(),
      grouping: { resource: resourceGrouping(s), date: s === null ? 'unknown' : s.period.grouping() },
      resourceCount: s === null ? 0 : s.table.size,
      resourcesCapped: s === null ? 0 : s.table.untrackedRows,
      totals: ownRecord(totals),
      levels: ownRecord(s === null ? [] : levelsOf(s, totalsMap)),
      levelsUnavailable: levelsUnavailable(s, totalsMap),
      top: s === null || rows === 0 ? [] : topLists(s, totalsMap),
      // A column that turned out not to be numeric has no total, and no series either.
      periodSeries: s === null ? null : s.series.series((column) => totalsMap.has(column)),
    };
  };

  return {
    setColumns,
    addRow,
    addBadRow,
    finish,
  };
}
