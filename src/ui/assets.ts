import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** Browsers may keep an asset this long before they ask again (with its ETag): a deploy shows within minutes. */
const ASSET_MAX_AGE_MS = 10 * 60_000;

/**
 * The folder holding package.json, found by walking up from this module: the same answer when it
 * runs as src/ui/assets.ts under tsx and as dist/src/ui/assets.js after `npm run build`, so the
 * assets are served from src/ui/assets/ in both, without a copy step that could go stale.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'report-relay') return dir; // as: only `name` is read, and compared
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`report-relay's package.json was not found above ${from}`);
    dir = parent;
  }
}

/** The dashboard's stylesheet and browser modules. */
export const ASSETS_DIR = join(packageRoot(), 'src', 'ui', 'assets');

/** ECharts' browser build, served from this service's own origin (the CSP allows no other). */
export const ECHARTS_FILE = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');

/** /ui/assets/...: public (the sign-in page needs the stylesheet), cached briefly, revalidated by ETag. */
export function assetRoutes(): Router {
  const router = Router();
  const options = { maxAge: ASSET_MAX_AGE_MS, etag: true, lastModified: true } as const;
  router.get('/assets/vendor/echarts.min.js', (_req, res, next) => {
    res.sendFile(ECHARTS_FILE, options, (error?: Error) => {
      if (error) next(error);
    });
  });
  router.use('/assets', express.static(ASSETS_DIR, { ...options, index: false, dotfiles: 'ignore', fallthrough: false, redirect: false }));
  return router;
}
