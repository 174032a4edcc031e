import * as path from 'node:path';
import { isAlias, isCollection, isNode, isScalar, parseAllDocuments, visit } from 'yaml';
import type { Document, ParseOptions, DocumentOptions, Scalar, SchemaOptions, YAMLMap } from 'yaml';
import type { Finding } from '../analysis/finding';
import { yamlErrorReason } from './yaml-error-reason';
import { readEmitted } from './emitted-yaml';
import { GO_TAG_REFUSED, GO_YAML_BOOLEAN, GO_YAML_EXPLICIT_TAGS, GO_YAML_FLOAT, GO_YAML_INT, goInteger, goNumberKey, isYaml12Number } from './go-yaml-scalars';

/** One value read from a manifest file: a document, or an item of a `kind: List` document. */
export interface ManifestValue {
  readonly value: unknown;
  /** 1-based line where it starts. */
  readonly line: number;
}

/** Expanding more aliases than this per document is an alias bomb ("billion laughs"), refused before it takes the memory. */
const MAX_ALIAS_COUNT = 100;

const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // Merge keys (`<<: *defaults`), which Go's reader honours and YAML 1.2 dropped.
  merge: true,
  // Scalars resolved as Go's YAML 1.1 reader resolves them (go-yaml-scalars.ts), YAML 1.2's numbers left out.
  // An explicit !!int, !!float, !!bool, !!null, !!timestamp or !!binary is read as Go reads it too, or refused where Go refuses it.
  customTags: (tags) => [...GO_YAML_EXPLICIT_TAGS, GO_YAML_BOOLEAN, GO_YAML_INT, GO_YAML_FLOAT, ...tags.filter((t) => typeof t !== 'object' || !isYaml12Number(t))],
  // Not YAML 1.1's !!set, !!omap and !!pairs as a Set and Maps: Go reads them as the mapping or list written.
  resolveKnownTags: false,
  // yaml prints its warnings to stderr, quoting the file: a credential there
  // would be printed outside any finding. What they warn of is a finding below.
  logLevel: 'error',
  // Two keys are refused here only when they are the same text; keys that
  // differ in YAML but are one key once Go has read them (`0644:` and
  // `420:`) are refused by goJsonProblem, which can say why.
  uniqueKeys: (a, b) => a === b || (isScalar(a) && isScalar(b) && a.value === b.value && (typeof a.value === 'string' || a.source === b.source)),
};

/**
 * The offset of the first mapping key that is a list or a mapping (`? [a, b]`,
 * or an alias of one). Go's YAML reader refuses such a key ("invalid map
 * key"), so kubectl, Argo CD and Flux refuse the file; JavaScript would make
 * it a string.
 */
function collectionKeyOffset(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!isCollection(key)) return undefined;
      at = (isNode(pair.key) ? pair.key.range?.[0] : undefined) ?? contentOffset(doc) ?? 0;
      return visit.BREAK;
    },
  });
  return at;
}

/** What sigs.k8s.io/yaml refuses in a document once Go's reader has read it, at an offset. */
interface GoJsonProblem {
  readonly at: number;
  readonly message: string;
  readonly fix: string;
}

/** The JSON key sigs.k8s.io/yaml makes of a scalar key Go read, or undefined for a null or merge (`<<`) key. */
function jsonKeyOf(key: Scalar): string | undefined {
  const v = key.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && typeof key.source === 'string') return goNumberKey(key.source, v);
  return undefined;
}

/** A key as written, and what Go's reader reads it as: `0644 (the integer 420: a leading 0 is octal)`. */
function keyReading(key: Scalar): string {
  const written = key.type === 'PLAIN' && typeof key.source === 'string' ? key.source : JSON.stringify(key.value);
  const v = key.value;
  if (typeof v === 'boolean') return `${written} (the boolean ${v})`;
  if (typeof v !== 'number') return `${written} (a string)`;
  const src = written.replace(/^[-+]/, '');
  const n = goInteger(written);
  if (n === undefined) return `${written} (the float ${String(v)})`;
  const base = /^0_*[xX]/.test(src) ? ': hexadecimal' : /^0_*[bB]/.test(src) ? ': binary' : /^0_*[oO]/.test(src) || /^0_*[0-7]/.test(src) ? ': a leading 0 is octal' : '';
  return `${written} (the integer ${String(n)}${base}${src.includes('_') ? ', its _ dropped' : ''})`;
}

