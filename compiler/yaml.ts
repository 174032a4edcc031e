/**
 * A small YAML emitter whose output is already in prettier's canonical style.
 *
 * Running prettier over every file at synth costs ~5 s per MB here, so we emit
 * the exact bytes prettier would produce instead, and prove it in the tests
 * (test/compiler/yaml.test.ts runs prettier's own check over random documents).
 * Key order is the caller's: see `canonicalize` in render.ts.
 */

import { goReadsAsNumber } from './go-yaml-scalars';

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
// Anything that looks like a number (including octal, hex, binary,
// sexagesimal, .inf). The Go YAML that kustomize, Argo CD and Flux read with
// takes Go's integer syntax, prefixes in either case: `0B101` is 5 there.
const NUMBERISH = /^[-+]?(?:\.?[0-9][0-9_:.eE+-]*|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;
// Go YAML reads a plain `2001-12-14t21:59:43.10-05:00` (or with T or a space)
// as a time, and kustomize writes it back reformatted, or fails on it as a key.
const TIMESTAMPISH = /^[0-9]{4}-/;
// Conservative plain-scalar alphabet: no indicators at the start, no ': ' or ' #'.
const PLAIN = /^[A-Za-z0-9_./(+$^=][A-Za-z0-9_./()+$^=@:,~ *-]*$/;

function isPlainSafe(s: string): boolean {
  if (s.length === 0 || s.length > 72) return false;
  if (!PLAIN.test(s)) return false;
  if (RESERVED.test(s) || NUMBERISH.test(s) || TIMESTAMPISH.test(s)) return false;
  // Go strips every `_` after the first character before reading a number: `+_1` and `0_x1F` are 1 and 31 there.
  if (goReadsAsNumber(s)) return false;
  if (s.endsWith(' ') || s.endsWith(':')) return false;
  if (s.includes(': ') || s.includes(' #') || s.includes('  ')) return false;
  // `...` then a space or the line's end ends the document when it starts a
  // line (a key at the root): quoted everywhere, as one rule is easier to trust.
  if (s.startsWith('...')) return false;
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

// Every character that quote() treats apart (escapes, refusals): one scan
// tells whether a string holds any, which most quoted strings do not.
const SPECIAL = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff\ufffe\uffff]/;
// What needs a backslash escape: YAML allows no control character unescaped.
const ESCAPED = /[\\\u0000-\u001f\u2028\u2029]/;

function quote(s: string): string {
  if (isPlainSafe(s)) return s;
  const special = SPECIAL.test(s);
  if (special) refuseUnwritable(s);
  // prettier writes double quotes, except for a string holding a `"` that
  // needs no backslash escape: then single quotes, with `'` doubled.
  if (s.includes('"') && !(special && ESCAPED.test(s))) return `'${s.replace(/'/g, "''")}'`;
  // JSON.stringify leaves these two raw.
  return special ? JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : JSON.stringify(s);
}

/** Throw for a character that no file kustomize (and so Argo CD and Flux) reads back can hold. */
function refuseUnwritable(s: string): void {
  // A lone surrogate has no UTF-8 form: JSON.stringify writes it as `\ud800`,
  // which JS YAML reads back but Go YAML (kustomize, Argo CD, Flux) refuses.
  if (/\p{Cs}/u.test(s)) {
    throw new UnrepresentableError(
      'holds a lone UTF-16 surrogate, half of a character: no UTF-8 file can hold it, and kustomize, Argo CD and Flux refuse the file',
      'Build the string from whole characters: a lone surrogate usually comes from cutting a string (slice, substring) in the middle of an emoji or another character outside the Basic Multilingual Plane.',
    );
  }
  // Escaped, they are valid YAML, and kustomize reads them; but it writes
  // them back raw and fails on its own output ("yaml: control characters are
  // not allowed"), so Argo CD and Flux, which build with it, cannot sync the
  // folder. U+2028 and U+2029 it writes raw too, but Go's reader (Argo CD's)
  // reads them back unchanged.
  if (s.includes('\u0085')) {
    throw new UnrepresentableError(
      'holds U+0085 (NEL), a line break to YAML 1.1: kustomize writes it back as a space, so what Argo CD (and kubectl apply -k) deploys from the folder is a different string',
      'Leave the character out (NEL in a string is most often a decoding mistake: Windows-1252 text read as Latin-1), write a line break as \\n, or encode the value as the module expects (base64, percent-encoding).',
    );
  }
  const unwritable = /[\u007f-\u009f\ufffe\uffff]/.exec(s);
  if (unwritable) {
    const code = unwritable[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new UnrepresentableError(
      `holds U+${code}, a character kustomize (and so Argo CD and Flux, which build with it) cannot write back: the build of the folder fails`,
      'Leave the character out (DEL, a C1 control character, U+FFFE or U+FFFF in a string is most often a decoding mistake), or encode the value as the module expects (base64, percent-encoding).',
    );
  }
}

/**
 * A value no YAML (or JSON, which the API server reads) could hold: thrown
 * rather than written, with where it is in the document (`at`, filled in as
 * the error leaves each map and list) and how to fix it.
 */
export class UnrepresentableError extends Error {
  public readonly at: (string | number)[] = [];

  constructor(
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(problem);
    this.name = 'UnrepresentableError';
  }
}

function within(e: unknown, step: string | number): unknown {
  if (e instanceof UnrepresentableError) {
    e.at.unshift(step);
    e.message = `${yamlPath(e.at)} ${e.problem}`;
  }
  return e;
}

/** `spec.pluginConfig["a b"][0]`; a long key shown by its start only. */
export function yamlPath(at: readonly (string | number)[]): string {
  let out = '';
  for (const step of at) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step) && step.length <= 64) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step.length <= 64 ? step : `${step.slice(0, 32)}...`)}]`;
  }
  return out;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return quoteString(v);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw new UnrepresentableError(
        `is ${v}, a non-finite number: neither YAML nor the JSON the API server reads can hold it`,
        'Give it a finite number, or leave the key out. A NaN usually comes from Number() or parseInt() of a string that is no number, such as an unset environment variable.',
      );
    }
    return String(v);
  }
  throw new UnrepresentableError(
    `is a ${typeof v}: a manifest holds only strings, numbers, booleans, lists and maps`,
    typeof v === 'bigint' ? 'Write it as a number (Number(x)) or a string.' : 'Give it a string, number, boolean, list or map.',
  );
}

/** Quoted `key`, refused when no YAML parser would read it as a key, or kustomize would drop it. */
function keyText(key: string): string {
  if (key === '<<') throw new UnrepresentableError(`is a key named "<<": ${MERGE_KEY.why}`, MERGE_KEY.fix);
  const k = quoteString(key);
  if (k.length > MAX_KEY_LENGTH) {
    throw new UnrepresentableError(
      `is a key of ${key.length} characters: YAML ends a key within ${MAX_KEY_LENGTH} characters, so no parser (kubectl, Argo CD, Flux, prettier) could read the file`,
      `Use a key of at most ${MAX_KEY_LENGTH} characters (fewer when it needs quotes or escapes).`,
    );
  }
  return k;
}

/**
 * Why a key named `<<` is refused, here and in a plugin config at
 * construction: kustomize (kyaml) takes it for YAML 1.1's merge key however
 * it is written (plain, quoted, escaped, tagged !!str) and drops the entry
 * from what it builds, at any depth; kubectl apply -f would keep it.
 */
export const MERGE_KEY = {
  why: 'kustomize, which Argo CD and Flux build the folder with, takes it for a YAML merge key however it is quoted and drops the entry, so the module would never see it',
  fix: 'Rename the key, or leave it out: a module that needs a key named "<<" cannot be configured through a kustomize-built folder.',
} as const;

// prettier's printWidth: past it, prettier moves an empty `{}` or `[]` under its key.
const PRINT_WIDTH = 80;
// YAML ends an implicit key (`key: value`) within 1024 characters of its start.
const MAX_KEY_LENGTH = 1024;

/**
 * The lines for `key: {}` (or `[]`): on one line, or, when prettier would find
 * that wider than its print width, the value on the next line. prettier counts
 * an East Asian wide character or an emoji as two columns and a combining mark
 * as none: rather than copy its tables, a key whose line might be either is
 * written with its non-ASCII characters escaped, so its width is its length.
 */
function emptyValueLines(prefix: string, key: string, quotedKey: string, empty: '{}' | '[]', indent: string): string[] {
  let k = quotedKey;
  let line = `${prefix}${k}: ${empty}`;
  let wide = line.length > PRINT_WIDTH;
  if (/[^\x20-\x7e]/.test(line)) {
    const least = leastWidth(line);
    wide = least > PRINT_WIDTH;
    if (!wide && mostWidth(line) > PRINT_WIDTH) {
      const escaped = asciiQuoted(key);
      if (escaped.length <= MAX_KEY_LENGTH) {
        k = escaped;
        line = `${prefix}${k}: ${empty}`;
        wide = line.length > PRINT_WIDTH;
      } else {
        // The escapes would make the key too long for YAML: a guess, right
        // unless most of its characters are combining marks or joiners.
        wide = true;
      }
    }
  }
  return wide ? [`${prefix}${k}:`, `${indent}${INDENT}${empty}`] : [line];
}

/** Columns prettier gives `s` at most: two for anything outside printable ASCII. */
function mostWidth(s: string): number {
  let width = 0;
  for (const c of s) width += c.length === 1 && c >= ' ' && c <= '~' ? 1 : 2;
  return width;
}

/**
 * Columns prettier gives `s` at least: one for each printable ASCII character
 * and each letter (an emoji sequence, counted as one or two, holds at most one
 * of them: a keycap's digit), none for anything else.
 */
function leastWidth(s: string): number {
  let width = 0;
  for (const c of s) if ((c >= ' ' && c <= '~') || /\p{L}/u.test(c)) width++;
  return width;
}

/** `s` double-quoted with every character outside printable ASCII escaped. */
function asciiQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (cp >= 0x20 && cp < 0x7f) out += c;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function isEmptyCollection(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

/**
 * Which keys of a map to write, in which order. `depth` is the map's depth in
 * the document (0 for the root), `parentKey` the key it is the value of
 * (undefined at the root and for list items). Keys with an undefined value
 * must not be returned.
 */
export type KeyOrder = (obj: Readonly<Record<string, unknown>>, depth: number, parentKey: string | undefined) => string[];

/** The default: insertion order, undefined values left out. */
const definedKeys: KeyOrder = (obj) => {
  const keys: string[] = [];
  for (const k of Object.keys(obj)) if (obj[k] !== undefined) keys.push(k);
  return keys;
};

type YamlMap = { readonly [key: string]: YamlValue | undefined };

/**
 * Emits one document into `out`, one line per entry. A map's keys are chosen
 * once (by `order`) and passed down, so deciding whether it fits on one line
 * (`{}`) and writing it cost one pass.
 */
class Emitter {
  constructor(
    private readonly out: string[],
    private readonly order: KeyOrder,
  ) {}

  public map(obj: YamlMap, keys: string[], depth: number, indent: string, firstPrefix?: string): void {
    const out = this.out;
    let prefix = firstPrefix ?? indent;
    let key = '';
    try {
      for (key of keys) {
        const value = obj[key] as YamlValue;
        const k = keyText(key);
        if (value === null || typeof value !== 'object') {
          out.push(`${prefix}${k}: ${scalar(value)}`);
        } else if (Array.isArray(value)) {
          if (value.length === 0) {
            out.push(...emptyValueLines(prefix, key, k, '[]', indent));
          } else {
            out.push(`${prefix}${k}:`);
            this.seq(value, depth + 1, indent + INDENT);
          }
        } else {
          const inner = this.order(value, depth + 1, key);
          if (inner.length === 0) {
            out.push(...emptyValueLines(prefix, key, k, '{}', indent));
          } else {
            out.push(`${prefix}${k}:`);
            this.map(value, inner, depth + 1, indent + INDENT);
          }
        }
        prefix = indent;
      }
    } catch (e) {
      throw within(e, key);
    }
  }

  public seq(items: readonly (YamlValue | undefined)[], depth: number, indent: string): void {
    const out = this.out;
    let i = 0;
    try {
      for (; i < items.length; i++) {
        // A hole or undefined item is written as null, as JSON.stringify (and so the API server) reads it.
        const item = items[i] === undefined ? null : (items[i] as YamlValue);
        if (item === null || typeof item !== 'object') {
          out.push(`${indent}- ${scalar(item)}`);
        } else if (Array.isArray(item)) {
          if (item.length === 0) {
            out.push(`${indent}- []`);
          } else {
            // prettier writes a nested sequence as "- - a" on one line.
            const start = out.length;
            this.seq(item, depth + 1, indent + INDENT);
            out[start] = `${indent}- ${out[start].slice(indent.length + INDENT.length)}`;
          }
        } else {
          const keys = this.order(item, depth + 1, undefined);
          if (keys.length === 0) out.push(`${indent}- {}`);
          else this.map(item, keys, depth + 1, indent + INDENT, `${indent}- `);
        }
      }
    } catch (e) {
      throw within(e, i);
    }
  }
}

/**
 * Render one YAML document. `header` lines become `# ` comments at the top;
 * `order` picks and orders the keys of each map (default: insertion order).
 */
export function toYaml(value: YamlValue | Readonly<Record<string, unknown>>, header: readonly string[] = [], order: KeyOrder = definedKeys): string {
  const out: string[] = [];
  for (const line of header) out.push(line === '' ? '#' : `# ${line}`);
  const v = value as YamlValue;
  const e = new Emitter(out, order);
  if (v === null || typeof v !== 'object') {
    out.push(scalar(v));
  } else if (Array.isArray(v)) {
    if (v.length === 0) out.push('[]');
    else e.seq(v, 0, '');
  } else {
    const keys = order(v, 0, undefined);
    if (keys.length === 0) out.push('{}');
    else e.map(v, keys, 0, '');
  }
  // The final newline joined in, not appended: `join() + '\n'` makes a rope
  // that every write must flatten into a second copy (~50 MB more peak RSS
  // and a slower write at 5,000 namespaces: docs/performance.md).
  out.push('');
  return out.join('\n');
}

export { isEmptyCollection };
