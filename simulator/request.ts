import type { Finding } from '../analysis/finding';
import { isDnsLabel } from '../constructs/internal/schemas';
import { canonicalPath } from '../constructs/plugins/envoy-path';
import { fingerprint } from './redact';

/** One request to simulate, as a user writes it. */
export interface SimRequest {
  /**
   * The destination Service: `namespace/name`, or `namespace/name:port`.
   * Through an ingress gateway (`via`), the Service the route sends the request to.
   */
  readonly to: string;

  /**
   * The Service port.
   *
   * @default - the port in `to`; else the Service's only port when the manifests list it; else unset
   */
  readonly port?: number;

  /**
   * Enter through this ingress Gateway, `namespace/name`.
   *
   * @default - sent from a workload inside the mesh (an ambient client)
   */
  readonly via?: string;

  /**
   * The HTTP method, matched case-sensitively by basic_auth.
   *
   * @default 'GET'
   */
  readonly method?: string;

  /**
   * The path with its query string, as the client sends it.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Request headers. Names are case-insensitive; a list of pairs keeps
   * repeated headers.
   *
   * @default - no headers
   */
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

  /**
   * The `:authority` (Host) header.
   *
   * @default - `<name>.<namespace>.svc.<clusterDomain>[:port]`, in the model's cluster DNS domain (`PolicyApp` `clusterDomain`, `ReadManifestsOptions.clusterDomain`; `cluster.local` by default); through a gateway, the gateway's Service host in that domain
   */
  readonly authority?: string;

  /**
   * Which target (cluster or environment) of the model to simulate.
   *
   * @default - the only target that holds mesh objects
   */
  readonly target?: string;
}

/** A request as the proxies' HTTP filters see it. */
export interface HttpRequest {
  readonly method: string;
  /** The `:path` after Envoy's dot-segment normalisation, query string included. */
  readonly path: string;
  readonly authority: string;
  /** Lower-cased header name to its values, in the order sent. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
}

/** The parts of a request (or of its model) a SimulationError can be about; each is the rule id `simulator/<field>`, and the CLI maps it to its flag. */
export const REQUEST_FIELDS = ['to', 'port', 'via', 'method', 'path', 'headers', 'authority', 'target', 'model'] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];

/**
 * A request that cannot be simulated as written (a usage problem, never a
 * bug). Its message never contains a header value.
 */
export class SimulationError extends Error {
  public readonly finding: Finding;

  constructor(
    public readonly field: RequestField,
    message: string,
    fix?: string,
  ) {
    super(message);
    this.name = 'SimulationError';
    this.finding = { rule: `simulator/${field}`, severity: 'error', message, fix };
  }
}

export function isSimulationError(e: unknown): e is SimulationError {
  return e instanceof Error && e.name === 'SimulationError' && typeof (e as SimulationError).field === 'string';
}

/** A namespaced object named in a request. */
export interface ObjectName {
  readonly namespace: string;
  readonly name: string;
}

function parseNamespaced(field: RequestField, value: string, what: string, example: string): ObjectName {
  const slash = value.indexOf('/');
  const namespace = value.slice(0, slash);
  const name = value.slice(slash + 1);
  if (slash < 0 || !isDnsLabel(namespace) || !isDnsLabel(name)) {
    throw new SimulationError(field, `${field} ${JSON.stringify(value)} is not ${what}`, `Write ${what}, e.g. ${JSON.stringify(example)}.`);
  }
  return { namespace, name };
}

/** `namespace/name[:port]`. */
export function parseDestination(to: string): ObjectName & { readonly port?: number } {
  const m = /^(.*?)(?::(\d+))?$/.exec(to)!;
  const ref = parseNamespaced('to', m[1], 'NAMESPACE/SERVICE[:PORT]', 'default/productpage:9080');
  if (m[2] === undefined) return ref;
  return { ...ref, port: checkPort(Number(m[2]), `to ${JSON.stringify(to)}`) };
}

export function parseGateway(via: string): ObjectName {
  return parseNamespaced('via', via, 'NAMESPACE/GATEWAY', 'default/bookinfo-gateway');
}

export function checkPort(port: number, what = 'port'): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SimulationError('port', `${what}: port ${port} is not between 1 and 65535`);
  }
  return port;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function checkMethod(method: string): string {
  if (!TOKEN.test(method)) {
    throw new SimulationError('method', `method ${JSON.stringify(method)} is not an HTTP method token`, 'Use e.g. GET or POST.');
  }
  return method;
}

/**
 * Headers by lower-cased name. Values lose surrounding spaces and tabs, as
 * HTTP/1 codecs trim optional whitespace. Errors name the header, never its value.
 */
