import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { BasicAuth, checkProps, Credential, definePlugin, Duration, ExternalService, GrpcAccessLogging, LocalRateLimit, MeshBaseline, MeshNamespace, MeshService, OpenPolicyAgent, PluginPhase, PolicyApp, protectPaths, ServiceEntryReference, stampAcrossNamespaces, Target, Waypoint, WaypointProps, z } from '../../index';
import { Testing } from 'cdk8s';
import { compile, thrownFindings } from '../catalogue/helpers';

test('definePlugin: a broken definition names the line of the definePlugin call', () => {
  const findings = thrownFindings(() => definePlugin({ name: 'Header Stamp', url: '', defaultPhase: PluginPhase.STATS, configSchema: z.object({}) }));
  assert.deepEqual(findings.map((f) => f.rule), ['plugin/definition', 'plugin/definition']);
  const line = fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes("definePlugin({ name: 'Header Stamp'")) + 1;
  for (const f of findings) assert.equal(f.source, `${__filename}:${line}`, 'each finding names the call');
});

const RFC_1035 = "must be an RFC 1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters (a waypoint's name is also the name of its Service and Deployment)";

test('a Waypoint name synth would refuse (not an RFC 1035 label) is refused at construction, at its line', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  for (const name of ['edge.v2', '1st-waypoint', 'a'.repeat(64)]) {
    const findings = thrownFindings(() => new Waypoint(ns, name));
    // The name was taken from the id: the message says so, and the fix offers both ways out.
    assert.deepEqual(findings.map((f) => [f.rule, f.message]), [['names/rfc1123', `Waypoint id (its name, as no name prop was given): Waypoint name ${RFC_1035}; received ${JSON.stringify(name)}`]], name);
    assert.match(findings[0].fix ?? '', /Change the construct id, or keep it and pass a valid name prop\.$/);
    assert.match(findings[0].source ?? '', /review-fixes\.test\.ts:\d+$/);
    const asProp = thrownFindings(() => new Waypoint(ns, 'edge', { name }));
    assert.deepEqual(asProp.map((f) => f.message), [`Waypoint prop 'name': Waypoint name ${RFC_1035}; received ${JSON.stringify(name)}`], name);
    assert.doesNotMatch(asProp[0].fix ?? '', /construct id/);
  }
  assert.match(thrownFindings(() => new MeshNamespace(app, 'Shop_NS'))[0].message, /^MeshNamespace id \(its name, as no name prop was given\): namespace name must be/);
  // A null name is no name either: the id is used, and the message says so.
  assert.match(thrownFindings(() => new Waypoint(ns, 'Edge', { name: null } as never))[0].message, /^Waypoint id \(its name, as no name prop was given\)/);
  assert.match(thrownFindings(() => new MeshService(ns, 'API', { ports: [{ port: 80 }] }))[0].message, /^MeshService id \(its name, as no name prop was given\)/);
  // What construction accepts, synth accepts.
  ns.useWaypoint(new Waypoint(ns, 'edge-v2'));
  assert.deepEqual(compile(app).errors, []);
});

test('protectPaths: a waypointName that is not an RFC 1035 label is refused as its prop, before anything is created', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  const findings = thrownFindings(() => protectPaths(api, { paths: ['/admin'], credentials: [Credential.insecureLiteral('u:p')], waypointName: 'x.y' }));
  assert.deepEqual(findings.map((f) => [f.rule, f.message]), [['names/rfc1123', `ProtectedService prop 'waypointName': waypointName ${RFC_1035}; received "x.y"`]]);
  assert.deepEqual(ns.node.children.map((c) => c.node.id), ['Namespace', 'api']);
});

test('ServiceEntryReference: a dotted name (an RFC 1123 subdomain, as ServiceEntry names are) is accepted and targetable', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  const se = ServiceEntryReference.fromServiceEntryName(ns, 'se', 'api.example.com');
  assert.equal(se.name, 'api.example.com');
  new BasicAuth(ns, 'auth', { targets: [se], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('u:p')] }] });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual((c.find('WasmPlugin', 'auth').spec as { targetRefs: unknown[] }).targetRefs, [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api.example.com' }]);
  // Still refused: what is no subdomain.
  assert.deepEqual(thrownFindings(() => ServiceEntryReference.fromServiceEntryName(ns, 'bad', 'API_example')).map((f) => f.rule), ['names/rfc1123']);
});

