import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { badRows, chunkedStream, namedRows, readReportEvents } from '../helpers/report-csv.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };

describe('line numbers when the first multi-line cell comes late', () => {
  for (const eol of ['\n', '\r\n']) {
    test(`rows after a quoted line break thousands of rows in keep their true line (${JSON.stringify(eol)} line ends)`, async () => {
      const lines = ['resourceId,resourceName,payloadBillableCount'];
      for (let i = 0; i < 3000; i++) lines.push(`id${i},Plant ${i},${i}`);
      lines.push(`late,"first${eol}second${eol}third",1`); // starts on line 3002, spans three lines
      lines.push('ragged,row'); // line 3005
      lines.push('after,Plant after,2'); // line 3006
      for (const chunkBytes of [7, 65_536]) {
        const events = await readReportEvents(chunkedStream(Buffer.from(`${lines.join(eol)}${eol}`), chunkBytes), LIMITS);
        const rows = namedRows(events);
        const late = rows.find(({ row }) => row.resourceId === 'late');
        const after = rows.find(({ row }) => row.resourceId === 'after');
        assert.equal(late?.line, 3002, `chunks of ${chunkBytes}`);
        assert.deepEqual(
          badRows(events).map(({ line }) => line),
          [3005],
          `chunks of ${chunkBytes}`,
        );
        assert.equal(after?.line, 3006, `chunks of ${chunkBytes}`);
        assert.equal(late?.row.resourceName, `first${eol}second${eol}third`);
      }
    });
  }
});
