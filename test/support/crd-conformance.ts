// Test support: checks a Kubernetes object against the real CRDs in ../shared/crds the way the
// API server would on create (prune/default, OpenAPI schema, x-kubernetes-validations CEL rules).
// The CRDs are read at runtime so the tests follow whatever upstream versions sit in that folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isIP, isIPv6 } from 'node:net';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { Environment } from '@marcbachmann/cel-js';

export interface CrdViolation {
  path: string;
  message: string;
  kind: 'schema' | 'cel';
}

export interface CrdChecker {
  /** Violations for one object; [] when it conforms. Throws if no loaded CRD serves obj.apiVersion/kind. */
  check(obj: unknown): CrdViolation[];
  /** apiVersion/kind pairs this checker serves, e.g. 'extensions.istio.io/v1alpha1 WasmPlugin'. */
  readonly served: string[];
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const SHARED_CRDS_DIR: string = process.env.WAYPOINT_POLICY_SHARED_DIR
  ? path.resolve(process.env.WAYPOINT_POLICY_SHARED_DIR, 'crds')
  : path.resolve(REPO_ROOT, '..', 'shared', 'crds');

/** The subset of a CRD openAPIV3Schema node this checker reads. */
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  nullable?: boolean;
  default?: unknown;
  format?: string;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  not?: Schema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  [keyword: string]: unknown;
}

interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