test("cdk8s's own synth writes the cluster-scoped Namespace without metadata.namespace, the objects in it with theirs", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  type Manifest = { kind: string; metadata: { name: string; namespace?: string } };
  for (const [how, manifests] of [['Testing.synth', Testing.synth(ns)], ['toJson', ns.toJson()]] as const) {
    const byKind = new Map((manifests as Manifest[]).map((m) => [m.kind, m.metadata]));
    assert.deepEqual(Object.keys(byKind.get('Namespace') ?? {}).sort(), ['labels', 'name'], how);
    assert.equal(byKind.get('Gateway')?.namespace, 'shop', how);
  }
  // The escape hatch still reaches it, and the compiler's output is the same.
  ns.apiObject!.metadata.addAnnotation('team', 'shop');
  const namespace = compile(app).find('Namespace', 'shop');
  assert.equal(namespace.metadata.namespace, undefined);
  assert.equal(namespace.metadata.annotations?.team, 'shop');
});

test('a catalogue construct given a prop of the wrong type names its own line, not its namespace\'s', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const lines = fs.readFileSync(__filename, 'utf8').split('\n');
  const lineOf = (text: string) => `${__filename}:${lines.findIndex((l) => l.includes(text)) + 1}`;
  const cases: Array<[() => unknown, string, string]> = [
    [() => new LocalRateLimit(ns, 'rl', { targets: [waypoint], maxTokens: '20' as unknown as number, tokensPerRefill: 10, refillInterval: Duration.seconds(1) }), "new LocalRateLimit(ns, 'rl'", "LocalRateLimit prop 'maxTokens'"],
    [() => new OpenPolicyAgent(ns, 'opa', { targets: [waypoint], serviceHost: 5 as unknown as string }), "new OpenPolicyAgent(ns, 'opa'", "OpenPolicyAgent prop 'serviceHost'"],
    [() => new GrpcAccessLogging(ns, 'log', { targets: [waypoint], loggingService: [] as unknown as string }), "new GrpcAccessLogging(ns, 'log'", "GrpcAccessLogging prop 'loggingService'"],
  ];
  for (const [create, call, prop] of cases) {
    const findings = thrownFindings(create);
    assert.equal(findings.length, 1, prop);
    assert.ok(findings[0].message.startsWith(prop), findings[0].message);
    assert.equal(findings[0].source, lineOf(call), prop);
  }
});

test('MeshBaseline and stampAcrossNamespaces: what they refuse before building anything names the call, not the line that created the app', () => {
  const app = new PolicyApp();
  const lines = fs.readFileSync(__filename, 'utf8').split('\n');
  const lineOf = (text: string) => `${__filename}:${lines.findIndex((l) => l.includes(text)) + 1}`;
  const cases: Array<[() => unknown, string, string]> = [
    [() => new MeshBaseline(app, 'baseline', { plugins: 'x' as unknown as [] }), "new MeshBaseline(app, 'baseline', { plugins: 'x'", 'props/invalid'],
    [() => stampAcrossNamespaces(app, 'team-a' as unknown as string[], () => 1), "stampAcrossNamespaces(app, 'team-a'", 'props/invalid'],
    [() => stampAcrossNamespaces(app, ['team-a', 'team-a'], () => 1), "stampAcrossNamespaces(app, ['team-a', 'team-a']", 'stamp/duplicate-namespace'],
  ];
  for (const [call, text, rule] of cases) {
    const findings = thrownFindings(call);
    assert.deepEqual(findings.map((f) => [f.rule, f.source]), [[rule, lineOf(text)]], text);
  }
});

test('PolicyApp, Target, MeshNamespace, Waypoint, MeshService and ExternalService refuse a prop they do not take (a misspelt useWaypoint left the Service without its waypoint, silently); a subclass may take its own', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const refused = (create: () => unknown) => thrownFindings(create).map((f) => [f.rule, f.message]);
  // Built by spreading, or written in JavaScript: TypeScript's excess-property check does not see these.
  const loose = (props: object) => props as never;
  assert.deepEqual(refused(() => new PolicyApp(loose({ partof: 'shop-policy' }))), [['props/unknown', "PolicyApp has no prop 'partof' (did you mean 'partOf'?)"]]);
  assert.deepEqual(refused(() => new Target(app, 'prod', loose({ value: {} }))), [['props/unknown', "Target has no prop 'value' (did you mean 'values'?)"]]);
  assert.deepEqual(refused(() => new MeshNamespace(app, 'cart', loose({ ownd: true }))), [['props/unknown', "MeshNamespace has no prop 'ownd' (did you mean 'owned'?)"]]);
  assert.deepEqual(refused(() => new Waypoint(ns, 'other', loose({ waypointfor: 'workload' }))), [['props/unknown', "Waypoint has no prop 'waypointfor' (did you mean 'waypointFor'?)"]]);
  assert.deepEqual(refused(() => new MeshService(ns, 'api', loose({ ports: [{ port: 80 }], usewaypoint: waypoint }))), [['props/unknown', "MeshService has no prop 'usewaypoint' (did you mean 'useWaypoint'?)"]]);
  assert.deepEqual(refused(() => MeshService.fromServiceName(ns, 'orders', 'orders', loose({ usewaypoint: waypoint }))), [['props/unknown', "MeshService.fromServiceName has no option 'usewaypoint' (did you mean 'useWaypoint'?)"]]);
  assert.deepEqual(
    thrownFindings(() => MeshService.fromServiceName(ns, 'orders', 'orders', loose({ team: 'cart' }))).map((f) => [f.message, f.fix]),
    [["MeshService.fromServiceName has no option 'team'", "Remove 'team'; its options are ingressUseWaypoint, useWaypoint."]],
    'named as the caller wrote it, with the options it really takes',
  );

  interface TeamWaypointProps extends WaypointProps {
    readonly team: string;
  }
  class TeamWaypoint extends Waypoint {
    constructor(scope: MeshNamespace, id: string, props: TeamWaypointProps) {
      super(scope, id, props);
    }
  }
  assert.equal(new TeamWaypoint(ns, 'team', { team: 'a' }).name, 'team');
});

