import { readFileSync } from 'node:fs';

/**
 * This service's version, from its package.json: the nearest one above this file, found by
 * walking up, since the file runs from src/ in development and from dist/src/ once built.
 */
export function packageVersion(): string {
  for (let folder = new URL('./', import.meta.url); ; folder = new URL('../', folder)) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(new URL('package.json', folder), 'utf8'));
      if (typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string') return manifest.version;
    } catch (error) {
      // as: readFileSync's errors are Node's system errors, which carry a code.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (folder.pathname === '/') return '0.0.0';
  }
}
