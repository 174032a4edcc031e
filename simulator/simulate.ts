import type { KubeObject, MeshModel } from '../compiler/model';
import { waypointProxy, type Proxy } from './attachment';
import { bindService, ingressUsesWaypoint } from './binding';
import { buildChain, Chain, orderUnknown, STAGE_NAMES } from './chain';
import { pluginDefinitionFor } from '../constructs/define-plugin';
import { emptyRootContexts } from '../constructs/plugins/root-id';
import { pluginEvaluatorFor } from './evaluators';
import { GatewayInfo, MeshIndex, namespaceOf, ServiceInfo } from './mesh-index';
import type { PluginDecision } from './plugin-evaluator';
import { redactHeaderValue, printableUrl } from './redact';
import { substitute } from './substitute';
import {
  checkAuthority,
  checkMethod,
  checkPath,
  checkPort,
  HttpRequest,
  normalizeHeaders,
  normalizePath,
  parseDestination,
  parseGateway,
  SimRequest,
  SimulationError,
} from './request';
import { Hop, hopLabel, SimulationResult, TraceEntry } from './trace';

export interface SimulateOptions {
  /**
   * What a waypoint Gateway is taken to be when a label names it but the
   * model holds neither its manifest nor a reference to it.
   *
   * @default - 'missing' for a model compiled from policies (they declare every waypoint they use, owned or referenced); 'assume-present' for manifests read from a directory (another team's waypoint is not in our output)
   */
  readonly unlistedWaypoints?: 'missing' | 'assume-present';

  /**
   * Waypoints (`namespace/name`) known to be pruned (an earlier revision
   * owned them and this one no longer emits them): they are missing whatever
   * `unlistedWaypoints` says.
   *
   * @default - none
   */
  readonly prunedWaypoints?: ReadonlySet<string>;

  /**
   * Values for Flux substitution placeholders (`${NAME}`, from
   * `Credential.fluxSubstitution`) in plugin configs, e.g. read from CI secrets.
   *
   * @default - none: rules that need a placeholder's value are reported as not simulated
   */
  readonly substitutions?: Readonly<Record<string, string>>;

  /**
   * What a plugin or Istio policy the simulator cannot decide does: leave the
   * outcome undetermined, or assume it lets the request through (and that a
   * plugin which may or may not apply does not), which gives the most
   * permissive outcome: whether a 200 is possible at all. A review compares
   * those when a rate limiter or an OPA plugin sits in front of basic_auth.
   *
   * @default 'undetermined'
   */
  readonly unsimulated?: 'undetermined' | 'assume-pass';
}

/**
 * A module without an evaluator: its plugin definition may say why it cannot
 * be simulated (OPA: the server decides), or that it never changes a response
 * (telemetry), which makes it a safe pass-through.
 */
function fromDefinition(url: string): PluginDecision {
  const note = pluginDefinitionFor(url)?.simulation;
  const name = pluginDefinitionFor(url)?.name;
  if (note?.supported) return { kind: 'pass', detail: `${name}: never changes a request or a response (${note.reason})` };
  if (note) return { kind: 'not-simulated', detail: `${name}: not simulated: ${note.reason}` };
  return { kind: 'not-simulated', detail: `no evaluator for module ${JSON.stringify(printableUrl(url))}: not simulated (never guessed)` };
}

/** What is known so far while walking the proxies. */
interface Outcome {
  /** `tied`: plugins of the same phase and priority that would answer the same status with other headers or body. */
  decided?: { status: number; headers: Record<string, string>; body: string; proxy: string; object: string; detail: string; tied?: string[] };
  /** The first thing the outcome depends on that is not simulated. */
  undetermined?: string;
}

const REFUSED_EFFECT =
  'Envoy rejects the filter config (the ECDS update is NACKed; failStrategy plays no part at config load). ' +
  'If this WasmPlugin never had a config the module accepted, Envoy installs a filter that answers 500 with an empty body ' +
  'to every request on this chain (NoFilterConfigFound); if an earlier accepted config exists, that old config stays in force instead. Simulated: 500';

function describeHeaders(headers: ReadonlyMap<string, readonly string[]>): string {
  const parts: string[] = [];
  for (const name of [...headers.keys()].sort()) for (const v of headers.get(name)!) parts.push(`${name}: ${redactHeaderValue(name, v)}`);
  return parts.length > 0 ? parts.join('; ') : 'none';
}

