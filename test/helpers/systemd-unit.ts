import { readFileSync } from 'node:fs';

/** A systemd unit file as section -> key -> values (a key may be given more than once: Environment=). */
export type Unit = Record<string, Record<string, string[]>>;

export function readUnit(path: string | URL): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/u.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const equals = line.indexOf('=');
    if (!section || equals < 0) throw new Error(`not a unit file line: ${line}`);
    (section[line.slice(0, equals).trim()] ??= []).push(line.slice(equals + 1).trim());
  }
  return unit;
}
