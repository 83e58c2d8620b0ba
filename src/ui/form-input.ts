/*
 * Reading a form's text fields into the JSON-shaped body the admin API takes, so the same schema
 * checks both. An empty field is left out (the API's default applies); text that cannot be what the
 * field wants is passed on as it is, for the schema to name the problem at that field.
 */

/** The trimmed text, or undefined when empty. */
export function optionalText(form: URLSearchParams, name: string): string | undefined {
  const text = (form.get(name) ?? '').trim();
  return text === '' ? undefined : text;
}

/** A list typed as text: entries separated by commas, semicolons, spaces or new lines. */
export function textList(form: URLSearchParams, name: string): string[] {
  return (form.get(name) ?? '').split(/[\s,;]+/u).filter((entry) => entry !== '');
}

/** A yes/no choice with a default: '' gives undefined, 'true' and 'false' booleans. */
export function optionalBoolean(form: URLSearchParams, name: string): boolean | string | undefined {
  const text = optionalText(form, name);
  return text === 'true' ? true : text === 'false' ? false : text;
}

/** A checkbox: sent only when checked. */
export function checkbox(form: URLSearchParams, name: string): boolean {
  return form.has(name);
}

/** A number typed as text (undefined when empty; text that is no number as it is, for the schema to refuse). */
export function optionalNumber(form: URLSearchParams, name: string): number | string | undefined {
  const text = optionalText(form, name);
  return text !== undefined && /^[+-]?\d+(\.\d+)?$/u.test(text) ? Number(text) : text;
}

/** The form's fields as typed (the CSRF token left out), to show them again with their errors. */
export function typedValues(form: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of form) if (name !== '_csrf') values[name] = value;
  return values;
}

/** An object without the keys whose value is undefined (the API's schemas are strict about what is there). */
export function defined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}