/**
 * The first key of `map` that is the same JSON key as an earlier one once
 * Go has read both (`0644:` and `420:`, `yes:` and `true:`, `"16":` and
 * `0x10:`). Only a map with a number or boolean key can hold one (equal
 * strings are refused as the same text), so most maps cost one pass over
 * their keys and nothing more.
 */
function sameKeyOnceRead(map: YAMLMap): { first: Scalar; second: Scalar; json: string } | undefined {
  if (!map.items.some((p) => isScalar(p.key) && (typeof p.key.value === 'number' || typeof p.key.value === 'boolean'))) return undefined;
  const seen = new Map<string, Scalar>();
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const json = jsonKeyOf(pair.key);
    if (json === undefined) continue;
    const first = seen.get(json);
    if (first !== undefined) return { first, second: pair.key, json };
    seen.set(json, pair.key);
  }
  return undefined;
}

/**
 * Turn number keys into the strings sigs.k8s.io/yaml makes of them (`0644:`
 * is "420", `1e20:` is "1e+20"), and find what it cannot convert to JSON: a
 * null key (`~:`, `null:`), and an infinity or NaN value (`.inf`, `.nan`),
 * which make kubectl, Argo CD and Flux refuse the file; and two keys that
 * are one once read (`0644:` and `420:`), of which they keep one value.
 */
function goJsonProblem(doc: Document.Parsed, lineOf: (offset: number | undefined) => number): GoJsonProblem | undefined {
  let problem: GoJsonProblem | undefined;
  const at = (node: unknown) => (isNode(node) ? node.range?.[0] : undefined) ?? contentOffset(doc) ?? 0;
  visit(doc, {
    // Before its pairs, whose number keys the Pair visitor turns into strings.
    Map(_, map) {
      const same = sameKeyOnceRead(map);
      if (same === undefined) return undefined;
      problem = {
        at: at(same.second),
        message:
          `the key ${keyReading(same.second)} is the same key as ${keyReading(same.first)} at line ${lineOf(same.first.range?.[0])} once Go's YAML 1.1 reader has read them ` +
          `(sigs.k8s.io/yaml makes both the JSON key "${same.json}"): kubectl, Argo CD and Flux keep only one of the two values, and which one is not defined`,
        fix: 'Keep one of the two keys, with the value meant; quote a key meant as text ("0644":) so every reader takes it as written.',
      };
      return visit.BREAK;
    },
    Pair(_, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (key === null || (isScalar(key) && key.value === null)) {
        problem = {
          at: at(pair.key ?? pair.value),
          message: "not valid Kubernetes YAML: a mapping key is null (an unquoted ~ or null, or no key at all); kubectl, Argo CD and Flux refuse the file (sigs.k8s.io/yaml: unsupported map key of type <nil>)",
          fix: 'Quote the key ("~": or "null":) if it is text, or remove the entry.',
        };
        return visit.BREAK;
      }
      if (isScalar(key) && typeof key.value === 'number' && typeof key.source === 'string') key.value = goNumberKey(key.source, key.value);
      return undefined;
    },
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'number' || Number.isFinite(node.value)) return undefined;
      const what = Number.isNaN(node.value) ? 'not a number' : 'an infinity';
      problem = {
        at: at(node),
        message: `not valid Kubernetes YAML: an unquoted .inf or .nan is ${what} to Go's YAML 1.1 reader, which JSON cannot hold; kubectl, Argo CD and Flux refuse the file (json: unsupported value)`,
        fix: 'Quote it (".inf") if it is text, or write a finite number.',
      };
      return visit.BREAK;
    },
  });
  return problem;
}

