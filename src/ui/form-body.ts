import express, { type Request, type RequestHandler } from 'express';

const forms = new WeakMap<Request, URLSearchParams>();

/** The largest form the dashboard reads: its forms are short; anything bigger is refused with 413. */
const FORM_LIMIT = '64kb';
const readText = express.text({ type: 'application/x-www-form-urlencoded', limit: FORM_LIMIT });

/**
 * Reads an `application/x-www-form-urlencoded` body into URLSearchParams (what a <form> sends);
 * other bodies are not read and give an empty form. Mounted only where the request has passed
 * the checks that come before reading a body.
 */
export const readForm: RequestHandler[] = [
  readText,
  (req, _res, next) => {
    const body: unknown = req.body;
    forms.set(req, new URLSearchParams(typeof body === 'string' ? body : ''));
    next();
  },
];

/** The request's form fields (empty when none were read). */
export function formOf(req: Request): URLSearchParams {
  return forms.get(req) ?? new URLSearchParams();
}
