import type { ValidationError } from '../errors.js';

/** Messages by the form field they concern; '' holds those of no one field (shown above the form). */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

export const NO_ERRORS: FieldErrors = {};

interface Issue {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  keys?: readonly string[];
}

function isIssue(value: unknown): value is Issue {
  return typeof value === 'object' && value !== null && 'path' in value && Array.isArray(value.path) && 'message' in value && typeof value.message === 'string';
}

/** A message a person filling in a form understands, from a zod issue. */
function messageOf(issue: Issue): string {
  // A form sends text: a field that must be a number and got other text gets zod's "expected number, received string".
  const message = issue.code === 'invalid_type' && issue.message.includes('expected number') ? 'must be a number' : issue.message;
  const index = issue.path[1];
  return typeof index === 'number' ? `entry ${index + 1}: ${message}` : message;
}

/**
 * The errors of a ValidationError by field: the zod issues it carries (the same ones the admin API
 * names) under the first part of their path, and a message without issues under ''.
 */
export function errorsByField(error: ValidationError): FieldErrors {
  const details: unknown = error.details;
  const issues = Array.isArray(details) ? details.filter(isIssue) : [];
  if (issues.length === 0) return { '': [error.message] };
  const errors: Record<string, string[]> = {};
  for (const issue of issues) {
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : '';
    (errors[field] ??= []).push(messageOf(issue));
  }
  return errors;
}
