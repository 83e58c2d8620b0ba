// Writes the README's settings tables and config/example.env from src/config/settings.ts.
//   npm run docs:config
import { readFileSync, writeFileSync } from 'node:fs';
import { renderExampleEnv, renderReadmeTables, withReadmeTables } from './lib/config-docs.js';

const root = new URL('../', import.meta.url);
const readmeFile = new URL('README.md', root);
writeFileSync(readmeFile, withReadmeTables(readFileSync(readmeFile, 'utf8'), renderReadmeTables()));
writeFileSync(new URL('config/example.env', root), renderExampleEnv());
console.log('wrote README.md (settings tables) and config/example.env');