/** The fully qualified host of the Service, or of the Service Istio deploys for the gateway, in the cluster's DNS domain. */
function defaultAuthority(service: ServiceInfo, port: number | undefined, via: GatewayInfo | undefined, clusterDomain: string): string {
  if (via) return `${via.name}-${via.className ?? 'istio'}.${via.namespace}.svc.${clusterDomain}`;
  return `${service.name}.${service.namespace}.svc.${clusterDomain}${port !== undefined ? `:${port}` : ''}`;
}

function decisionName(d: PluginDecision): 'pass' | 'deny' | 'refused-config' | 'not-simulated' {
  return d.kind === 'respond' ? 'deny' : d.kind;
}

const ASSUMED_PASS = '; assumed to let the request through';

/** Walk one proxy's chain; returns true when the request stops here. */
function runChain(proxy: string, chain: Chain, request: HttpRequest, trace: TraceEntry[], outcome: Outcome, options: SimulateOptions): boolean {
  const order = chain.entries.map((e, i) => `${i + 1}. ${e.id} (${STAGE_NAMES[e.stage]}${e.priority !== undefined ? `, priority ${e.priority}` : ''})`);
  trace.push({ step: 'chain', proxy, detail: order.length > 0 ? `HTTP chain: ${order.join(', ')}` : 'HTTP chain: no WasmPlugin or Istio policy applies here' });
  for (const s of chain.skipped) trace.push({ step: 'plugin', proxy, object: s.id, decision: 'skipped', detail: `not on this chain: ${s.why}` });
  for (const n of chain.notes) trace.push({ step: 'chain', proxy, detail: n });
  const assumePass = options.unsimulated === 'assume-pass';
  // What the simulator cannot decide makes the outcome unknown, unless it is asked to assume a pass.
  const undecided = (why: string): void => {
    if (!assumePass) outcome.undetermined ??= why;
  };
  const assumedPass = assumePass ? ASSUMED_PASS : '';

  const evaluate = (m: KubeObject): { decision: PluginDecision; module: string } => {
    const spec = (m.spec ?? {}) as { url?: unknown; pluginConfig?: unknown; pluginName?: unknown };
    const url = typeof spec.url === 'string' ? spec.url : '';
    const pluginName = typeof spec.pluginName === 'string' && spec.pluginName !== '' ? spec.pluginName : undefined;
    // A catalogue module's code never runs under a pluginName, whatever evaluator is registered for it.
    const empty = emptyRootContexts(url, pluginName);
    if (empty) return { decision: { kind: 'pass', detail: empty.explanation }, module: '' };
    const evaluator = pluginEvaluatorFor(url);
    const decision: PluginDecision = evaluator
      ? evaluator.evaluate({ config: options.substitutions ? substitute(spec.pluginConfig, options.substitutions) : spec.pluginConfig, request, plugin: { namespace: namespaceOf(m), name: m.metadata.name, url, pluginName } })
      : fromDefinition(url);
    return { decision, module: evaluator ? `${evaluator.name}: ` : '' };
  };
  // A plugin that answers may share its slot with later ones that would answer
  // otherwise: in a cluster the older of them runs first, which is unknown here.
  // Rivals that answer the same status with other headers or body (another
  // realm) are collected in `sameStatus`: the status stays certain, not the rest.
  const rival = (i: number, reply: { status: number; headers: Record<string, string>; body: string }, sameStatus: string[]): string | undefined => {
    for (let j = i + 1; j < chain.entries.length && orderUnknown(chain.entries[i], chain.entries[j]); j++) {
      const other = chain.entries[j];
      const { decision } = evaluate(other.object.manifest);
      // Letting the request through, it changes nothing whether it applies or runs first.
      if (decision.kind === 'pass') continue;
      if (decision.kind === 'not-simulated') {
        if (!assumePass) return `${other.id}, which is not simulated`;
        continue;
      }
      const answer = decision.kind === 'respond' ? decision.status : 500;
      if (answer !== reply.status) return `${other.id}, which would answer ${answer}`;
      const headers = decision.kind === 'respond' ? decision.headers : {};
      const body = decision.kind === 'respond' ? decision.body : '';
      if (body !== reply.body || !sameHeaders(headers, reply.headers)) sameStatus.push(other.id);
    }
    return undefined;
  };

  for (let i = 0; i < chain.entries.length; i++) {
    const entry = chain.entries[i];
    const m = entry.object.manifest;
    const object = entry.id;
    if (m.kind !== 'WasmPlugin') {
      const what = m.kind === 'RequestAuthentication' ? 'it may reject a request with an invalid JWT' : 'it may deny the request (403) or call an external authorizer';
      trace.push({ step: 'policy', proxy, object, decision: 'not-simulated', detail: `${entry.why}; at ${STAGE_NAMES[entry.stage]}: not simulated (${what})${assumedPass}` });
      undecided(`${object} on ${proxy} is not simulated`);
      continue;
    }
    const { decision, module } = evaluate(m);

    if (entry.applies === 'unknown') {
      if (decision.kind === 'pass') {
        trace.push({ step: 'plugin', proxy, object, decision: 'pass', detail: `${entry.why}; either way it lets this request through: ${module}${decision.detail}` });
        continue;
      }
      trace.push({ step: 'plugin', proxy, object, decision: 'not-simulated', detail: `${entry.why}; if it applies: ${module}${decision.detail}${assumePass ? '; assumed not to apply' : ''}` });
      undecided(`whether ${object} applies on ${proxy} is unknown, and it would not let the request through`);
      continue;
    }

    if (decision.kind === 'pass' || decision.kind === 'not-simulated') {
      const notSimulated = decision.kind === 'not-simulated';
      trace.push({ step: 'plugin', proxy, object, decision: decisionName(decision), detail: `${entry.why}: ${module}${decision.detail}${notSimulated ? assumedPass : ''}` });
      if (notSimulated) undecided(`${object} on ${proxy} is not simulated`);
      continue;
    }

    const reply =
      decision.kind === 'respond'
        ? { status: decision.status, headers: { ...decision.headers }, body: decision.body, detail: decision.detail }
        : { status: 500, headers: {}, body: '', detail: `${decision.detail}. ${REFUSED_EFFECT}` };
    trace.push({ step: 'plugin', proxy, object, decision: decisionName(decision), detail: `${entry.why}: ${module}${reply.detail}` });
    const sameStatus: string[] = [];
    const other = rival(i, reply, sameStatus);
    const tied = !other && sameStatus.length > 0 ? sameStatus : undefined;
    if (tied) trace.push({ step: 'plugin', proxy, object, detail: tiedNote(tied, reply.status) });
    if (other) {
      const why = `${object} on ${proxy} answers ${reply.status} only if it runs before ${other}: they share phase and priority, and which is older (runs first) is unknown offline`;
      trace.push({ step: 'plugin', proxy, object, detail: `it answers ${reply.status} only if it runs before ${other}` });
      // Set even when unsimulated plugins are assumed to pass: here a simulated answer may differ too.
      outcome.undetermined ??= why;
      return true;
    }
    if (outcome.undetermined) {
      trace.push({ step: 'plugin', proxy, object, detail: `it would answer ${reply.status} only if everything before it lets the request through, and ${outcome.undetermined}` });
    } else {
      outcome.decided = { ...reply, proxy, object, tied };
    }
    return true;
  }
  return false;
}

