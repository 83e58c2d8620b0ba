import { Transform } from 'node:stream';
import type { Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { parse as csvParse } from 'csv-parse';
import { parse as fastCsvParse } from '@fast-csv/parse';
import Papa from 'papaparse';

/**
 * The streaming CSV parsers under comparison, each set up the way the service would use it:
 * bytes in, one object per row keyed by the header out. Options are each library's documented
 * way to get that and nothing more, so the figures compare defaults, not tuning.
 */

export type CsvRecord = Record<string, unknown>;

/** Decodes UTF-8 across chunk boundaries; papaparse decodes each chunk on its own and cannot. */
function utf8Decoder(): Transform {
  const decoder = new StringDecoder('utf8');
  return new Transform({
    decodeStrings: true,
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback) {
      const text = decoder.write(chunk);
      callback(null, text === '' ? undefined : text);
    },
    flush(callback) {
      const text = decoder.end();
      callback(null, text === '' ? undefined : text);
    },
  });
}

interface ParserSetup {
  /** A stage before the parser, when the library needs its input prepared. */
  before?: Transform;
  parser: Duplex;
}

export const PARSERS = {
  'csv-parse': () => ({ parser: csvParse({ columns: true, bom: true }) }),
  papaparse: () => ({ parser: Papa.parse(Papa.NODE_STREAM_INPUT, { header: true }) }),
  // The same parser given text instead of bytes: the fair best case for papaparse.
  'papaparse-utf8': () => ({ before: utf8Decoder(), parser: Papa.parse(Papa.NODE_STREAM_INPUT, { header: true }) }),
  'fast-csv': () => ({ parser: fastCsvParse<CsvRecord, CsvRecord>({ headers: true }) }),
} satisfies Record<string, () => ParserSetup>;

export type ParserName = keyof typeof PARSERS;

export const PARSER_NAMES = Object.keys(PARSERS) as ParserName[];

export function isParserName(name: string): name is ParserName {
  return Object.hasOwn(PARSERS, name);
}

/** Streams `input` through the named parser and hands every row to `onRow`, with backpressure. */
export async function parseStream(name: ParserName, input: Readable, onRow: (record: CsvRecord) => void): Promise<void> {
  const { before, parser }: ParserSetup = PARSERS[name]();
  const consume = async (records: AsyncIterable<CsvRecord>) => {
    for await (const record of records) onRow(record);
  };
  await (before === undefined ? pipeline(input, parser, consume) : pipeline(input, before, parser, consume));
}
