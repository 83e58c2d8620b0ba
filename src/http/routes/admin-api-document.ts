import { Router } from 'express';
import { buildApiDocument } from '../contract/openapi.js';
import { route } from '../handler.js';

/**
 * GET /admin/openapi.json: the admin API's OpenAPI 3.1 document, made once, on first request.
 * It sits behind the admin token like every /admin route: it holds no secret, but whoever may
 * call the API is whoever needs its description, and one rule for all of /admin keeps the gate simple.
 */
export function adminApiDocumentRoutes(version: string): Router {
  const router = Router();
  let document: unknown = null;
  router.get(
    '/admin/openapi.json',
    route(() => {
      document ??= buildApiDocument(version);
      return Promise.resolve({ status: 200, body: document });
    }),
  );
  return router;
}