/** Why the headers of a decided answer are one of several tied plugins'. */
/**
 * A proxy on the request's path that istiod does not program as a waypoint or
 * ingress gateway we simulate (kgateway, an unknown class). Like a plugin it
 * cannot decide: asked to assume a pass, the review learns that a 200 is now
 * possible (auth moved off an Istio waypoint); otherwise the outcome is
 * undetermined.
 */
function unmodelledProxy(proxy: string, gw: GatewayInfo, role: string, trace: TraceEntry[], outcome: Outcome, options: SimulateOptions): void {
  const assumePass = options.unsimulated === 'assume-pass';
  trace.push({ step: 'chain', proxy, detail: `Gateway ${gw.namespace}/${gw.name} is ${gw.proxy.description}: what it does with the request (and whether any WasmPlugin runs on it) is not simulated${assumePass ? ASSUMED_PASS : ''}` });
  if (!assumePass) outcome.undetermined ??= `${role} ${gw.namespace}/${gw.name} is not an Istio proxy this simulator models (${gw.proxy.description})`;
}

function tiedNote(tied: readonly string[], status: number): string {
  return `${tied.join(', ')} ${tied.length === 1 ? 'shares' : 'share'} its phase and priority and would answer ${status} too, with other headers or body: the status is certain, but whose headers and body the client gets (the older plugin's) is unknown offline`;
}

