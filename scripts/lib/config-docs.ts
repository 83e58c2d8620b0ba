import { AREAS, SETTINGS, type Area, type Setting, type SettingName } from '../../src/config/settings.js';

/**
 * The README's Configuration tables and config/example.env, written from the settings table
 * (src/config/settings.ts): name, default, allowed values, the sides that read it, what it does.
 * `npm run docs:config` writes both; test/unit/config-docs.test.ts fails when a file differs.
 */

export const README_BEGIN = '<!-- BEGIN settings tables: written by `npm run docs:config` from src/config/settings.ts; edit there -->';
export const README_END = '<!-- END settings tables -->';

const ENV_WIDTH = 100;

// as: Object.keys gives string[]; SETTINGS is a literal, so its keys are exactly the setting names.
const NAMES = Object.keys(SETTINGS) as SettingName[];

const settingOf = (name: SettingName): Setting<unknown> => SETTINGS[name];

function byArea(): Array<[Area, SettingName[]]> {
  // as: Object.keys gives string[]; AREAS is a literal, so its keys are exactly the areas.
  const areas = Object.keys(AREAS) as Area[];
  return areas.map((area): [Area, SettingName[]] => [area, NAMES.filter((name) => settingOf(name).area === area)]).filter(([, names]) => names.length > 0);
}

const readBy = (setting: Setting<unknown>): string => setting.readBy.join(', ');

// ---------------------------------------------------------------- README

const SETTING_NAME = new RegExp(`\\b(${NAMES.join('|')})\\b`, 'gu');

/** Markdown for one table cell: setting names as code, pipes escaped. */
const cell = (text: string): string => text.replace(/\|/gu, '\\|').replace(SETTING_NAME, '`$1`');

function readmeDefault(setting: Setting<unknown>): string {
  if ('required' in setting) return '**required**';
  if ('unset' in setting) return `*${cell(setting.unset)}*`;
  const value = String(setting.default);
  return value === '' ? '*empty*' : `\`${value.replace(/\|/gu, '\\|')}\``;
}

export function renderReadmeTables(): string {
  const sections = byArea().map(([area, names]) => {
    const rows = names.map((name) => {
      const setting = settingOf(name);
      return `| \`${name}\` | ${readmeDefault(setting)} | ${cell(setting.kind.allowed)} | ${readBy(setting)} | ${cell(setting.about)} |`;
    });
    return [`### Settings: ${AREAS[area]}`, '', '| setting | default | allowed | read by | what it does |', '| --- | --- | --- | --- | --- |', ...rows].join(
      '\n',
    );
  });
  return [README_BEGIN, '', sections.join('\n\n'), '', README_END].join('\n');
}

/** The README with its settings tables replaced by `tables`; refuses a README without both markers. */
export function withReadmeTables(readme: string, tables: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end < begin) throw new Error(`README.md must hold the lines\n${README_BEGIN}\n${README_END}\nwhere the settings tables go`);
  return readme.slice(0, begin) + tables + readme.slice(end + README_END.length);
}

/** The settings tables as the README holds them now (between the markers), or null without them. */
export function readmeTables(readme: string): string | null {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  return begin === -1 || end < begin ? null : readme.slice(begin, end + README_END.length);
}

// ---------------------------------------------------------------- example.env

/** Comment lines of at most ENV_WIDTH characters. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/u)) {
    if (line.length + 1 + word.length > ENV_WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** A value as a .env line holds it: quoted when it has anything but plain characters. */
function envValue(value: string): string {
  return /^[\w.,:/*@+-]*$/u.test(value) ? value : `"${value.replace(/["\\]/gu, '\\$&')}"`;
}

function envEntry(name: SettingName): string[] {
  const setting = settingOf(name);
  const presence =
    'required' in setting
      ? `REQUIRED (read by: ${readBy(setting)}).`
      : 'unset' in setting
        ? `Unset: ${setting.unset}. Read by: ${readBy(setting)}.`
        : `Read by: ${readBy(setting)}.`;
  const value = 'default' in setting ? String(setting.default) : '';
  const about = `${setting.about.charAt(0).toUpperCase()}${setting.about.slice(1)}.`;
  return [...comment(about), ...comment(`Allowed: ${setting.kind.allowed}. ${presence}`), `${name}=${envValue(value)}`];
}

export function renderExampleEnv(): string {
  const header = comment(
    'report-relay configuration: every setting with its default and the values it allows, written by `npm run docs:config` from src/config/settings.ts (edit there, not here). ' +
      'Copy it to .env, or set the variables in your platform, and fill in the REQUIRED ones. ' +
      'A process reads only the settings of its role: "read by: web" settings are read by the web process (Procfile web), "read by: worker" ones by the worker process (Procfile worker), and the single-machine process (npm start) reads both. ' +
      'An empty value counts as unset.',
  );
  const sections = byArea().map(([area, names]) => [`# --- ${AREAS[area]} ---`, '', ...names.flatMap((name) => [...envEntry(name), ''])].join('\n'));
  return `${[...header, '', ...sections].join('\n').trimEnd()}\n`;
}