interface ServedVersion {
  schema: Schema;
  statusSubresource: boolean;
  validate?: ValidateFunction;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The checker for the real CRDs in ../shared/crds. Their absence is an
 * error, not a reason to skip: conformance to them is what the tests prove.
 */
export function loadCrdChecker(): CrdChecker {
  if (!fs.existsSync(SHARED_CRDS_DIR)) {
    throw new Error(
      `the real CRDs are not at ${SHARED_CRDS_DIR}: the tests check our output against them. ` +
        'Put the shared reference folder beside the repository (../shared, as CI does), or point WAYPOINT_POLICY_SHARED_DIR at it.',
    );
  }
  const versions = new Map<string, ServedVersion>();
  for (const file of fs
    .readdirSync(SHARED_CRDS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(SHARED_CRDS_DIR, file), 'utf8'))) {
      const crd = doc.toJS() as Json | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const spec = crd.spec as { group: string; names: { kind: string }; versions: Json[] };
      for (const v of spec.versions) {
        if (!v.served) continue;
        const schema = (v.schema as { openAPIV3Schema: Schema }).openAPIV3Schema;
        const statusSubresource = isObject(v.subresources) && 'status' in v.subresources;
        versions.set(`${spec.group}/${v.name} ${spec.names.kind}`, { schema, statusSubresource });
      }
    }
  }
  const ajv = newAjv();
  return {
    served: [...versions.keys()],
    check(obj: unknown): CrdViolation[] {
      const key = isObject(obj) ? `${String(obj.apiVersion)} ${String(obj.kind)}` : String(obj);
      const version = versions.get(key);
      if (!version) throw new Error(`no loaded CRD serves "${key}" (served: ${[...versions.keys()].join(', ')})`);
      // A JSON round trip is what the object goes through on its way to the API server
      // (undefined dropped, Dates stringified), and it gives us a copy we may default in place.
      const sent = JSON.parse(JSON.stringify(obj)) as Json;
      applyDefaults(sent, version.schema);
      // On create the API server drops status when the status subresource is enabled.
      if (version.statusSubresource) delete sent.status;
      version.validate ??= ajv.compile(toJsonSchema(version.schema, true, true));
      const out: CrdViolation[] = [];
      if (!version.validate(sent)) {
        for (const e of version.validate.errors ?? []) out.push(schemaViolation(e, version.schema));
      }
      checkCel(sent, version.schema, [], version.schema, out, true);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Defaulting, as the API server does on decode: non-nullable nulls are pruned, then every missing
// property with a `default` gets a copy of it, top-down, so defaults nested inside defaults apply too.

function applyDefaults(value: unknown, schema: Schema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (value[name] === null && !prop.nullable) delete value[name];
    if (!(name in value) && prop.default !== undefined) value[name] = structuredClone(prop.default);
  }
  for (const [name, child] of Object.entries(value)) {
    const childSchema = propertySchema(schema, name);
    if (child === null && childSchema && !childSchema.nullable) {
      delete value[name]; // a null map entry
    } else {
      applyDefaults(child, childSchema);
    }
  }
}

/** Schema of a declared property, else of a map entry; undefined for unknown fields. */
function propertySchema(schema: Schema, name: string): Schema | undefined {
  const declared = schema.properties?.[name];
  if (declared) return declared;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 (Kubernetes flavour) -> JSON Schema for ajv.

// The API server validates metadata with its own ObjectMeta rules, not the CRD schema (which only
// says `type: object`); we only insist on the parts our compiler always has to get right.
const METADATA_SCHEMA = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const COPIED_KEYWORDS = new Set([
  'type',
  'required',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
]);
const IGNORED_KEYWORDS = new Set(['description', 'title', 'example', 'externalDocs', 'default']);
// Formats the API server validates; it ignores (strips) any other format.
const KNOWN_FORMATS = new Set(['int32', 'int64', 'date-time', 'ipv4', 'ipv6']);

/**
 * `structural` is false inside oneOf/anyOf/allOf/not: those branches only add value checks in
 * Kubernetes, so they must not close objects against unknown fields.
 */
function toJsonSchema(s: Schema, structural: boolean, root = false): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (COPIED_KEYWORDS.has(k)) out[k] = v;
    else if (k === 'format') {
      if (typeof v === 'string' && KNOWN_FORMATS.has(v)) out.format = v;
    } else if (k === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, Schema>).map(([name, p]) => [name, toJsonSchema(p, structural)]),
      );
    } else if (k === 'items') out.items = toJsonSchema(v as Schema, structural);
    else if (k === 'additionalProperties') out[k] = typeof v === 'boolean' ? v : toJsonSchema(v as Schema, structural);
    else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
      // int-or-string comes with anyOf [{type: integer}, {type: string}]; the type union below
      // already says that, and keeping it would triple every error message.
      const redundant =
        k === 'anyOf' &&
        s['x-kubernetes-int-or-string'] &&
        (v as Schema[]).some((b) => Object.keys(b).join() === 'type');
      if (!redundant) out[k] = (v as Schema[]).map((b) => toJsonSchema(b, false));
    } else if (k === 'not') out.not = toJsonSchema(v as Schema, false);
    // OpenAPI 3.0 spells exclusive bounds as booleans next to minimum/maximum.
    else if (k === 'exclusiveMinimum' || k === 'exclusiveMaximum') {
      const bound = k === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (v === true) out[k] = s[bound];
    } else if (k === 'x-kubernetes-list-type') {
      if (v === 'map') out.k8sListUnique = s['x-kubernetes-list-map-keys'] ?? [];
      if (v === 'set') out.k8sListUnique = 'set';
    } else if (k === 'nullable' || k === 'x-kubernetes-int-or-string') {
      // handled below, once `type`/`enum` are known
    } else if (k.startsWith('x-kubernetes-') || IGNORED_KEYWORDS.has(k)) {
      // other extensions (list-map-keys, map-type, validations, preserve-unknown-fields...) are
      // either handled elsewhere or carry no value validation
    } else {
      throw new Error(`crd-conformance: unsupported schema keyword "${k}"`);
    }
  }
  if (root) {
    // Every kind has these at the top, whether or not the CRD schema lists them (WasmPlugin's does not).
    const props = (out.properties ?? {}) as Json;
    out.properties = { ...props, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: METADATA_SCHEMA };
  }
  if (s.exclusiveMinimum === true) delete out.minimum;
  if (s.exclusiveMaximum === true) delete out.maximum;
  if (s['x-kubernetes-int-or-string']) out.type = ['integer', 'string'];
  if (s.nullable) {
    if (out.type !== undefined) out.type = [...[out.type].flat(), 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  // For structural schemas the API server silently prunes undeclared fields. We report them
  // instead, because the compiler must never emit a field the CRD does not know.
  const objectNode = s.type === 'object' || s.properties !== undefined;
  if (structural && objectNode && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function newAjv(): Ajv {
  // Unions (int-or-string, nullable) and properties-without-type in oneOf branches are normal in
  // CRDs, so strictTypes is off; strictSchema stays on to catch conversion mistakes.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
  const intRange = (bits: number) => (n: number) =>
    Number.isInteger(n) && n >= -(2 ** (bits - 1)) && n <= 2 ** (bits - 1) - 1;
  // Recent API servers enforce int32/int64 ranges (kubernetes#136091); older ones did not, but
  // the Go controllers reading these fields would still fail to decode an out-of-range value.
  ajv.addFormat('int32', { type: 'number', validate: intRange(32) });
  ajv.addFormat('int64', { type: 'number', validate: intRange(64) });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
  // Go strfmt: net.ParseIP succeeds and the text has a '.' (ipv4) or a ':' (ipv6). Node's isIP
  // also accepts IPv6 zones ("%eth0"), which ParseIP does not.
  const goParseIP = (s: string) => isIP(s) !== 0 && !s.includes('%');
  ajv.addFormat('ipv4', (s: string) => goParseIP(s) && s.includes('.'));
  ajv.addFormat('ipv6', (s: string) => goParseIP(s) && s.includes(':'));
  ajv.addKeyword({
    keyword: 'k8sListUnique',
    type: 'array',
    errors: true,
    validate: function unique(
      keys: string[] | 'set',
      data: unknown[],
      _parent?: unknown,
      cxt?: { instancePath: string },
    ) {
      const seen = new Set<string>();
      const errors: Partial<ErrorObject>[] = [];
      data.forEach((item, i) => {
        const id =
          keys === 'set' ? canonicalJson(item) : canonicalJson(keys.map((k) => (isObject(item) ? item[k] : undefined)));
        if (seen.has(id)) {
          const shown =
            keys === 'set'
              ? id
              : canonicalJson(Object.fromEntries(keys.map((k) => [k, isObject(item) ? item[k] : undefined])));
          errors.push({
            keyword: 'k8sListUnique',
            instancePath: `${cxt?.instancePath ?? ''}/${i}`,
            params: {},
            message: `Duplicate value: ${shown}`,
          });
        }
        seen.add(id);
      });
      (unique as { errors?: unknown }).errors = errors;
      return errors.length === 0;
    },
  });
  return ajv;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}

function schemaViolation(e: ErrorObject, root: Schema): CrdViolation {
  const segs = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const p = e.params as Record<string, unknown>;
  let message = e.message ?? e.keyword;
  switch (e.keyword) {
    case 'required':
      segs.push(String(p.missingProperty));
      message = 'Required value';
      break;
    case 'additionalProperties':
      segs.push(String(p.additionalProperty));
      message = 'unknown field';
      break;
    case 'enum':
      message = `Unsupported value: ${JSON.stringify(e.data)}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'pattern':
      message = `should match '${String(p.pattern)}'`;
      break;
    case 'format':
    case 'type':
      message = `must be of type ${String(p.format ?? p.type)}: ${JSON.stringify(e.data)}`;
      break;
    case 'minimum':
    case 'maximum':
      message = `should be ${e.keyword === 'minimum' ? 'greater' : 'less'} than or equal to ${String(p.limit)}`;
      break;
    case 'maxItems':
      message = `Too many: ${(e.data as unknown[]).length}: must have at most ${String(p.limit)} items`;
      break;
  }
  return { path: renderPath(root, segs), message, kind: 'schema' };
}

/** spec.targetRefs[0].namespace; map keys render as [key], like Kubernetes field paths. */
function renderPath(root: Schema, segs: string[]): string {
  let out = '';
  let node: Schema | undefined = root;
  for (const seg of segs) {
    const declared: Schema | undefined = node?.properties?.[seg];
    const mapEntry = node && typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    if (declared || (!node?.items && !mapEntry && /^[A-Za-z_][\w-]*$/.test(seg))) {
      out += out ? `.${seg}` : seg;
      node = declared;
    } else {
      out += `[${seg}]`;
      node = node?.items ?? mapEntry;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CEL: every x-kubernetes-validations rule, evaluated at its node with `self` bound to that value.

/** Parsed value of Kubernetes' url() type; only what getScheme() needs. */
class KubernetesURL {
  constructor(readonly scheme: string) {}
}

const cel = new Environment()
  .registerVariable('self', 'dyn')
  .registerType('kubernetes.URL', KubernetesURL)
  // Kubernetes URL library: isURL/url parse with Go's url.ParseRequestURI.
  .registerFunction('isURL(string): bool', (s: string) => typeof parseRequestURI(s) !== 'string')
  .registerFunction('url(string): kubernetes.URL', (s: string) => {
    const parsed = parseRequestURI(s);
    if (typeof parsed === 'string') throw new Error(`URL parse error during conversion from string: ${parsed}`);
    return parsed;
  })
  .registerFunction('kubernetes.URL.getScheme(): string', (u: KubernetesURL) => u.scheme);

type Program = ((ctx: Json) => unknown) | Error;
const programs = new Map<string, Program>();

function compile(expr: string): Program {
  let program = programs.get(expr);
  if (!program) {
    try {
      program = cel.parse(expr);
    } catch (e) {
      program = e instanceof Error ? e : new Error(String(e));
    }
    programs.set(expr, program);
  }
  return program;
}

function evaluate(expr: string, self: unknown): unknown {
  const program = compile(expr);
  if (program instanceof Error) throw program;
  return program({ self });
}

function checkCel(
  value: unknown,
  schema: Schema | undefined,
  segs: string[],
  root: Schema,
  out: CrdViolation[],
  isRoot = false,
): void {
  // Like the API server: no rules on absent/null values, and a value of the wrong type already
  // has a schema violation, so evaluating rules against it would only add noise.
  if (!schema || value === null || value === undefined || !hasSchemaType(value, schema)) return;
  const rules = schema['x-kubernetes-validations'] ?? [];
  if (rules.length) {
    const self = toCel(value, schema, isRoot);
    for (const rule of rules) {
      // Transition rules compare against the stored object; a create has no oldSelf, and the
      // API server skips them then too.
      if (/\boldSelf\b/.test(rule.rule)) continue;
      const violation = evaluateRule(rule, self);
      if (violation) {
        const at = renderPath(root, [...segs, ...fieldPathSegments(rule.fieldPath)]);
        out.push({ path: at, message: violation, kind: 'cel' });
      }
    }
  }
  if (Array.isArray(value)) value.forEach((item, i) => checkCel(item, schema.items, [...segs, String(i)], root, out));
  else if (isObject(value)) {
    for (const [name, child] of Object.entries(value))
      checkCel(child, propertySchema(schema, name), [...segs, name], root, out);
  }
}

/** The failure message, or undefined when the rule holds. */
function evaluateRule(rule: CelRule, self: unknown): string | undefined {
  let result: unknown;
  try {
    result = evaluate(rule.rule, self);
  } catch (e) {
    return `CEL evaluation error: ${firstLine(e)} (rule: ${rule.rule})`;
  }
  if (result === true) return undefined;
  if (result !== false) return `CEL evaluation error: rule returned ${String(result)}, not a bool (rule: ${rule.rule})`;
  if (rule.messageExpression) {
    try {
      const msg = evaluate(rule.messageExpression, self);
      if (typeof msg === 'string' && msg.trim() !== '') return msg;
    } catch {
      // the API server falls back to the static message when messageExpression fails
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** `.a.b['c.d']` -> ['a', 'b', 'c.d'] */
function fieldPathSegments(fieldPath: string | undefined): string[] {
  const segs: string[] = [];
  const token = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]/gy;
  for (let m; fieldPath && (m = token.exec(fieldPath));) segs.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return segs;
}

function hasSchemaType(value: unknown, schema: Schema): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

/**
 * The value CEL sees: integers as int (BigInt), `number` fields as double, and undeclared fields
 * gone because the API server pruned them before validation. On the root object CEL may read only
 * metadata.name and metadata.generateName.
 */
function toCel(value: unknown, schema: Schema | undefined, isRoot = false): unknown {
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (isObject(value)) {
    const out: Json = {};
    const keepUnknown =
      !schema || schema['x-kubernetes-preserve-unknown-fields'] || schema.additionalProperties === true;
    for (const [name, child] of Object.entries(value)) {
      if (isRoot && name === 'metadata' && isObject(child)) {
        out.metadata = Object.fromEntries(Object.entries(child).filter(([k]) => k === 'name' || k === 'generateName'));
        continue;
      }
      const childSchema = schema && propertySchema(schema, name);
      if (childSchema || keepUnknown) out[name] = toCel(child, childSchema);
    }
    return out;
  }
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') return BigInt(value);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Go's net/url ParseRequestURI (what Kubernetes' isURL/url use), reduced to deciding success and
// the scheme. Returns an error string on failure.

function parseRequestURI(raw: string): KubernetesURL | string {
  if (/[\x00-\x1f\x7f]/.test(raw)) return 'invalid control character in URL';
  if (raw === '') return 'empty url';
  if (raw === '*') return new KubernetesURL('');
  if (raw.startsWith(':')) return 'missing protocol scheme';
  // A scheme is letters first, then letters/digits/+-. up to the first ':'; anything else means "no scheme".
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw);
  const scheme = schemeMatch ? schemeMatch[1].toLowerCase() : '';
  let rest = schemeMatch ? raw.slice(schemeMatch[0].length) : raw;
  rest = rest.split('?')[0]; // the query is not validated
  if (!rest.startsWith('/')) return scheme ? new KubernetesURL(scheme) : 'invalid URI for request'; // opaque, e.g. mailto:x
  if (scheme && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const err = checkAuthority(authority);
    if (err) return err;
  }
  return badEscape(rest) ? 'invalid URL escape' : new KubernetesURL(scheme);
}

function checkAuthority(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const err = checkHost(authority.slice(at + 1));
  if (err || at < 0) return err;
  const userinfo = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return 'net/url: invalid userinfo';
  return badEscape(userinfo) ? 'invalid URL escape' : undefined;
}

function checkHost(host: string): string | undefined {
  const validPort = (p: string) => /^(:\d*)?$/.test(p);
  let name = host;
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return "missing ']' in host";
    if (!validPort(host.slice(close + 1))) return 'invalid port after host';
    // Go >= 1.25.2 (CVE-2025-47912) accepts only an IPv6 address (optionally with a %25 zone) in brackets.
    const literal = host.slice(1, close).split('%25')[0];
    if (literal.includes('%') || !isIPv6(literal)) return 'invalid IPv6 host';
    name = host.slice(1, close).replace(/%25.*/, '');
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validPort(host.slice(colon))) return 'invalid port after host';
    name = colon >= 0 ? host.slice(0, colon) : host;
  }
  // Host characters: unreserved, sub-delims and a few Go tolerates; %-escapes only for non-ASCII bytes.
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '%') {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return 'invalid URL escape';
      if (parseInt(hex, 16) < 0x80 && hex !== '25') return 'invalid URL escape in host';
      i += 2;
    } else if (c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(c)) {
      return `invalid character ${JSON.stringify(c)} in host name`;
    }
  }
  return undefined;
}

/** A '%' not followed by two hex digits. */
const badEscape = (s: string) => /%(?![0-9A-Fa-f]{2})/.test(s);
