import type { FieldErrors } from './field-errors.js';
import { html, type SafeHtml } from './html.js';

/*
 * Labelled form controls. Each has its <label>, an optional hint and its errors below it, tied to
 * the control by aria-describedby, and aria-invalid when it has errors; the error summary above a
 * form links to each field with errors, so a keyboard gets there in one step.
 */

interface FieldBase {
  name: string;
  label: string;
  hint?: string;
  errors: FieldErrors;
}

export const fieldId = (name: string) => `field-${name}`;

function describedBy(field: FieldBase): { ids: string; invalid: boolean } {
  const invalid = (field.errors[field.name] ?? []).length > 0;
  const ids = [field.hint === undefined ? null : `${fieldId(field.name)}-hint`, invalid ? `${fieldId(field.name)}-error` : null].filter((id) => id !== null);
  return { ids: ids.join(' '), invalid };
}

/** The hint and errors under a control, and the attributes that tie them to it. */
function around(field: FieldBase) {
  const { ids, invalid } = describedBy(field);
  const attributes = html`${ids !== '' && html` aria-describedby="${ids}"`}${invalid && html` aria-invalid="true"`}`;
  const below = html`${field.hint !== undefined && html`<p class="hint" id="${fieldId(field.name)}-hint">${field.hint}</p>`}
  ${invalid && html`<p class="field-error" id="${fieldId(field.name)}-error">${(field.errors[field.name] ?? []).join('; ')}</p>`}`;
  return { attributes, below, invalid };
}

export function textField(
  field: FieldBase & { value: string; type?: 'text' | 'number' | 'email'; required?: boolean; list?: string; inputmode?: string; placeholder?: string },
): SafeHtml {
  const { attributes, below, invalid } = around(field);
  return html`<div class="field${invalid && ' field-invalid'}">
    <label for="${fieldId(field.name)}">${field.label}</label>
    <input id="${fieldId(field.name)}" name="${field.name}" type="${field.type ?? 'text'}" value="${field.value}"${field.required && html` required`}${
      field.list !== undefined && html` list="${field.list}"`
    }${field.inputmode !== undefined && html` inputmode="${field.inputmode}"`}${field.placeholder !== undefined && html` placeholder="${field.placeholder}"`} spellcheck="false" autocomplete="off"${attributes} />
    ${below}
  </div>`;
}

export function textareaField(field: FieldBase & { value: string; rows?: number }): SafeHtml {
  const { attributes, below, invalid } = around(field);
  return html`<div class="field${invalid && ' field-invalid'}">
    <label for="${fieldId(field.name)}">${field.label}</label>
    <textarea id="${fieldId(field.name)}" name="${field.name}" rows="${field.rows ?? 3}" spellcheck="false"${attributes}>${field.value}</textarea>
    ${below}
  </div>`;
}

export function selectField(field: FieldBase & { value: string; options: ReadonlyArray<{ value: string; label: string }> }): SafeHtml {
  const { attributes, below, invalid } = around(field);
  return html`<div class="field${invalid && ' field-invalid'}">
    <label for="${fieldId(field.name)}">${field.label}</label>
    <select id="${fieldId(field.name)}" name="${field.name}"${attributes}>
      ${field.options.map((option) => html`<option value="${option.value}"${option.value === field.value && html` selected`}>${option.label}</option>`)}
    </select>
    ${below}
  </div>`;
}

export function checkboxField(field: FieldBase & { checked: boolean }): SafeHtml {
  const { attributes, below, invalid } = around(field);
  return html`<div class="field field-checkbox${invalid && ' field-invalid'}">
    <input id="${fieldId(field.name)}" name="${field.name}" type="checkbox" value="true"${field.checked && html` checked`}${attributes} />
    <label for="${fieldId(field.name)}">${field.label}</label>
    ${below}
  </div>`;
}

/**
 * What is wrong with the form, above it: each field's errors linking to the field (by its label),
 * and errors of no one field. Announced (role=alert) when the page comes back with errors.
 */
export function errorSummary(errors: FieldErrors, labels: Readonly<Record<string, string>>): SafeHtml {
  const entries = Object.entries(errors).filter(([, messages]) => messages.length > 0);
  if (entries.length === 0) return html``;
  return html`<div class="notice notice-error error-summary" role="alert">
    <p><strong>${entries.length === 1 && (entries[0]?.[1].length ?? 0) === 1 ? 'There is a problem:' : 'There are problems:'}</strong></p>
    <ul>
      ${entries.map(([name, messages]) =>
        name === '' || labels[name] === undefined
          ? messages.map((message) => html`<li>${name === '' ? '' : `${name}: `}${message}</li>`)
          : html`<li><a href="#${fieldId(name)}">${labels[name]}</a>: ${messages.join('; ')}</li>`,
      )}
    </ul>
  </div>`;
}
