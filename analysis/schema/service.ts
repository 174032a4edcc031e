/**
 * What the API server's own validation of a core `v1` Service
 * (kubernetes `pkg/apis/core/validation/validation.go`, `ValidateService`
 * and `validateServicePort`, after `SetDefaults_Service`) refuses in the
 * fields a policy can write: ports, their names, protocols and target ports,
 * the type and the selector. The MeshService props are checked at
 * construction; this catches what reaches the manifest another way (the
 * cdk8s-plus Service's `bind()`, a JSON patch, a hand-written manifest).
 *
 * A Service without `spec.ports` is not refused here: a label-only manifest
 * (another team's Service) has none, and a partial server-side apply merges
 * into the live object's ports.
 */
import { isDnsLabel, isLabelKey, isLabelValue } from '../../constructs/internal/schemas';
import { childPath, isPlainObject, IssueCollector, SchemaIssue } from './issue';

const RULE = 'schema/service';
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

// IANA_SVC_NAME, as `validation.IsValidPortName` reads it: what a string targetPort must be.
const PORT_NAME_CHARS = /^[-a-z0-9]+$/;
const PORT_NAME_LETTER = /[a-z]/;
const PORT_NAME_RULES = "a port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with at least one letter, not starting or ending with '-', no '--')";

function isPortName(s: string): boolean {
  return s.length <= 15 && PORT_NAME_CHARS.test(s) && PORT_NAME_LETTER.test(s) && !s.includes('--') && !s.startsWith('-') && !s.endsWith('-');
}

/** `targetPort`: a port number, or the name of a container port. 0 and "" are defaulted to `port`. */
function checkTargetPort(c: IssueCollector, v: unknown, path: string): void {
  if (typeof v === 'string') {
    if (v !== '' && !isPortName(v)) {
      c.add(path, `${JSON.stringify(v)} is not ${PORT_NAME_RULES}; a port number is written without quotes`);
    }
    return;
  }
  if (v === 0) return;
  c.integer(v, path, { min: 1, max: 65535 });
}

/**
 * One port; its name and `protocol/port` key for the list checks, when
 * they are well-typed.
 */
function checkPort(c: IssueCollector, v: unknown, path: string, named: boolean, clusterIP: boolean): { name?: string; key?: string } {
  if (!isPlainObject(v)) {
    c.add(path, 'must be an object (port, name, protocol, targetPort)');
    return {};
  }
  const out: { name?: string; key?: string } = {};
  const name = v.name ?? '';
  if (typeof name !== 'string') {
    c.add(childPath(path, 'name'), `must be a string, got ${typeof name}`);
  } else if (name === '') {
    if (named) c.add(childPath(path, 'name'), 'is required: a Service with more than one port must name each of them');
  } else {
    if (!isDnsLabel(name)) c.add(childPath(path, 'name'), `${JSON.stringify(name)} is not an RFC 1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`);
    out.name = name;
  }
  const protocol = v.protocol ?? 'TCP';
  const protocolOk = c.string(protocol, childPath(path, 'protocol'), { oneOf: PROTOCOLS });
  if (v.port === undefined || v.port === null) c.add(childPath(path, 'port'), 'is required');
  else if (c.integer(v.port, childPath(path, 'port'), { min: 1, max: 65535 }) && protocolOk) out.key = `${v.port}/${protocol}`;
  if (v.targetPort !== undefined && v.targetPort !== null) checkTargetPort(c, v.targetPort, childPath(path, 'targetPort'));
  if (v.appProtocol !== undefined && v.appProtocol !== null && c.string(v.appProtocol, childPath(path, 'appProtocol')) && !isLabelKey(v.appProtocol)) {
    c.add(childPath(path, 'appProtocol'), `${JSON.stringify(v.appProtocol)} is not a qualified name: an optional DNS-subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric (e.g. http, kubernetes.io/h2c)`);
  }
  if (clusterIP && v.nodePort !== undefined && v.nodePort !== null && v.nodePort !== 0) {
    c.add(childPath(path, 'nodePort'), 'may not be set when type is ClusterIP (the default): only NodePort and LoadBalancer Services have node ports');
  }
  return out;
}

function checkPorts(c: IssueCollector, v: unknown, clusterIP: boolean): void {
  const ports = c.array(v, 'spec.ports');
  if (!ports) return;
  const names = new Map<string, number>();
  const keys = new Map<string, number>();
  for (let i = 0; i < ports.length; i++) {
    const at = childPath('spec.ports', i);
    const { name, key } = checkPort(c, ports[i], at, ports.length > 1, clusterIP);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) c.add(childPath(at, 'name'), `duplicate name ${JSON.stringify(name)} (also at ${childPath('spec.ports', first)}); port names must be unique`);
      else names.set(name, i);
    }
    if (key !== undefined) {
      const first = keys.get(key);
      if (first !== undefined) c.add(at, `duplicate port ${key} (also at ${childPath('spec.ports', first)}); each port and protocol may be listed once`);
      else keys.set(key, i);
    }
  }
}

function checkSelector(c: IssueCollector, v: unknown): void {
  const selector = c.stringMap(v, 'spec.selector');
  if (!selector) return;
  for (const k of Object.keys(selector)) {
    const at = childPath('spec.selector', k);
    if (!isLabelKey(k)) c.add(at, `key ${JSON.stringify(k)} is not a label key: an optional DNS-subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric`, { rule: 'names/label-syntax' });
    if (!isLabelValue(selector[k])) c.add(at, `value ${JSON.stringify(selector[k])} is not a label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`, { rule: 'names/label-syntax' });
  }
}

/** Every problem the API server would refuse in one core Service's spec. */
export function validateService(obj: unknown): SchemaIssue[] {
  const spec = isPlainObject(obj) ? obj.spec : undefined;
  // Most Services of a mesh are label-only: nothing to check, nothing to allocate.
  if (spec === undefined || spec === null) return [];
  const c = new IssueCollector(RULE);
  if (!isPlainObject(spec)) {
    c.add('spec', 'must be an object');
    return c.issues;
  }
  const type = spec.type ?? 'ClusterIP';
  c.string(type, 'spec.type', { oneOf: TYPES });
  if (spec.ports !== undefined && spec.ports !== null) checkPorts(c, spec.ports, type === 'ClusterIP');
  if (spec.selector !== undefined && spec.selector !== null) checkSelector(c, spec.selector);
  return c.issues;
}
