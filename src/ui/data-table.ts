import { html, type HtmlValue, type SafeHtml } from './html.js';

/**
 * One column of a dashboard table. Its header is also each cell's `data-label`, which the
 * stylesheet shows beside the value when the table turns into cards on a narrow screen, so the
 * two can never disagree.
 */
export interface Column<Row> {
  header: string;
  cell: (row: Row) => HtmlValue;
  /** Extra attributes of each cell, written in a template (e.g. html` class="message"`). */
  attributes?: SafeHtml;
}

export interface DataTable<Row> {
  caption: HtmlValue;
  rows: readonly Row[];
  /** The first column: the row's header cell (`<th scope="row">`), what the row is about. */
  rowHeader: Column<Row>;
  columns: ReadonlyArray<Column<Row>>;
  /** Attributes of the table element, e.g. html` class="reports-table"`. */
  tableAttributes?: SafeHtml;
  /** Attributes of each row, e.g. the data the page's script reads. */
  rowAttributes?: (row: Row) => SafeHtml;
}

/** A table that reads without JavaScript, captioned, headed by column and by row, scrolled in its own box. */
export function dataTable<Row>(table: DataTable<Row>): SafeHtml {
  const { rowHeader, columns } = table;
  return html`<div class="table-wrap">
    <table${table.tableAttributes}>
      <caption>
        ${table.caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">${rowHeader.header}</th>
          ${columns.map((column) => html`<th scope="col">${column.header}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${table.rows.map(
          (row) => html`<tr${table.rowAttributes?.(row)}>
            <th scope="row"${rowHeader.attributes}>${rowHeader.cell(row)}</th>
            ${columns.map((column) => html`<td data-label="${column.header}"${column.attributes}>${column.cell(row)}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