export function normalizeHeaders(headers: SimRequest['headers']): Map<string, string[]> {
  const pairs: ReadonlyArray<readonly [string, string]> = headers === undefined ? [] : Array.isArray(headers) ? headers : Object.entries(headers as Record<string, string>);
  const out = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    if (!TOKEN.test(name) || name.startsWith(':')) {
      // A pseudo-header is named; anything else is shown by fingerprint, as
      // explain shows a malformed -H: a value put where the name belongs
      // (`{ 'Basic dXNlcjpwYXNz': ... }`, a swapped pair) is a credential.
      const shown = name.startsWith(':') && TOKEN.test(name.slice(1)) ? JSON.stringify(name) : `${fingerprint(name)} (not shown: it may be a credential)`;
      throw new SimulationError('headers', `header name ${shown} is not a valid HTTP header name`, 'Pass headers as { name: value } (e.g. { Authorization: \'Basic ...\' }); set the authority with the authority field.');
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new SimulationError('headers', `header ${name} has a value that is not a single line of text`);
    }
    const key = name.toLowerCase();
    if (key === 'host') {
      throw new SimulationError('headers', 'set the Host header with authority (--authority), not as a header', 'Pass authority instead.');
    }
    const list = out.get(key) ?? [];
    list.push(value.replace(/^[ \t]+|[ \t]+$/g, ''));
    out.set(key, list);
  }
  return out;
}

/** The raw path must be origin-form: `/`, then no whitespace or control characters. */
export function checkPath(path: string): string {
  if (!path.startsWith('/') || /[\s\0-\x1f\x7f]/.test(path)) {
    throw new SimulationError('path', `path ${JSON.stringify(path)} must start with '/' and contain no spaces or control characters`, 'Write e.g. /productpage?u=normal.');
  }
  return path;
}

/**
 * Envoy's `normalize_path` (Istio's default path normalisation, BASE) on a
 * request's `:path`, before any filter runs: see `canonicalPath`. The query
 * is kept as sent. A `%` not followed by two hex digits is refused
 * (`SimulationError`): what Envoy then does is not simulated.
 */
export function normalizePath(raw: string): string {
  // Istio's bootstrap turns Envoy's http_reject_path_with_fragment off, so
  // ConnectionManagerUtility::maybeNormalizePath cuts :path at its first '#'
  // (query included) before normalising: no filter ever sees a fragment
  // (CVE-2021-39156). Encoding it as %23 instead would miss exact and suffix rules.
  const hash = raw.indexOf('#');
  const sent = hash < 0 ? raw : raw.slice(0, hash);
  const q = sent.indexOf('?');
  const path = q < 0 ? sent : sent.slice(0, q);
  const query = q < 0 ? '' : sent.slice(q);
  // Istio's normalisation refuses an encoded NUL outright (istio.io, Authorization Policy Normalization).
  if (/%00/i.test(path)) {
    throw new SimulationError('path', `path ${JSON.stringify(path)} holds %00: Istio rejects such a request with 400 before any filter or plugin runs`, 'Leave %00 out: no plugin ever sees such a request.');
  }
  const canonical = canonicalPath(path);
  if (canonical === undefined) {
    throw new SimulationError('path', `path ${JSON.stringify(path)} has a '%' not followed by two hex digits: how Envoy canonicalises it is not simulated`, 'Percent-encode the % itself as %25.');
  }
  return canonical + query;
}

/**
 * Reject an authority with whitespace, a path, or a port that is not a
 * number. A refused one is shown by fingerprint only: `user:password`,
 * `Basic <base64>` or a bare token passed where the host belongs would
 * otherwise be printed.
 */
export function checkAuthority(authority: string): string {
  if (authority.includes('@')) {
    // Userinfo may hold a password: never echo it.
    throw new SimulationError('authority', 'authority must not contain user information (user:password@); send credentials in an Authorization header', "Pass -H 'Authorization: Basic ...' instead.");
  }
  // host, host:port, [IPv6]:port, or a bare IPv6 address.
  // A port is at most 65535: `admin:123456` is a user and a password (the most common one), not a host and a port.
  const port = /^(?:\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  const hostPort = (port !== null && !(port[1] !== undefined && port[1] !== '' && Number(port[1]) > 65535)) || /^[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$/.test(authority);
  if (authority === '' || /[\s/\0-\x1f\x7f]/.test(authority) || !hostPort) {
    throw new SimulationError('authority', `authority ${fingerprint(authority)} is not a host[:port] (it is not shown: it may be a credential)`, "Write e.g. productpage:9080; credentials go in -H 'Authorization: Basic ...'.");
  }
  return authority;
}
