/**
 * YAML for the configuration files the helpers generate (Fluent Bit, Vector, Envoy).
 *
 * Those files are plain data: maps, lists, strings, numbers, booleans. A general YAML library
 * builds a document tree for every file, which made serialization the largest cost of a helper
 * at synth time (about 1 ms a file, see bench/RESULTS.md); this emitter writes the text
 * directly, in block style, and decides quoting conservatively so that YAML 1.1 readers
 * (libyaml in Fluent Bit, yaml-cpp in Envoy) and YAML 1.2 readers see the same values:
 *
 * - a string is written plain only when it starts with a letter, `_` or `/`, holds nothing but
 *   letters, digits, `_ . / @ * + -` and `:` between them, and is not a YAML 1.1 boolean or null word (`on`, `no`,
 *   `y`, `null`, ...); every other string is double-quoted with JSON escapes, which YAML 1.2
 *   and 1.1 read alike;
 * - a string with line breaks is a literal block (`|`, `|-`) when that keeps it byte for byte,
 *   else double-quoted.
 *
 * lib/config-file.ts renders each distinct file once per process.
 *
 * test/config-yaml.test.ts proves, over random values, that the `yaml` parser reads back
 * exactly what was written, under both YAML versions.
 */

const PLAIN = /^[A-Za-z_/](?:[A-Za-z0-9_./@*+-]|:(?=[A-Za-z0-9_./@*+-]))*$/;
const YAML11_WORDS = new Set([
  'y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null', '~',
]);

/** A value the emitter writes: what JSON can hold, without `undefined` in lists. */
export type PlainData = string | number | boolean | null | PlainData[] | { [key: string]: PlainData | undefined };

/** The YAML text of `value`, a map or list of plain data; keys keep their insertion order. */
export function toYaml(value: PlainData): string {
  const lines: string[] = [];
  if (isMap(value)) writeMap(value, 0, lines);
  else if (Array.isArray(value) && value.length > 0) writeList(value, 0, lines);
  else lines.push(scalar(value, 0));
  return `${lines.join('\n')}\n`;
}

function isMap(value: PlainData | undefined): value is { [key: string]: PlainData | undefined } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function writeMap(map: { [key: string]: PlainData | undefined }, indent: number, lines: string[], firstPrefix?: string): void {
  const pad = ' '.repeat(indent);
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const lead = first && firstPrefix !== undefined ? firstPrefix : pad;
    first = false;
    const k = PLAIN.test(key) && !YAML11_WORDS.has(key.toLowerCase()) ? key : quote(key);
    if (isMap(value) && Object.values(value).some((v) => v !== undefined)) {
      lines.push(`${lead}${k}:`);
      writeMap(value, indent + 2, lines);
    } else if (Array.isArray(value) && value.length > 0) {
      lines.push(`${lead}${k}:`);
      writeList(value, indent + 2, lines);
    } else {
      lines.push(`${lead}${k}: ${scalar(value, indent + 2)}`);
    }
  }
  if (first) lines.push(`${firstPrefix ?? pad}{}`);
}

function writeList(list: PlainData[], indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  for (const item of list) {
    if (isMap(item) && Object.values(item).some((v) => v !== undefined)) {
      writeMap(item, indent + 2, lines, `${pad}- `);
    } else if (Array.isArray(item) && item.length > 0) {
      lines.push(`${pad}-`);
      writeList(item, indent + 2, lines);
    } else {
      lines.push(`${pad}- ${scalar(item, indent + 2)}`);
    }
  }
}

function scalar(value: PlainData | undefined, indent: number): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // Integers and plain decimals only: YAML 1.1 reads `1e+21` as a string.
    const text = Object.is(value, -0) ? '0' : String(value);
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`cdk8s-sidecars: cannot write the number ${value} in a configuration file`);
    return text;
  }
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object') return '{}';
  if (typeof value !== 'string') throw new Error(`cdk8s-sidecars: cannot write a ${typeof value} in a configuration file`);
  if (PLAIN.test(value) && !YAML11_WORDS.has(value.toLowerCase())) return value;
  if (value.includes('\n')) {
    const block = literalBlock(value, indent);
    if (block) return block;
  }
  return quote(value);
}

/**
 * A double-quoted scalar: JSON's escapes (a subset of YAML's), plus escapes for what JSON leaves
 * raw but YAML does not print (DEL, C1 controls) or reads as a line break (NEL, LS, PS).
 */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A literal block scalar for `text` when one keeps it exactly: printable characters and
 * spaces only, no line that starts or ends with a space, at most one final line break.
 */
function literalBlock(text: string, indent: number): string | undefined {
  const trailing = text.endsWith('\n');
  const body = trailing ? text.slice(0, -1) : text;
  if (body === '' || body.endsWith('\n')) return undefined;
  const rows = body.split('\n');
  // eslint-disable-next-line no-control-regex
  if (rows.some((r) => r === '' || r.startsWith(' ') || r.endsWith(' ') || /[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(r))) return undefined;
  const pad = ' '.repeat(indent);
  return `${trailing ? '|' : '|-'}\n${rows.map((r) => pad + r).join('\n')}`;
}
