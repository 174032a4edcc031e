/**
 * Reading back a file in the exact form our emitter (toYaml) writes, without
 * a general YAML parser. `validate --manifests`, `explain` and `diff` read
 * every file of a tree, and most trees they read are synth's: the general
 * parser spent ~0.2 ms a file building a syntax tree and walking it three
 * times, 5 s of a 6 s `explain` over 25,000 files.
 *
 * Why a result can be trusted: a value is returned only when toYaml writes it
 * back as exactly the text read. toYaml's output reads back as the value it
 * was given (test/compiler/yaml.test.ts and emitted-yaml.test.ts check that,
 * with the general readers), so that value is what the general reader reads.
 * Anything else (a comment past the header, flow style, CRLF, an anchor, a
 * number that is no small integer, a second document) is answered
 * undefined, and read by the general parser as before.
 */
import { toYaml } from './yaml';

/** One document read back, and the 1-based line where its content starts. */
export interface EmittedDocument {
  readonly value: Record<string, unknown>;
  readonly line: number;
}

// Thrown where the text departs from toYaml's form; readEmitted then answers undefined.
const NOT_EMITTED = new Error('not in the form toYaml writes');

/** Small integers only: String(n) gives them back, and every reader agrees on them. */
const INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;

/**
 * A plain scalar as toYaml writes one. Any other word is taken as a string:
 * if toYaml would quote it (`yes`, `1.5`, `a: b`), its text differs from
 * what was read, and readEmitted gives up.
 */
function plainScalar(s: string): unknown {
  if (s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (INTEGER.test(s)) return Number(s);
  return s;
}

/** The end (exclusive) of the quoted scalar starting at `start`, or -1. */
function quotedEnd(line: string, start: number): number {
  const q = line[start];
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i];
    if (q === '"' && c === '\\') i++;
    else if (c === q) {
      if (q === "'" && line[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return -1;
}

function quotedScalar(token: string): string {
  if (token[0] === "'") return token.slice(1, -1).replace(/''/g, "'");
  try {
    const v = JSON.parse(token) as unknown;
    if (typeof v === 'string') return v;
  } catch {
    // Escapes JSON lacks (\x41, \U0001F600): for the general parser.
  }
  throw NOT_EMITTED;
}

function scalar(token: string): unknown {
  return token[0] === '"' || token[0] === "'" ? quotedScalar(token) : plainScalar(token);
}

/**
 * The key of a `key: ...` entry starting at column `col`, and the column of
 * what follows its colon; undefined when the text there is no such entry.
 */
function entryKey(line: string, col: number): { key: string; after: number } | undefined {
  let end: number;
  if (line[col] === '"' || line[col] === "'") {
    end = quotedEnd(line, col);
    if (end < 0 || line[end] !== ':') return undefined;
  } else {
    // toYaml writes no plain key holding ': ' or ending in ':'.
    const sep = line.indexOf(': ', col);
    end = sep >= 0 ? sep : line.endsWith(':') ? line.length - 1 : -1;
    if (end <= col) return undefined;
  }
  const key = scalar(line.slice(col, end));
  if (typeof key !== 'string' || key === '__proto__') throw NOT_EMITTED;
  return { key, after: end + 1 };
}

/** How many spaces `line` starts with. */
function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

class Reader {
  private i: number;

  constructor(
    private readonly lines: readonly string[],
    first: number,
  ) {
    this.i = first;
  }

  public get line(): number {
    return this.i;
  }

  /** A map whose first entry starts at column `col` of the current line (after a `- ` in a list item). */
  public map(col: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let first = true;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (!first && (indentOf(line) !== col || line[col] === '-')) break;
      const entry = entryKey(line, col);
      if (entry === undefined) throw NOT_EMITTED;
      first = false;
      out[entry.key] = this.valueAfterKey(line, entry.after, col);
    }
    return out;
  }

  /** The value of a map entry at column `col` whose colon ends at `after`. */
  private valueAfterKey(line: string, after: number, col: number): unknown {
    if (after === line.length) {
      // `key:` then the value on the lines below, two columns in.
      this.i++;
      const inner = col + 2;
      const next = this.lines[this.i];
      if (next === undefined || indentOf(next) !== inner) throw NOT_EMITTED;
      if (next.length === inner + 2 && (next.endsWith('{}') || next.endsWith('[]'))) {
        this.i++;
        return next.endsWith('{}') ? {} : [];
      }
      return next.startsWith('- ', inner) ? this.seq(inner) : this.map(inner);
    }
    if (line[after] !== ' ') throw NOT_EMITTED;
    const token = line.slice(after + 1);
    this.i++;
    if (token === '{}') return {};
    if (token === '[]') return [];
    return scalar(token);
  }

  /** A list whose first `- ` is at column `col` of the current line. */
  public seq(col: number): unknown[] {
    const out: unknown[] = [];
    let first = true;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (!first && indentOf(line) !== col) break;
      if (!line.startsWith('- ', col)) {
        if (first) throw NOT_EMITTED;
        break;
      }
      first = false;
      const at = col + 2;
      const rest = line.slice(at);
      if (rest === '{}' || rest === '[]') {
        out.push(rest === '{}' ? {} : []);
        this.i++;
      } else if (rest.startsWith('- ')) {
        out.push(this.seq(at));
      } else if (entryKey(line, at) !== undefined) {
        out.push(this.map(at));
      } else {
        out.push(scalar(rest));
        this.i++;
      }
    }
    return out;
  }
}

/**
 * The one document of `text` when toYaml wrote it (a map under `# ` header
 * lines), or undefined: then the text needs the general parser.
 */
export function readEmitted(text: string): EmittedDocument | undefined {
  if (!text.endsWith('\n') || text.includes('\r')) return undefined;
  const lines = text.split('\n');
  lines.pop();
  const header: string[] = [];
  let first = 0;
  while (first < lines.length && lines[first][0] === '#') {
    const line = lines[first];
    if (line === '#') header.push('');
    else if (line.startsWith('# ')) header.push(line.slice(2));
    else return undefined;
    first++;
  }
  const body = lines[first];
  if (body === undefined || body === '' || body[0] === ' ' || body[0] === '-' || body === '{}') return undefined;
  let value: Record<string, unknown>;
  try {
    const reader = new Reader(lines, first);
    value = reader.map(0);
    if (reader.line !== lines.length) return undefined;
    // The check that makes the result trustworthy (see above).
    if (toYaml(value, header) !== text) return undefined;
  } catch {
    // Not our form, or a value toYaml refuses (a key named <<): the general parser reads it, and says what is wrong.
    return undefined;
  }
  return { value, line: first + 1 };
}