function sameHeaders(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function finish(target: string, hops: Hop[], trace: TraceEntry[], outcome: Outcome, destination: string): SimulationResult {
  if (outcome.decided && !outcome.undetermined) {
    const d = outcome.decided;
    const headers = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}`);
    const reason = `${d.status} from ${d.object} on ${d.proxy}`;
    // explain --json carries only the status and the trace: this entry must not present one tied plugin's headers as certain.
    const tied = d.tied ? `; or a tied plugin's headers and body (${d.tied.join(', ')})` : '';
    trace.push({ step: 'response', detail: `${reason}${headers.length ? `; ${headers.join('; ')}` : ''}; ${d.body === '' ? 'empty body' : 'body set by the plugin'}${tied}` });
    const result = { status: d.status, headers: d.headers, body: d.body, reason, hops, decidedBy: { proxy: d.proxy, object: d.object }, target, trace };
    return d.tied ? { ...result, uncertain: `${d.object} on ${d.proxy}: ${tiedNote(d.tied, d.status)}` } : result;
  }
  if (outcome.undetermined) {
    const reason = `undetermined: ${outcome.undetermined}`;
    trace.push({ step: 'response', detail: `no status: ${outcome.undetermined}` });
    return { status: null, headers: {}, body: null, reason, hops, target, trace };
  }
  const reason = `every proxy lets the request through to Service ${destination}`;
  trace.push({ step: 'response', detail: `200: ${reason} (pass-through; the service's own answer is not simulated)` });
  return { status: 200, headers: {}, body: null, reason, hops, target, trace };
}

/**
 * Predict what the mesh answers to one request, from manifests alone: the
 * proxies on its path (ingress gateway, waypoint) by Istio's binding rules,
 * each proxy's ordered plugin chain, and each plugin's decision.
 *
 * Throws a SimulationError (with a finding) when the request itself cannot
 * be simulated as written; anything the manifests do not decide is a `null`
 * status with the reason, never a guess.
 */
export function simulate(model: MeshModel, request: SimRequest, options: SimulateOptions = {}): SimulationResult {
  return simulateIn(MeshIndex.forTarget(model, request.target), request, options);
}

/**
 * `simulate` on an index already built for the request's target: the review
 * sends thousands of requests to one model, and indexing it for each made
 * the review quadratic in the mesh's size.
 */
