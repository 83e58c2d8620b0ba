/**
 * A tiny HTML builder whose only job is to make escaping the default: every value interpolated
 * into `html\`...\`` is escaped unless it is itself the result of `html\`...\``. Report content
 * (organization names, column names, numbers, ids) therefore cannot become markup by accident.
 */

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/gu, (char) => ESCAPES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  // as: Array.isArray narrows a readonly array to any[]; the elements are HtmlValues by the parameter's type.
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  // null/undefined/false render nothing so that `${condition && html`...`}` reads naturally.
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}
