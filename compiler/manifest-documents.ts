import * as path from 'node:path';
import { isAlias, isCollection, isNode, parseAllDocuments, visit } from 'yaml';
import type { Document, ParseOptions, DocumentOptions, SchemaOptions, ScalarTag } from 'yaml';
import type { Finding } from '../analysis/finding';

/** One value read from a manifest file: a document, or an item of a `kind: List` document. */
export interface ManifestValue {
  readonly value: unknown;
  /** 1-based line where it starts. */
  readonly line: number;
}

/** Expanding more aliases than this per document is an alias bomb ("billion laughs"), refused before it takes the memory. */
const MAX_ALIAS_COUNT = 100;

/*
 * kubectl, Argo CD and Flux read YAML with Go's YAML 1.1 reader, where an
 * unquoted y, yes, on, n, no, off (any of their capitalised forms) is a
 * boolean, not a string: `enabled: yes` sends `true` to the API server, and
 * a label value `no` is refused there as a boolean. Read as they read them,
 * so every check sees what the cluster would get.
 */
const GO_YAML_BOOLEAN: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (source) => /^(?:[yY]|yes|Yes|YES|on|On|ON)$/.test(source),
};

const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // Merge keys (`<<: *defaults`), which Go's reader honours and YAML 1.2 dropped.
  merge: true,
  customTags: (tags) => [GO_YAML_BOOLEAN, ...tags],
  // yaml prints its warnings to stderr, quoting the file: a credential there
  // would be printed outside any finding. What they warn of is a finding below.
  logLevel: 'error',
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
  const lineOf = lineIndex(text);
  const values: ManifestValue[] = [];
  const findings: Finding[] = [];
  for (const doc of parseAllDocuments(text, PARSE_OPTIONS)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const duplicate = e.code === 'DUPLICATE_KEY';
      findings.push(
        parseFinding(
          `${rel}:${e.linePos?.[0]?.line ?? lineOf(e.pos[0])}`,
          `not valid YAML: ${e.message.split('\n')[0]}`,
          duplicate
            ? 'Keep one of the two keys: kubectl, Argo CD and Flux refuse the file too (Go\'s YAML reader: mapping key "..." already defined), and which value was meant is yours to say.'
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
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // An alias to no anchor, or so many aliases that expanding them would exhaust memory.
      findings.push(
        parseFinding(
          `${rel}:${lineOf(contentOffset(doc))}`,
          `not valid YAML: ${(e as Error).message.split('\n')[0]}`,
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