test("a team's subclass of a core construct is refused a key that misspells one of its parent's (the parent dropped it: a namespace meant out of ambient was enrolled); its own props pass, and checkProps makes every key checked", () => {
  const app = new PolicyApp();
  const loose = (props: object) => props as never;
  // Own props are spread into the parent's, as a pattern naturally does.
  class TeamNamespace extends MeshNamespace {
    constructor(scope: PolicyApp, id: string, props: object) {
      super(scope, id, loose(props));
    }
  }
  class TeamWaypoint extends Waypoint {}
  assert.deepEqual(
    thrownFindings(() => new TeamNamespace(app, 'legacy', { costCenter: 'cc-42', dataplaneMod: 'none' })).map((f) => [f.rule, f.message, f.path]),
    [['props/unknown', "TeamNamespace has no prop 'dataplaneMod' (did you mean 'dataplaneMode'?): its parent class drops keys it does not take", 'legacy']],
  );
  const ns = new TeamNamespace(app, 'shop', { costCenter: 'cc-42' });
  assert.deepEqual(thrownFindings(() => new TeamWaypoint(ns, 'waypoint', loose({ waypointFr: 'workload' }))).map((f) => f.message), [
    "TeamWaypoint has no prop 'waypointFr' (did you mean 'waypointFor'?): its parent class drops keys it does not take",
  ]);
  class TeamService extends MeshService {}
  assert.match(thrownFindings(() => new TeamService(ns, 'api', loose({ ports: [{ port: 80 }], useWaypiont: 'x' })))[0].message, /did you mean 'useWaypoint'/);
  class TeamTarget extends Target {}
  assert.match(thrownFindings(() => new TeamTarget(app, 'prod', loose({ valeus: {} })))[0].message, /TeamTarget has no prop 'valeus' \(did you mean 'values'\?\)/);

  // An own prop that looks like a parent's is taken for a typo until declared; then every other key is checked.
  class OwnedNamespace extends TeamNamespace {}
  assert.match(thrownFindings(() => new OwnedNamespace(app, 'a', { owner: 'team-a' }))[0].fix ?? '', /checkProps\(OwnedNamespace, \['owner'\]\)/);
  checkProps(OwnedNamespace, ['owner']);
  assert.equal(new OwnedNamespace(app, 'b', { owner: 'team-b' }).name, 'b');
  assert.deepEqual(thrownFindings(() => new OwnedNamespace(app, 'c', { ownr: 'team-c' })).map((f) => f.message), ["OwnedNamespace has no prop 'ownr' (did you mean 'owner'?)"]);
  assert.throws(() => checkProps(class NotAConstruct {} as never), /NotAConstruct extends no waypoint-policy construct/);
  // An anonymous subclass is named after its nearest named class, not as ''.
  const Anonymous = (() => class extends Waypoint {})();
  assert.match(thrownFindings(() => new Anonymous(ns, 'anon', loose({ waypointFr: 'workload' })))[0].message, /^Waypoint has no prop 'waypointFr'/);
});

test('a refused MeshService or ExternalService leaves the tree as it was, so a caller that catches the error can reuse the id (as a refused Waypoint or MeshNamespace does)', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const loose = (props: object) => props as never;
  const before = ns.node.children.map((c) => c.node.id);
  assert.equal(thrownFindings(() => new MeshService(ns, 'api', loose({ ports: [] })))[0]?.rule, 'service/no-ports');
  assert.equal(thrownFindings(() => MeshService.fromServiceName(ns, 'orders', 'Orders'))[0]?.rule, 'names/rfc1123');
  assert.equal(thrownFindings(() => new ExternalService(ns, 'cart', loose({ usewaypoint: 'x' })))[0]?.rule, 'props/unknown');
  assert.deepEqual(ns.node.children.map((c) => c.node.id), before);
  new MeshService(ns, 'api', { ports: [{ port: 80 }] });
  MeshService.fromServiceName(ns, 'orders', 'orders');
  new ExternalService(ns, 'cart');
  assert.deepEqual(ns.node.children.map((c) => c.node.id), [...before, 'api', 'orders', 'cart']);
});

