import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
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
  // Most cells start with a letter or digit: one comparison settles them without the regex.
  const first = value.charCodeAt(0);
  if (first >= 0x30 && first < 0x7f && first !== 0x3d && first !== 0x40) return value; // digits on, but not = or @
  if (!FORMULA_START.test(value) || isPlainNumber(value)) return value;
  return `'${value}`;
}

const NEEDS_QUOTES = /[",\r\n]/u;

/**
 * One record as an RFC 4180 line: every cell neutralized, quoted only when it holds a quote, a
 * comma or a line break, CRLF at the end. Written by hand: csv-stringify spent more time on this
 * than parsing the report did (bench/cases/e2e.ts).
 */
export function neutralizedLine(fields: readonly string[]): string {
  let line = '';
  for (let index = 0; index < fields.length; index++) {
    const cell = neutralizeCell(fields[index] ?? '');
    if (index > 0) line += ',';
    line += NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}\r\n`;
}

/** How much neutralized text is gathered before it is passed on. */
export const BATCH_CHARS = 64 * 1024;

/** Records in, neutralized CSV text out, in chunks of about 64 KiB. */
function createNeutralizedWriter(): Transform {
  let batch = '';
  return new Transform({
    writableObjectMode: true,
    transform(record: string[], _encoding: BufferEncoding, callback: TransformCallback) {
      batch += neutralizedLine(record);
      if (batch.length < BATCH_CHARS) {
        callback();
        return;
      }
      const text = batch;
      batch = '';
      callback(null, text);
    },
    flush(callback: TransformCallback) {
      callback(null, batch === '' ? undefined : batch);
    },
  });
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
  const output = createNeutralizedWriter();
  pipeline(input, createCsvLimitGuard(limits), parser, output, () => undefined);
  return output;
}
