import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parseReportCsv, type ParsedEvent } from '../../src/csv/parse-report.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };

async function collect(csv: string, chunkBytes: number): Promise<ParsedEvent[]> {
  const bytes = Buffer.from(csv);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
  const events: ParsedEvent[] = [];
  for await (const event of parseReportCsv(Readable.from(chunks), LIMITS)) events.push(event);
  return events;
}

describe('line numbers when the first multi-line cell comes late', () => {
  for (const eol of ['\n', '\r\n']) {
    test(`rows after a quoted line break thousands of rows in keep their true line (${JSON.stringify(eol)} line ends)`, async () => {
      const lines = ['resourceId,resourceName,payloadBillableCount'];
      for (let i = 0; i < 3000; i++) lines.push(`id${i},Plant ${i},${i}`);
      lines.push(`late,"first${eol}second${eol}third",1`); // starts on line 3002, spans three lines
      lines.push('ragged,row'); // line 3005
      lines.push('after,Plant after,2'); // line 3006
      for (const chunkBytes of [7, 65_536]) {
        const events = await collect(`${lines.join(eol)}${eol}`, chunkBytes);
        const rows = events.flatMap((event) => (event.kind === 'row' ? [event] : []));
        const late = rows.find((event) => event.row.resourceId === 'late');
        const after = rows.find((event) => event.row.resourceId === 'after');
        const bad = events.filter((event) => event.kind === 'bad');
        assert.equal(late?.line, 3002, `chunks of ${chunkBytes}`);
        assert.deepEqual(bad.map((event) => event.line), [3005], `chunks of ${chunkBytes}`);
        assert.equal(after?.line, 3006, `chunks of ${chunkBytes}`);
        assert.equal(late?.row.resourceName, `first${eol}second${eol}third`);
      }
    });
  }
});
