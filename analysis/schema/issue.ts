/**
 * The building blocks of our own object schemas: a problem found in one
 * emitted object, tagged with the finding rule it belongs to and with who in
 * a real cluster would refuse it. The checks are written from the reference
 * facts (docs/rules.md cites them); they are not generated from the CRD files.
 */

/**
 * Who refuses an object with this problem:
 * - `crd`: the API server, from the CRD's OpenAPI schema and CEL rules;
 * - `webhook`: istiod's validating webhook (the CRD accepts it);
 * - `istio`: nobody refuses it, but istiod ignores or rejects it at run time.
 */
export type EnforcedBy = 'crd' | 'webhook' | 'istio';

export interface SchemaIssue {
  /** The finding rule id (`schema/wasm-plugin`, `plugin/url-scheme`...). */
  readonly rule: string;
  /** Field path, Kubernetes style: `spec.targetRefs[0].kind`. */
  readonly path: string;
  /** What is wrong. Never contains a credential value. */
  readonly message: string;
  readonly enforcedBy: EnforcedBy;
}

type Json = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value's type as a message names it (`a list`, `a mapping`, `null`, `a number`), never its content: it may be a credential. */
export function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

/** `a.b`, `a[0]`, or `a[some/key]` for keys that are not identifiers (map keys). */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${key}]`;
}

/** Length as the API server counts it: in Unicode code points, not UTF-16 units. */
export function runeLength(s: string): number {
  // UTF-16 units minus one per surrogate pair (a lone surrogate counts as
  // one, as in \`[...s].length\`), without building an array per string.
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const show = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
};

export interface StringBounds {
  readonly min?: number;
  readonly max?: number;
  /** A pattern, with the plain words to say when it does not match. */
  readonly pattern?: { readonly re: RegExp; readonly says: string };
  readonly oneOf?: readonly string[];
}

/**
 * Collects the issues of one object. Every check returns whether the value
 * has the right type, so the CEL-like checks that follow only run on
 * well-typed values (as the API server does).
 */
export class IssueCollector {
  public readonly issues: SchemaIssue[] = [];

  /**
   * @param secretPaths fields whose values, at any depth, are never quoted:
   *   only their type is said (a WasmPlugin's `spec.vmConfig`, where modules
   *   get their API keys: a value put where `valueFrom` or a list of env
   *   entries belongs is most often the key itself).
   */
  constructor(
    private readonly schemaRule: string,
    private readonly secretPaths: readonly string[] = [],
  ) {}

  /** `v` as a message may quote it at `path`. */
  private show(v: unknown, path: string): string {
    if (this.secretPaths.length === 0 || !this.secretPaths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))) return show(v);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? `a ${typeof v} (not shown: it may be a credential)` : show(v);
  }

  public add(path: string, message: string, options: { rule?: string; by?: EnforcedBy } = {}): void {
    this.issues.push({ rule: options.rule ?? this.schemaRule, path, message, enforcedBy: options.by ?? 'crd' });
  }

  /**
   * An object with only `known` fields. Known fields set to null count as
   * absent (the API server prunes them before validating), so the returned
   * view omits them.
   */
  public object(v: unknown, path: string, known: readonly string[], required: readonly string[] = []): Json | undefined {
    if (!isPlainObject(v)) {
      this.add(path, `must be an object, got ${this.show(v, path)}`);
      return undefined;
    }
    const view: Json = {};
    // Object.keys, not Object.entries: entries builds a [key, value] array
    // per field, and every emitted object passes here several times.
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const child = v[k];
      if (!known.includes(k)) {
        this.add(childPath(path, k), `unknown field ${JSON.stringify(k)}; the CRD knows ${known.join(', ')}`);
        continue;
      }
      if (child !== null) view[k] = child;
    }
    for (const k of required) {
      if (view[k] === undefined) this.add(childPath(path, k), 'is required');
    }
    return view;
  }

  /**
   * A map of string values (labels, annotations, matchLabels). Null entries
   * are pruned like other nulls, except where the CRD schema does not
   * describe the map (ObjectMeta), which `keepNulls` says.
   */
  public stringMap(v: unknown, path: string, bounds: { maxValue?: number; maxEntries?: number; keepNulls?: boolean } = {}): Record<string, string> | undefined {
    if (!isPlainObject(v)) {
      this.add(path, `must be a map of strings, got ${this.show(v, path)}`);
      return undefined;
    }
    const out: Record<string, string> = {};
    let ok = true;
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const child = v[k];
      if (child === null && !bounds.keepNulls) continue;
      if (typeof child !== 'string') {
        this.add(childPath(path, k), `must be a string, got ${this.show(child, path)}`);
        ok = false;
        continue;
      }
      if (bounds.maxValue !== undefined && runeLength(child) > bounds.maxValue) {
        this.add(childPath(path, k), `must be at most ${bounds.maxValue} characters, got ${runeLength(child)}`);
      }
      out[k] = child;
    }
    if (bounds.maxEntries !== undefined && Object.keys(out).length > bounds.maxEntries) {
      this.add(path, `must have at most ${bounds.maxEntries} entries, got ${Object.keys(out).length}`);
    }
    return ok ? out : undefined;
  }

  public array(v: unknown, path: string, bounds: { min?: number; max?: number } = {}): unknown[] | undefined {
    if (!Array.isArray(v)) {
      this.add(path, `must be a list, got ${this.show(v, path)}`);
      return undefined;
    }
    if (bounds.min !== undefined && v.length < bounds.min) this.add(path, `must have at least ${bounds.min} item(s), got ${v.length}`);
    if (bounds.max !== undefined && v.length > bounds.max) this.add(path, `must have at most ${bounds.max} items, got ${v.length}`);
    return v;
  }

  public string(v: unknown, path: string, bounds: StringBounds = {}, rule?: string): v is string {
    if (typeof v !== 'string') {
      this.add(path, `must be a string, got ${this.show(v, path)}`, { rule });
      return false;
    }
    const n = bounds.min !== undefined || bounds.max !== undefined ? runeLength(v) : 0;
    if (bounds.oneOf && !bounds.oneOf.includes(v)) {
      this.add(path, `${this.show(v, path)} is not one of ${bounds.oneOf.join(', ')}`, { rule });
    }
    if (bounds.min !== undefined && n < bounds.min) {
      this.add(path, bounds.min === 1 ? 'must not be empty' : `must be at least ${bounds.min} characters, got ${n}`, { rule });
    }
    if (bounds.max !== undefined && n > bounds.max) this.add(path, `must be at most ${bounds.max} characters, got ${n}`, { rule });
    if (bounds.pattern && !bounds.pattern.re.test(v)) this.add(path, `${this.show(v, path)} ${bounds.pattern.says}`, { rule });
    return true;
  }

  public integer(v: unknown, path: string, bounds: { min?: number; max?: number; int32?: boolean } = {}): v is number {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.add(path, `must be an integer, got ${this.show(v, path)}`);
      return false;
    }
    if (bounds.int32 && (v < -(2 ** 31) || v > 2 ** 31 - 1)) {
      this.add(path, `${v} does not fit a 32-bit integer (-2147483648..2147483647)`);
    }
    if (bounds.min !== undefined && v < bounds.min) this.add(path, `must be at least ${bounds.min}, got ${v}`);
    if (bounds.max !== undefined && v > bounds.max) this.add(path, `must be at most ${bounds.max}, got ${v}`);
    return true;
  }

  /**
   * A list whose items are unique by `key` (`x-kubernetes-list-type: map`):
   * the API server refuses a duplicate key.
   */
  public uniqueBy(items: readonly unknown[], path: string, key: string, rule?: string): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const value = isPlainObject(item) ? item[key] : undefined;
      const id = JSON.stringify(value ?? null);
      const first = seen.get(id);
      if (first !== undefined) {
        this.add(childPath(path, i), `duplicate ${key} ${id} (also at ${childPath(path, first)}); entries must be unique by ${key}`, { rule });
      } else {
        seen.set(id, i);
      }
    });
  }
}

/** RFC 1123 subdomain, as CRD patterns spell it (no length). */
export const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** An API group: empty (core) or an RFC 1123 subdomain. */
export const GROUP = { re: /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, says: 'is not an API group (empty, or lower-case DNS name)' };
/** A kind: a letter, then letters, digits and '-', not ending in '-'. */
export const KIND = { re: /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, says: 'is not a kind (letters, digits and -, starting with a letter)' };
