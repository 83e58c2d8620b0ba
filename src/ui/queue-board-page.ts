import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AppViewRoute } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';

const require = createRequire(import.meta.url);

/**
 * The @bull-board/ui package that @bull-board/api serves (resolved from the api package, as
 * createBullBoard does), so the page, its files and the hashes below all come from one version.
 */
export const BULL_BOARD_UI_DIR = dirname(createRequire(require.resolve('@bull-board/api')).resolve('@bull-board/ui/package.json'));

/** bull-board's page, an EJS template. */
export const BULL_BOARD_TEMPLATE = join(BULL_BOARD_UI_DIR, 'dist', 'index.ejs');

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** CSP hash sources of the inline styles written literally in bull-board's page template. */
export interface InlineStyleHashes {
  /** Of each `<style>` element's text (for style-src-elem). */
  elements: string[];
  /** Of each `style="..."` attribute's value (for style-src-attr, with 'unsafe-hashes'). */
  attributes: string[];
}

/**
 * The hashes of the template's inline styles (its "Loading" placeholder, shown until the app
 * starts). Read from the installed package's file, not copied here, so they follow an upgrade;
 * a style holding a template tag (`<%`) is not literal and is never hashed.
 */
export function inlineStyleHashes(template: string = readFileSync(BULL_BOARD_TEMPLATE, 'utf8')): InlineStyleHashes {
  const literal = (text: string) => !text.includes('<%');
  const elements = [...template.matchAll(/<style>([\s\S]*?)<\/style>/gu)].map((match) => match[1] ?? '').filter(literal);
  const attributes = [...template.matchAll(/\sstyle="([^"]*)"/gu)].map((match) => match[1] ?? '').filter(literal);
  return { elements: [...new Set(elements.map(sha256))], attributes: [...new Set(attributes.map(sha256))] };
}

/**
 * bull-board's page links a stylesheet of Google Fonts (IBM Plex). The dashboard loads nothing from
 * elsewhere, so the link is taken out rather than let through the CSP: the board falls back to
 * its CSS's other fonts, and no browser asks Google for anything.
 */
export function withoutExternalFonts(page: string): string {
  return page.replace(/<link\b[^>]*\bhref="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>\s*/gu, '');
}

/** bull-board's Express adapter, serving its page without the external font stylesheet. */
export class QueueBoardAdapter extends ExpressAdapter {
  override setEntryRoute(routeDef: AppViewRoute): ExpressAdapter {
    const page: RequestHandler = (_req, res, next) => {
      const { name, params } = routeDef.handler({ basePath: this.basePath, uiConfig: this.uiConfig });
      res.render(name, params, (error: Error | null, rendered: string) => {
        if (error) next(error);
        else res.type('html').send(withoutExternalFonts(rendered));
      });
    };
    this.app[routeDef.method](routeDef.route, page);
    return this;
  }
}
