/**
 * A small YAML emitter whose output is already in prettier's canonical style.
 *
 * Running prettier over every file at synth costs ~5 s per MB here, so we emit
 * the exact bytes prettier would produce instead, and prove it in the tests
 * (test/compiler/yaml.test.ts runs prettier's own check over random documents).
 * Key order is the caller's: see `canonicalize` in render.ts.
 */

export type YamlValue =
  | string
  | number
  | boolean
  | null
  | YamlValue[]
  | { [key: string]: YamlValue };

const INDENT = '  ';

// Words that YAML 1.1 or 1.2 parsers read as something other than a string.
const RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|=|<<)$/;
// Anything that looks like a number (including octal, hex, sexagesimal, .inf).
const NUMBERISH = /^[-+]?(?:\.?[0-9][0-9_:.eE+-]*|0x[0-9a-fA-F_]+|0o[0-7_]+|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;
// Conservative plain-scalar alphabet: no indicators at the start, no ': ' or ' #'.
const PLAIN = /^[A-Za-z0-9_./(+$^=][A-Za-z0-9_./()+$^=@:,~ *-]*$/;

function isPlainSafe(s: string): boolean {
  if (s.length === 0 || s.length > 72) return false;
  if (!PLAIN.test(s)) return false;
  if (RESERVED.test(s) || NUMBERISH.test(s)) return false;
  if (s.endsWith(' ') || s.endsWith(':')) return false;
  if (s.includes(': ') || s.includes(' #') || s.includes('  ')) return false;
  return true;
}

// A mesh repeats the same keys and values (label keys, kinds, annotation
// values) in every file: deciding how to quote each one once saves most of the
// emitter's time. Bounded, so a huge policy cannot grow it without limit.
const quoted = new Map<string, string>();
const QUOTE_CACHE_ENTRIES = 50_000;
const QUOTE_CACHE_LENGTH = 256;

/** Scalar string in the quoting style prettier settles on. */
export function quoteString(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = quote(s);
    if (s.length <= QUOTE_CACHE_LENGTH && quoted.size < QUOTE_CACHE_ENTRIES) quoted.set(s, q);
  }
  return q;
}

function quote(s: string): string {
  if (isPlainSafe(s)) return s;
  // prettier writes double quotes, except for a string holding a `"` that
  // needs no backslash escape: then single quotes, with `'` doubled.
  const needsEscapes = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s);
  if (!needsEscapes && s.includes('"')) {
    return `'${s.replace(/'/g, "''")}'`;
  }
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot emit non-finite number ${v}`);
    return String(v);
  }
  return quoteString(v);
}

function isEmptyCollection(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

function inline(v: YamlValue): string | undefined {
  if (v === null || typeof v !== 'object') return scalar(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
  return Object.keys(v).length === 0 ? '{}' : undefined;
}

function emitMap(obj: { [key: string]: YamlValue }, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === undefined) continue;
    const prefix = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const k = quoteString(key);
    const flat = inline(value);
    if (flat !== undefined) {
      out.push(`${prefix}${k}: ${flat}`);
    } else if (Array.isArray(value)) {
      out.push(`${prefix}${k}:`);
      emitSeq(value, indent + INDENT, out);
    } else {
      out.push(`${prefix}${k}:`);
      emitMap(value as { [key: string]: YamlValue }, indent + INDENT, out);
    }
  }
}

function emitSeq(items: YamlValue[], indent: string, out: string[]): void {
  for (const item of items) {
    const flat = inline(item);
    if (flat !== undefined) {
      out.push(`${indent}- ${flat}`);
    } else if (Array.isArray(item)) {
      // prettier writes a nested sequence as "- - a" on one line.
      const inner: string[] = [];
      emitSeq(item, indent + INDENT, inner);
      inner[0] = `${indent}- ${inner[0].slice(indent.length + INDENT.length)}`;
      out.push(...inner);
    } else {
      emitMap(item as { [key: string]: YamlValue }, indent + INDENT, out, `${indent}- `);
    }
  }
}

/**
 * Render one YAML document. `header` lines become `# ` comments at the top.
 */
export function toYaml(value: YamlValue, header: string[] = []): string {
  const out: string[] = header.map((line) => (line === '' ? '#' : `# ${line}`));
  const flat = inline(value);
  if (flat !== undefined) {
    out.push(flat);
  } else if (Array.isArray(value)) {
    emitSeq(value, '', out);
  } else {
    emitMap(value as { [key: string]: YamlValue }, '', out);
  }
  // The final newline joined in, not appended: `join() + '\n'` makes a rope
  // that every write must flatten into a second copy (~50 MB more peak RSS
  // and a slower write at 5,000 namespaces: docs/performance.md).
  if (out.length === 0) return '\n';
  out.push('');
  return out.join('\n');
}

export { isEmptyCollection };
