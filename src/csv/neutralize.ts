import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { isPlainNumber } from '../summary/numbers.js';
import { createCsvLimitGuard } from './limit-guard.js';
import type { CsvLimits } from './limits.js';
import { baseParseOptions, throwIfRecordTooLarge } from './parse-options.js';

// Characters with which a spreadsheet starts a formula (OWASP CSV injection), plus the full-width
// forms that Apple Numbers normalizes to them.
const FORMULA_START = /^[=+@\t\r\uFF1D\uFF0B\uFF0D\uFF20-]/u;

/**
 * Prefixes a cell that a spreadsheet would run as a formula with `'`, which makes it text.
 * Plain numbers such as `-12.5` or `+3` are left alone: negative usage numbers (corrections,
 * credits) must stay numbers in the attached report, and a number cannot carry a formula.
 */
export function neutralizeCell(value: string): string {
  if (!FORMULA_START.test(value) || isPlainNumber(value)) return value;
  return `'${value}`;
}

/**
 * Re-writes a CSV for people to open (the email attachment): every cell neutralized, the header
 * too; ragged rows are kept as they are (the attachment shows the report, it does not judge it);
 * blank lines, a BOM and an unclosed final quote's record are dropped. Output is RFC 4180 (CRLF,
 * quoting only where needed). Streaming with constant memory, under the same limits as parsing:
 * a limit violation or an input error destroys the returned stream with that error.
 */
export function neutralizeCsv(input: Readable, limits: CsvLimits): Readable {
  const parser = parse({
    ...baseParseOptions(limits),
    skip_empty_lines: true,
    on_skip: (error: CsvError | undefined): undefined => {
      throwIfRecordTooLarge(error, limits);
      return undefined;
    },
  });
  const output = stringify({
    record_delimiter: 'windows',
    quote_record_delimiter: true,
    cast: { string: (value) => neutralizeCell(value) },
  });
  pipeline(input, createCsvLimitGuard(limits), parser, output, () => undefined);
  return output;
}
