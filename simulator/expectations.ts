/**
 * Assertions on simulated requests for users' own test runners (node:test,
 * vitest, jest). They throw node's AssertionError, which every runner
 * reports, with the explanation (credentials redacted) in the message.
 * Published as `waypoint-policy/testing` (simulator/testing.ts).
 */
import { AssertionError } from 'node:assert';
import * as path from 'node:path';
import { formatFindings } from '../analysis/finding';
import { PolicyApp } from '../constructs/app';
import { PolicyError } from '../constructs/errors';
import type { MeshModel } from '../compiler/model';
import { readManifests } from '../compiler/read-manifests';
import { compileApp } from '../compiler/synth';
import { formatResult, formatStatus } from './format';
import type { SimRequest } from './request';
import { simulate, SimulateOptions } from './simulate';
import type { SimulationResult } from './trace';

/** What requests are simulated against: a directory of manifests, a model, or a PolicyApp (compiled in memory). */
export type RequestSource = string | MeshModel | PolicyApp;

/** One row of a request table. */
export interface RequestCase extends SimRequest {
  /** The expected status; `null` expects "undetermined". */
  readonly status: number | null;
  /**
   * Response headers the proxies must add (lower-case names), e.g. `{ 'www-authenticate': 'Basic realm=istio' }`.
   *
   * @default - not checked
   */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /**
   * A name for the row in failure messages.
   *
   * @default - `METHOD path -> to`
   */
  readonly name?: string;
}

const compiled = new WeakMap<PolicyApp, MeshModel>();

/** The model behind a source. A directory is read afresh each call; an app is compiled once. */
export function modelOf(source: RequestSource): MeshModel {
  if (typeof source === 'string') {
    const read = readManifests(path.resolve(source));
    const errors = read.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) throw new Error(`cannot simulate against ${source}:\n${formatFindings(errors)}`);
    return read.model;
  }
  if (PolicyApp.isPolicyApp(source)) {
    let model = compiled.get(source);
    if (!model) {
      const result = compileApp(source);
      if (result.findings.some((f) => f.severity === 'error')) throw new PolicyError(result.findings);
      model = result.collected.model;
      compiled.set(source, model);
    }
    return model;
  }
  return source;
}

function describe(request: SimRequest): string {
  return `${request.method ?? 'GET'} ${request.path ?? '/'} -> ${request.to}${request.via ? ` via ${request.via}` : ''}`;
}

// A tied plugin's headers are one possible answer, not the answer: asserting them would pass on a guess.
const UNCERTAIN = " as one possible answer only: a plugin of the same phase and priority as the one answering would send other headers or body, and which of them runs first (the older) is unknown offline; give them distinct priorities";

function mismatch(what: string, result: SimulationResult, actual: unknown, expected: unknown, operator: string): AssertionError {
  return new AssertionError({
    message: `${what}\n\nexplanation:\n${formatResult(result)}`,
    actual,
    expected,
    operator,
  });
}

/** Expectations on one simulated request. */
export class RequestExpectation {
  private cached?: SimulationResult;

  constructor(
    private readonly model: MeshModel,
    private readonly request: SimRequest,
    private readonly options: SimulateOptions,
  ) {}

  /** The simulation result (computed once). */
  public get result(): SimulationResult {
    this.cached ??= simulate(this.model, this.request, this.options);
    return this.cached;
  }

  /** Assert the status; `null` asserts that the outcome is undetermined. */
  public toHaveStatus(status: number | null): SimulationResult {
    const r = this.result;
    if (r.status !== status) {
      throw mismatch(`${describe(this.request)}: expected status ${status ?? 'undetermined'}, got ${formatStatus(r)}`, r, r.status, status, 'toHaveStatus');
    }
    return r;
  }

  /** Assert a response header the proxies add (e.g. `www-authenticate`). */
  public toHaveHeader(name: string, value: string): SimulationResult {
    const r = this.result;
    const actual = r.headers[name.toLowerCase()];
    if (actual !== value || r.uncertain) {
      throw mismatch(`${describe(this.request)}: expected response header ${name}: ${value}, got ${actual === undefined ? 'none' : actual}${r.uncertain ? UNCERTAIN : ''}`, r, actual, value, 'toHaveHeader');
    }
    return r;
  }
}

/**
 * Simulate one request against manifests, a model or a PolicyApp.
 *
 * @example
 * expectRequest('dist', { to: 'default/reviews:9080', path: '/reviews/1' }).toHaveStatus(401);
 */
export function expectRequest(source: RequestSource, request: SimRequest, options: SimulateOptions = {}): RequestExpectation {
  return new RequestExpectation(modelOf(source), request, options);
}

/**
 * Check a whole table of requests; every row is simulated, and one
 * AssertionError lists every row that does not get its expected status.
 */
export function expectRequests(source: RequestSource, cases: readonly RequestCase[], options: SimulateOptions = {}): SimulationResult[] {
  const model = modelOf(source);
  const failures: string[] = [];
  const results = cases.map((c, i) => {
    const { status, responseHeaders, name, ...request } = c;
    const r = simulate(model, request, options);
    const label = `#${i + 1} ${name ?? describe(request)}`;
    const problems: string[] = [];
    if (r.status !== status) problems.push(`expected status ${status ?? 'undetermined'}, got ${formatStatus(r)}`);
    for (const [k, v] of Object.entries(responseHeaders ?? {})) {
      if (r.headers[k.toLowerCase()] !== v || r.uncertain) problems.push(`expected response header ${k}: ${v}, got ${r.headers[k.toLowerCase()] ?? 'none'}${r.uncertain ? UNCERTAIN : ''}`);
    }
    if (problems.length > 0) failures.push(`${label}: ${problems.join('; ')}\n${formatResult(r).replace(/^/gm, '    ')}`);
    return r;
  });
  if (failures.length > 0) {
    throw new AssertionError({
      message: `${failures.length} of ${cases.length} request(s) did not get the expected response:\n\n${failures.join('\n\n')}`,
      actual: results.map((r) => r.status),
      expected: cases.map((c) => c.status),
      operator: 'expectRequests',
    });
  }
  return results;
}