/** Byte-order marks Go's YAML reader decodes; without one a file is read as UTF-8. */
function decode(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The 1-based line of the first byte that is not UTF-8: the longest prefix that decodes, by bisection. */
function firstInvalidLine(bytes: Buffer): number {
  let [good, bad] = [0, bytes.length];
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      good = mid;
    } catch {
      bad = mid;
    }
  }
  let line = 1;
  for (let i = 0; i < good; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Line numbers of offsets in one text, counted once. */
function lineIndex(text: string): (offset: number | undefined) => number {
  let starts: number[] | undefined;
  return (offset) => {
    if (offset === undefined) return 1;
    starts ??= [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
    let [lo, hi] = [0, starts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Where a document's content starts (after `---` and leading comments). */
function contentOffset(doc: Document.Parsed): number | undefined {
  return isNode(doc.contents) ? doc.contents.range?.[0] : doc.range[0];
}

/** Where the first alias with no anchor before it is, if one is. */
function unresolvedAliasOffset(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at;
}

/** A `kind: List` (or `WasmPluginList`, `ServiceList`...) document: kubectl applies its items. */
function isList(value: unknown): value is { kind: string; items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown } | null;
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function parseFinding(file: string, message: string, fix: string): Finding {
  return { rule: 'manifests/parse', severity: 'error', message, file, fix };
}

const TEMPLATE_MARK = /\{\{/;

/**
 * A file that could not be read as manifests and holds `{{`: a Helm or Go
 * template, whose every finding would be noise (it is rendered before
 * anything reads it). Undefined for any other file.
 */
export function templateFinding(rel: string, text: string | undefined): Finding | undefined {
  const at = text === undefined ? -1 : text.search(TEMPLATE_MARK);
  if (at < 0) return undefined;
  const line = lineIndex(text!)(at);
  return parseFinding(
    `${rel}:${line}`,
    `a template (Helm or Go: {{ ... }} at line ${line}), not a manifest`,
    'Point --manifests at rendered manifests: `helm template RELEASE CHART --output-dir DIR` (or your template tool) writes them.',
  );
}

export interface FileDocuments {
  /** The file as text; undefined when it is not text. */
  readonly text?: string;
  readonly values: ManifestValue[];
  /** What could not be read, each naming the file and line. */
  readonly findings: Finding[];
}

/**
 * Every value in one manifest file, each document and each item of a list
 * document, with its line; what cannot be read becomes a finding naming the
 * file and line. Never quotes the file's content: a Secret's value could be
 * anywhere in it.
 */
export function readDocuments(rel: string, bytes: Buffer): FileDocuments {
  const text = decode(bytes);
  if (text === undefined) {
    const finding = parseFinding(
      `${rel}:${firstInvalidLine(bytes)}`,
      'not UTF-8: the file holds bytes that are not UTF-8 text (saved as Latin-1 or Windows-1252?); kubectl, Argo CD and Flux refuse it too',
      'Save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`).',
    );
    return { values: [], findings: [finding] };
  }
  // Go's YAML reader (kubectl, kustomize, so Argo CD and Flux) breaks lines at NEL, LS and PS as well, where
  // JavaScript's does not: a key after one in a comment is applied, and read by no one here. Synth escapes them.
  const lineBreak = YAML11_ONLY_BREAK.exec(text);
  if (lineBreak !== null) {
    const name = BREAK_NAMES[lineBreak[0]];
    const finding = parseFinding(
      `${rel}:${lineIndex(text)(lineBreak.index)}`,
      `holds ${name} unescaped: Go's YAML reader, which kubectl, Argo CD and Flux read manifests with, takes it for a line break and this reader does not, so the two read different objects (a comment can hide a key)`,
      `Remove it, or write it as an escape inside double quotes ("\\u${lineBreak[0].charCodeAt(0).toString(16).padStart(4, '0')}").`,
    );
    return { values: [], findings: [finding] };
  }
  // Synth's own files (most of what is read) need no general parser: emitted-yaml.ts says why that is safe.
  const emitted = readEmitted(text);
  if (emitted !== undefined && !isList(emitted.value)) return { text, values: [emitted], findings: [] };
  return parseDocuments(rel, text);
}

// YAML 1.1's line breaks beyond CR and LF; YAML 1.2, which the yaml library reads, dropped them.
const YAML11_ONLY_BREAK = /[\u0085\u2028\u2029]/;
const BREAK_NAMES: Record<string, string> = { '\u0085': 'U+0085 (NEL, next line)', '\u2028': 'U+2028 (line separator)', '\u2029': 'U+2029 (paragraph separator)' };

/** readDocuments of a decoded text, always through the general YAML parser. */
export function parseDocuments(rel: string, text: string): FileDocuments {
  const lineOf = lineIndex(text);
  const values: ManifestValue[] = [];
  const findings: Finding[] = [];
  for (const doc of parseAllDocuments(text, PARSE_OPTIONS)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const duplicate = e.code === 'DUPLICATE_KEY';
      const tagRefused = e.code === 'TAG_RESOLVE_FAILED' && e.message.startsWith(GO_TAG_REFUSED);
      findings.push(
        parseFinding(
          `${rel}:${e.linePos?.[0]?.line ?? lineOf(e.pos[0])}`,
          tagRefused ? `not valid Kubernetes YAML: ${e.message.split('\n')[0]}` : `not valid YAML: ${yamlErrorReason(e.message)}`,
          duplicate
            ? 'Keep one of the two keys, the one meant: kustomize refuses the file (mapping key "..." already defined), so Flux, kubectl apply -k and Argo CD\'s kustomize apps fail, while kubectl apply -f keeps the last value without a word.'
            : tagRefused
              ? 'Write the value the tag names (!!int an integer, !!float a number, !!bool true or false, !!null ~, !!timestamp a date such as 2024-01-31 or 2024-01-31T10:00:00Z, !!binary padded base64), or drop the tag; a value meant as text is quoted, or tagged !!str.'
              : 'Fix the YAML syntax.',
        ),
      );
      continue;
    }
    const keyAt = collectionKeyOffset(doc);
    if (keyAt !== undefined) {
      findings.push(
        parseFinding(
          `${rel}:${lineOf(keyAt)}`,
          'not valid Kubernetes YAML: a mapping key is a list or a mapping (? [...] or ? {...}); kubectl, Argo CD and Flux refuse the file (Go\'s YAML reader: invalid map key)',
          'Write the key as a string; if the key line was meant as a value, remove the `?` or fix its indentation.',
        ),
      );
      continue;
    }
    const goProblem = goJsonProblem(doc, lineOf);
    if (goProblem !== undefined) {
      findings.push(parseFinding(`${rel}:${lineOf(goProblem.at)}`, goProblem.message, goProblem.fix));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // An alias to no anchor, or so many aliases that expanding them would exhaust memory.
      findings.push(
        parseFinding(
          `${rel}:${lineOf(unresolvedAliasOffset(doc) ?? contentOffset(doc))}`,
          `not valid YAML: ${yamlErrorReason((e as Error).message)}`,
          `Fix the YAML: every alias (*name) needs an anchor (&name) before it, and manifests need no more than ${MAX_ALIAS_COUNT} aliases per document.`,
        ),
      );
      continue;
    }
    // An empty document, or one that is only a comment: nothing to apply, as kubectl skips it.
    if (value === null || value === undefined) continue;
    if (!isList(value)) {
      values.push({ value, line: lineOf(contentOffset(doc)) });
      continue;
    }
    value.items.forEach((item, i) => {
      const node = doc.getIn(['items', i], true);
      values.push({ value: item, line: lineOf(isNode(node) ? node.range?.[0] : contentOffset(doc)) });
    });
  }
  return { text, values, findings };
}

/** A Helm chart's own files, which are no Kubernetes objects. */
export function isHelmChartFile(rel: string): boolean {
  return /^(?:Chart|values(?:[.-][\w.-]*)?)\.ya?ml$/.test(path.posix.basename(rel));
}
