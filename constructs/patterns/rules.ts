/**
 * Documentation of the patterns' rule ids, in the analysis's RuleInfo shape,
 * for docs/rules.md. All are checked at construction. Each example runs after
 * the rules reference's preamble (`app`, namespace `ns` 'shop', `waypoint`
 * in it); test/catalogue/rule-docs.test.ts runs every one.
 */
import type { RuleInfo } from '../../analysis/rule';

export const PATTERNS_CHECKED_AT = 'construction (patterns)';

const cred = `[Credential.fromEnv('ADMIN_CREDENTIAL')]`;

export const PATTERN_RULES: readonly RuleInfo[] = [
  {
    id: 'protect/no-paths',
    severity: 'error',
    docs: {
      summary: 'protectPaths() needs at least one path.',
      bad: `protectPaths(MeshService.fromServiceName(ns, 'api', 'api'), { paths: [], credentials: ${cred} });`,
      message: `ProtectedService prop 'paths': paths must list at least one path`,
      fix: "List the paths, e.g. ['/admin'].",
    },
  },
  {
    id: 'protect/relative-path',
    severity: 'error',
    docs: {
      summary: "A prefix or exact path that does not start with '/' never matches: request paths always start with '/'.",
      bad: `protectPaths(MeshService.fromServiceName(ns, 'api', 'api'), { paths: ['admin'], credentials: ${cred} });`,
      message: `path "admin" does not start with '/': request paths always do, so it would never match`,
      fix: "Write '/admin'.",
    },
  },
  {
    id: 'protect/opted-out',
    severity: 'error',
    docs: {
      summary: 'A Service labeled `istio.io/use-waypoint: none` never goes through a waypoint, so a Service-targeted plugin never runs.',
      bad: `protectPaths(MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: 'none' }), { paths: ['/admin'], credentials: ${cred} });`,
      message: `Service 'api' opts out of waypoints (istio.io/use-waypoint: none), so a plugin targeting it would never run`,
      fix: 'Remove the opt-out, or pass the waypoint to use.',
    },
  },
  {
    id: 'protect/wrong-namespace',
    severity: 'error',
    docs: {
      summary: "A Service-targeted plugin applies only from the Service's own namespace (istiod compares the plugin's namespace with the Service's).",
      bad: `new ProtectedService(new MeshNamespace(app, 'elsewhere'), 'p', { service: MeshService.fromServiceName(ns, 'api', 'api'), paths: ['/admin'], credentials: ${cred} });`,
      message: `ProtectedService is in namespace 'elsewhere' but Service 'api' is in 'shop': a Service-targeted plugin only applies from the Service's namespace`,
      fix: "Create it in the Service's MeshNamespace, or use protectPaths(service, ...).",
    },
  },
  {
    id: 'protect/wrong-target',
    severity: 'error',
    docs: {
      summary: "A ProtectedService and its Service belong to different targets: each target is applied to its own cluster, so the plugin (in one) would not reach the Service (in the other). Refused before the Service is labeled or a waypoint created.",
      bad: `const prod = new MeshNamespace(new Target(app, 'prod'), 'shop');
new ProtectedService(prod, 'p', { service: MeshService.fromServiceName(ns, 'api', 'api'), paths: ['/admin'], credentials: ${cred} });`,
      message: `ProtectedService is in target 'prod' but Service 'api' is in target 'default': each target is applied to its own cluster, so the plugin would not reach the Service`,
      fix: "Create it in the Service's MeshNamespace, or use protectPaths(service, ...).",
    },
  },
  {
    id: 'protect/waypoint-not-for-service',
    severity: 'error',
    docs: {
      summary: 'A waypoint with waypoint-for `workload` or `none` never handles traffic addressed to a Service, so the plugin would never run.',
      bad: `const w = new Waypoint(ns, 'workload-waypoint', { waypointFor: WaypointFor.WORKLOAD });
protectPaths(MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: w }), { paths: ['/admin'], credentials: ${cred} });`,
      message: `waypoint 'shop/workload-waypoint' has waypoint-for 'workload', so it never handles traffic addressed to Service 'api' and the plugin would never run`,
      fix: 'Use a waypoint with waypointFor SERVICE or ALL.',
    },
  },
  {
    id: 'protect/waypoint-not-allowed',
    severity: 'error',
    docs: {
      summary: "A waypoint in another namespace whose allowedNamespaces do not admit the Service's namespace refuses the binding.",
      bad: `const infra = new MeshNamespace(app, 'infra');
protectPaths(MeshService.fromServiceName(ns, 'api', 'api'), { paths: ['/admin'], credentials: ${cred}, waypoint: new Waypoint(infra, 'private') });`,
      message: `waypoint 'infra/private' does not admit namespace 'shop' (allowedNamespaces), so Istio refuses the binding and the plugin would never run`,
      fix: 'Give the waypoint allowedNamespaces that admit this namespace, or use a waypoint in the same namespace.',
    },
  },
  {
    id: 'protect/duplicate',
    severity: 'error',
    docs: {
      summary:
        'A Service is protected once, by one protectPaths() call or one ProtectedService: a request must satisfy every plugin on it, so a second would not add paths but demand its credentials too wherever the paths overlap. All paths belong in one. A second ProtectedService is refused before it adds anything (its message names the first).',
      bad: `const api = MeshService.fromServiceName(ns, 'api', 'api');
protectPaths(api, { paths: ['/a'], credentials: ${cred} });
protectPaths(api, { paths: ['/b'], credentials: ${cred} });`,
      message: `paths of Service 'api' are already protected by an earlier protectPaths() call`,
      fix: 'Put every path in one protectPaths() call.',
    },
  },
  {
    id: 'protect/waypoint-id-taken',
    severity: 'error',
    docs: {
      summary: 'The waypoint protectPaths() would create has the id of another construct in the namespace.',
      bad: `protectPaths(new MeshService(ns, 'edge', { ports: [{ port: 80 }] }), { paths: ['/admin'], credentials: ${cred}, waypointName: 'edge' });`,
      message: `cannot create waypoint 'edge' in namespace 'shop': the id is taken by another construct`,
      fix: 'Pass waypointName, or create the waypoint yourself and pass it as waypoint.',
    },
  },
  {
    id: 'protect/cannot-label',
    severity: 'error',
    docs: {
      summary: 'protectPaths() can label only a MeshService or an ExternalService (MeshService.fromServiceName) to use a waypoint.',
      bad: `// A hand-made IMeshService: neither MeshService nor ExternalService.
const api = Object.assign(new Construct(ns, 'api'), { name: 'api', namespace: 'shop', targetRef: { group: '', kind: 'Service', name: 'api' }, targetNamespace: 'shop' });
protectPaths(api, { paths: ['/admin'], credentials: ${cred}, waypointName: 'other' });`,
      message: `cannot label Service 'api' to use waypoint 'other': it is neither a MeshService nor an ExternalService`,
      fix: 'Pass a MeshService or MeshService.fromServiceName(...).',
    },
  },
  {
    id: 'baseline/not-mesh-wide',
    severity: 'error',
    docs: {
      summary: 'A plugin in a MeshBaseline must target the istio-waypoint GatewayClass (the builder\'s `targets`): from the root namespace nothing else reaches every waypoint.',
      bad: `new MeshBaseline(app, 'baseline', { plugins: [(scope) => new BasicAuth(scope, 'auth', { targets: [GatewayReference.fromGatewayName(scope, 'ingress', 'istio-ingressgateway')], rules: [{ prefix: '/', methods: ['GET'], credentials: ${cred} }] })] });`,
      message: `WasmPlugin 'auth' in a MeshBaseline targets Gateway istio-ingressgateway, not every waypoint: from the root namespace only the istio-waypoint GatewayClass reaches all waypoints`,
      fix: "Pass the builder's targets argument as the plugin's targets.",
    },
  },
  {
    id: 'baseline/not-root-namespace',
    severity: 'error',
    docs: {
      summary: 'A MeshBaseline lives in the mesh root namespace (PolicyApp rootNamespace): a GatewayClass-targeted plugin anywhere else applies nowhere.',
      bad: `new MeshBaseline(app, 'baseline', { namespace: ns });`,
      message: `MeshBaseline namespace 'shop' is not the mesh root namespace 'istio-system': a plugin targeting the istio-waypoint GatewayClass applies only from there`,
      fix: "Use the MeshNamespace of the root namespace (or set PolicyApp rootNamespace).",
    },
  },
  {
    id: 'baseline/root-namespace-enrolled',
    severity: 'error',
    docs: {
      summary: "The root namespace is declared with an ambient enrollment label: this app would change the enrollment of istiod's own namespace.",
      bad: `new MeshNamespace(app, 'istio-system');
new MeshBaseline(app, 'baseline');`,
      message: `the root namespace 'istio-system' is declared with istio.io/dataplane-mode=ambient: this app would change the enrollment of istiod's own namespace`,
      fix: "Declare it with new MeshNamespace(scope, 'istio-system', { enroll: false }).",
    },
  },
  {
    id: 'baseline/root-namespace-id',
    severity: 'error',
    docs: {
      summary: 'The MeshNamespace a MeshBaseline would create for the root namespace has the id of another construct.',
      bad: `new Target(app, 'istio-system');
new MeshBaseline(app, 'baseline');`,
      message: `cannot create the MeshNamespace 'istio-system': the id is taken by another construct`,
      fix: 'Pass the root MeshNamespace as namespace.',
    },
  },
  {
    id: 'baseline/scope',
    severity: 'error',
    docs: {
      summary: 'A MeshBaseline is created directly under the PolicyApp or a Target (it finds or creates the root namespace there).',
      bad: `new MeshBaseline(ns as never, 'baseline');`,
      message: 'a MeshBaseline must be created directly under the PolicyApp or a Target',
      fix: 'Create it as new MeshBaseline(app, ...) or new MeshBaseline(target, ...).',
    },
  },
  {
    id: 'stamp/no-namespaces',
    severity: 'error',
    docs: {
      summary: 'stampAcrossNamespaces() needs at least one namespace.',
      bad: `stampAcrossNamespaces(app, [], () => undefined);`,
      message: `stampAcrossNamespaces prop 'namespaces': namespaces must list at least one namespace`,
      fix: 'List the namespaces to stamp the policy into.',
    },
  },
  {
    id: 'stamp/duplicate-namespace',
    severity: 'error',
    docs: {
      summary: 'A namespace listed twice would get the policy twice (duplicate objects).',
      bad: `stampAcrossNamespaces(app, ['team-a', 'team-a'], () => undefined);`,
      message: `namespace 'team-a' is listed twice: the policy would be stamped into it twice`,
      fix: 'List each namespace once.',
    },
  },
  {
    id: 'stamp/wrong-target',
    severity: 'error',
    docs: {
      summary: 'A MeshNamespace passed to stampAcrossNamespaces() belongs to another target than the scope.',
      bad: `stampAcrossNamespaces(new Target(app, 'prod'), [ns], () => undefined);`,
      message: `MeshNamespace 'shop' belongs to another target than the one being stamped`,
      fix: 'Pass namespaces of the same target (or their names).',
    },
  },
  {
    id: 'stamp/id-taken',
    severity: 'error',
    docs: {
      summary: 'A namespace given by name would be created with the id of another construct under the scope.',
      bad: `new Target(app, 'team-a');
stampAcrossNamespaces(app, ['team-a'], () => undefined);`,
      message: `cannot create MeshNamespace 'team-a': the id is taken by another construct`,
      fix: 'Pass the MeshNamespace itself instead of its name.',
    },
  },
  {
    id: 'stamp/scope',
    severity: 'error',
    docs: {
      summary: 'stampAcrossNamespaces() takes the PolicyApp or a Target as scope.',
      bad: `stampAcrossNamespaces(ns as never, ['team-a'], () => undefined);`,
      message: 'stampAcrossNamespaces needs the PolicyApp or a Target as scope',
      fix: 'Pass the app or a Target.',
    },
  },
];