export function simulateIn(index: MeshIndex, request: SimRequest, options: SimulateOptions = {}): SimulationResult {
  const model = index.model;
  const dest = parseDestination(request.to);
  const trace: TraceEntry[] = [];
  const hops: Hop[] = [];
  const outcome: Outcome = {};
  const unlistedWaypoints = options.unlistedWaypoints ?? (model.origin === 'app' ? 'missing' : 'assume-present');

  const service = index.service(dest.namespace, dest.name);
  let port = request.port !== undefined ? checkPort(request.port) : dest.port;
  if (port === undefined && service.ports?.length === 1) port = service.ports[0];

  let via: GatewayInfo | undefined;
  if (request.via !== undefined) {
    const ref = parseGateway(request.via);
    via = index.gatewayOrAssumed(ref.namespace, ref.name);
    if (via.proxy.kind === 'waypoint') {
      throw new SimulationError('via', `via ${request.via} is a waypoint, not an ingress gateway`, 'Name the ingress Gateway the request enters through; waypoints are found from the destination.');
    }
  }

  const rawPath = checkPath(request.path ?? '/');
  const authority = checkAuthority(request.authority ?? defaultAuthority(service, port, via, index.clusterDomain));
  const http: HttpRequest = {
    method: checkMethod(request.method ?? 'GET'),
    path: normalizePath(rawPath),
    authority,
    headers: normalizeHeaders(request.headers),
  };
  const destination = `${service.namespace}/${service.name}${port !== undefined ? `:${port}` : ''}`;
  const fragmentNote = rawPath.includes('#') ? ", the '#' fragment cut off as Istio configures Envoy to" : '';
  const pathNote = http.path !== rawPath ? ` (normalised by Envoy from ${JSON.stringify(rawPath)}${fragmentNote})` : '';
  const percentNote = /%/.test(http.path) ? '; the path keeps percent-encodings of characters other than letters, digits, "-", ".", "_" and "~", as Envoy does' : '';
  trace.push({
    step: 'request',
    detail: `${http.method} ${http.path}${pathNote} to Service ${destination}${via ? ` via ingress gateway ${via.namespace}/${via.name}` : ' from a workload in the mesh'}; authority ${JSON.stringify(authority)}${request.authority === undefined ? ' (default)' : ''}; headers: ${describeHeaders(http.headers)}${percentNote}`,
  });
  trace.push({ step: 'target', detail: `target ${index.target} (mesh root namespace ${index.rootNamespace})` });

  if (port !== undefined && service.ports && service.ports.length > 0 && !service.ports.includes(port)) {
    outcome.undetermined = `Service ${service.namespace}/${service.name} has no port ${port} (ports: ${service.ports.join(', ')}): the connection would not reach it`;
    return finish(index.target, hops, trace, outcome, destination);
  }

  if (via) {
    const hop: Hop = { kind: 'ingress', namespace: via.namespace, name: via.name };
    hops.push(hop);
    const label = hopLabel(hop);
    if (via.known === 'assumed') {
      trace.push({ step: 'assumption', proxy: label, detail: `Gateway ${via.namespace}/${via.name} is not in the manifests: assumed to be an ingress gateway another team owns; its listeners and pod labels are unknown` });
    } else {
      trace.push({ step: 'ingress', proxy: label, detail: `Gateway ${via.namespace}/${via.name} (${via.known === 'reference' ? 'referenced by the policies' : `from ${via.where ?? 'the manifests'}`}${via.className ? `, class ${via.className}` : ''})` });
    }
    if (via.proxy.kind === 'other-proxy') {
      // Another controller's proxy (kgateway...): istiod does not program it, so its WasmPlugins are not ours to run there.
      unmodelledProxy(label, via, 'the ingress gateway', trace, outcome, options);
    } else {
      const proxy: Proxy = { kind: 'ingress', gateway: via };
      if (runChain(label, buildChain(index, proxy), http, trace, outcome, options)) return finish(index.target, hops, trace, outcome, destination);
    }
    trace.push({ step: 'ingress', proxy: label, detail: `the gateway routes the request to Service ${destination} (its HTTPRoute is not simulated: the destination is taken as given; method, path, headers and authority are passed on unchanged)` });
  }

  const entry = service.known === 'assumed' ? index.serviceEntry(service.namespace, service.name) : undefined;
  if (entry) {
    trace.push({ step: 'assumption', detail: `no Service ${service.namespace}/${service.name} here, but a ServiceEntry of that name${entry.where ? ` (from ${entry.where})` : ''}: requests to a ServiceEntry (its waypoint, and the plugins that target it) are not simulated` });
    outcome.undetermined ??= `ServiceEntry ${service.namespace}/${service.name} is not simulated (explain simulates requests to Services)`;
    return finish(index.target, hops, trace, outcome, destination);
  }

  const binding = bindService(index, service, { unlistedWaypoints, prunedWaypoints: options.prunedWaypoints });
  trace.push(...binding.trace);
  if (binding.reason === 'IsWaypoint') {
    // Not a pass-through to an application: the waypoint proxy itself answers (HBONE on 15008, its status port), which is not modelled.
    outcome.undetermined ??= `Service ${service.namespace}/${service.name} is a waypoint's own Service: what the waypoint proxy answers to a request addressed to it is not simulated`;
    return finish(index.target, hops, trace, outcome, destination);
  }
  const waypoint = binding.waypoint;
  // Without ingress-use-waypoint the gateway skips whatever waypoint the Service
  // has, so an undecided binding cannot change what this request meets.
  if (via && (waypoint || binding.reason === 'Undetermined')) {
    const ingress = ingressUsesWaypoint(index, service);
    trace.push(...ingress.trace);
    if (!ingress.uses) return finish(index.target, hops, trace, outcome, destination);
  }
  if (binding.reason === 'Undetermined') {
    outcome.undetermined ??= 'whether the Service binds to its waypoint is not decided by the manifests';
    return finish(index.target, hops, trace, outcome, destination);
  }
  if (waypoint) {
    const hop: Hop = { kind: 'waypoint', namespace: waypoint.namespace, name: waypoint.name };
    hops.push(hop);
    const proxy = waypointProxy(waypoint, service);
    if (!proxy) {
      unmodelledProxy(hopLabel(hop), waypoint, "the Service's waypoint", trace, outcome, options);
      return finish(index.target, hops, trace, outcome, destination);
    }
    if (proxy.kind === 'ingress') {
      trace.push({ step: 'chain', proxy: hopLabel(hop), detail: `Gateway ${waypoint.namespace}/${waypoint.name} is ${waypoint.proxy.description}: it handles the Service's traffic as a gateway (router) proxy, so plugins targeting the Service never attach there; its own Gateway-targeted and selector plugins do` });
    }
    runChain(hopLabel(hop), buildChain(index, proxy), http, trace, outcome, options);
  }
  return finish(index.target, hops, trace, outcome, destination);
}