test('Waypoint.fromWaypointName refuses a prop it does not take, as new Waypoint does: a misspelt waypointFor left a workload waypoint read as a service one', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const refused = (create: () => unknown) => thrownFindings(create).map((f) => [f.rule, f.message]);
  assert.deepEqual(refused(() => Waypoint.fromWaypointName(ns, 'shared', { name: 'shared', namespace: 'infra', waypointfor: 'workload' } as never)), [
    ['props/unknown', "Waypoint.fromWaypointName has no prop 'waypointfor' (did you mean 'waypointFor'?)"],
  ]);
  assert.equal(Waypoint.fromWaypointName(ns, 'ok', { name: 'shared', namespace: 'infra' }).name, 'shared');
});

test('MeshService refuses a key its ports do not take: a misspelt targetPort was dropped, and the Service sent traffic to the port itself', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const refused = (create: () => unknown) => thrownFindings(create).map((f) => [f.rule, f.message]);
  assert.deepEqual(refused(() => new MeshService(ns, 'api', { ports: [{ port: 80, targetport: 8080 }] } as never)), [
    ['props/unknown', "MeshService prop 'ports[0]' has no key 'targetport' (did you mean 'targetPort'?)"],
  ]);
  assert.equal(new MeshService(ns, 'web', { ports: [{ port: 80, targetPort: 8080, name: 'http' }] }).name, 'web');
});

test("a PolicyError's message can be assigned, as error-wrapping code does (it is worded when read, so it had only a getter and strict code threw)", () => {
  const e = thrownError(() => new Waypoint(new MeshNamespace(new PolicyApp(), 'shop'), 'Bad_Name'));
  const original = e.message;
  assert.match(original, /names\/rfc1123|Waypoint name/);
  e.message = `while loading shop: ${e.message}`;
  assert.equal(e.message, `while loading shop: ${original}`);
  assert.ok(!Object.keys(e).includes('message') && !Object.keys(e).includes('findings'), 'message and findings stay out of console.log');
});

function thrownError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing thrown');
}

test('a MeshNamespace passed as a plugin target (the most common wrong guess) gets a fix that names what to target instead', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const findings = thrownFindings(() => new BasicAuth(ns, 'auth', { targets: [ns as never], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }] }));
  assert.deepEqual(findings.map((f) => [f.rule, f.message]), [['props/invalid', "BasicAuth prop 'targets[0]': a target must be a Waypoint, MeshService, ExternalService, GatewayReference, ServiceEntryReference or ALL_WAYPOINTS"]]);
  assert.match(findings[0].fix ?? '', /A MeshNamespace is not a target: target the Waypoint it uses\./);
});

test('an empty method in a BasicAuth rule is reported as never matching, not as the empty list that makes the plugin refuse its config', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const w = new Waypoint(ns, 'waypoint');
  const findings = thrownFindings(() => new BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET', ''], credentials: [Credential.insecureLiteral('a:b')] }] }));
  assert.deepEqual(findings.map((f) => f.rule), ['basic-auth/empty-methods']);
  assert.match(findings[0].message, /method #2 is empty: the plugin accepts it, but no request has an empty method, so it never matches$/);
  assert.equal(findings[0].fix, 'Remove the empty method, or write the one meant, e.g. "GET".');
});

test('an empty host in a BasicAuth rule is refused with why: the module takes it, matches no request with it, and the rule then guards nothing', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const w = new Waypoint(ns, 'waypoint');
  const findings = thrownFindings(() => new BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', hosts: [''], methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }] } as never));
  assert.deepEqual(findings.map((f) => f.rule), ['props/invalid']);
  assert.match(findings[0].message, /a host is empty: no request has an empty host, so a rule with only this host would never apply and its paths would go unprotected/);
  assert.equal(findings[0].fix, 'Remove the empty host, or write the host meant (leave hosts out to match every host).');
});

test('checkProps on a library construct itself is refused: it would replace the class\'s own props (BasicAuth would refuse its rules)', () => {
  assert.throws(() => checkProps(BasicAuth, ['ticket']), /checkProps\(BasicAuth\): BasicAuth is a waypoint-policy construct/);
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const w = new Waypoint(ns, 'waypoint');
  assert.doesNotThrow(() => new BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }], acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' } }));
});
