/**
 * Turns a raw header record into unique, usable keys. Names are trimmed; an empty name becomes
 * `column_<position>` (1-based); a repeated name keeps its first occurrence and later ones become
 * `name_2`, `name_3`... (skipping any suffix already taken), so no column's data is lost or merged.
 */
export function uniqueColumnNames(header: readonly string[]): string[] {
  const used = new Set<string>();
  return header.map((raw, index) => {
    const base = raw.trim() === '' ? `column_${index + 1}` : raw.trim();
    let name = base;
    for (let n = 2; used.has(name); n += 1) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}
