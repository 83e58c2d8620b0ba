import type { Request, RequestHandler } from 'express';
import type { ServiceMetrics } from '../metrics/metrics.js';

/**
 * Times every request and counts it by the pattern of the route that answered it
 * (`/admin/reports/:id`, never the path as sent, which carries ids and callback secrets). A request
 * no route took (a 404, or one the admin gate answered first) counts under its area or as unmatched.
 * Nothing here waits: the numbers are kept when the answer is sent.
 */
export function requestMetrics(metrics: Pick<ServiceMetrics, 'httpRequest'>): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      metrics.httpRequest(routeOf(req), req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

function routeOf(req: Request): string {
  // Express sets req.route to the route that handled the request; it is not in its types as such.
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  if (req.path.startsWith('/admin/')) return '/admin/*';
  if (req.path.startsWith('/callbacks/')) return '/callbacks/*';
  return 'unmatched';
}
