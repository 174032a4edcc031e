import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration, Lazy } from 'cdk8s';
import { AllowedNamespaces, BasicAuth, BasicAuthProps, checkProps, Credential, definePlugin, isPolicyError, LocalRateLimit, MeshNamespace, MeshService, PluginPhase, PolicyApp, PolicyError, ReleasedKind, ReleasedLabels, Target, Waypoint, WasmPlugin, WasmPluginProps } from '../../constructs';
import { z } from 'zod';
import { compileApp } from '../../compiler/synth';
import { checkManifests } from '../../analysis/check-manifests';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SHA = 'a'.repeat(64);

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isPolicyError(e), String(e));
    return e.message;
  }
  assert.fail('expected a PolicyError');
}

test('a refused name is quoted in the error, so the reader sees which one', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  assert.match(messageOf(() => new Waypoint(ns, 'Reviews_Waypoint')), /names\/rfc1123.*RFC 1035 label.*; received "Reviews_Waypoint"/);
});

test('a value zod already names (NaN, Infinity, null) is said once, and one it does not name is quoted', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop', { owned: true });
  const waypoint = new Waypoint(ns, 'waypoint');
  const priority = (value: unknown, id: string) => messageOf(() => new WasmPlugin(ns, id, { url: 'oci://ghcr.io/acme/x:1.0.0', sha256: SHA, targets: [waypoint], priority: value as number }));
  assert.match(priority(NaN, 'a'), /prop 'priority': Invalid input: expected number, received NaN\n/);
  assert.match(priority(Infinity, 'b'), /prop 'priority': Invalid input: expected number, received Infinity\n/);
  assert.match(priority(true, 'c'), /prop 'priority': Invalid input: expected number, received boolean; received true\n/);
  assert.match(messageOf(() => new BasicAuth(ns, 'd', {} as never)), /prop 'rules': Invalid input: expected array, received undefined\n/);
});

test('props that are not an object (null, an array, a number: from JSON or `any`) are refused at the construct\'s path and line, not a TypeError or silently no props', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop', { owned: true });
  const makers: [string, (bad: unknown, id: string) => unknown][] = [
    ['MeshNamespace', (bad, id) => new MeshNamespace(app, id, bad as never)],
    ['Target', (bad, id) => new Target(app, id, bad as never)],
    ['Waypoint', (bad, id) => new Waypoint(ns, id, bad as never)],
    ['MeshService', (bad, id) => new MeshService(ns, id, bad as never)],
    ['WasmPlugin', (bad, id) => new WasmPlugin(ns, id, bad as never)],
    ['BasicAuth', (bad, id) => new BasicAuth(ns, id, bad as never)],
    ['LocalRateLimit', (bad, id) => new LocalRateLimit(ns, id, bad as never)],
    ['ReleasedLabels', (bad, id) => new ReleasedLabels(ns, id, bad as never)],
  ];
  for (const [name, make] of makers) {
    for (const [bad, was] of [[null, 'null'], [[], 'an array'], [5, 'a number']] as const) {
      const id = `x${was.length}`;
      const parent = name === 'MeshNamespace' || name === 'Target' ? '' : 'shop/';
      const before = (parent ? ns : app).node.children.length;
      const message = messageOf(() => make(bad, id));
      assert.match(message, new RegExp(`^error\\[props/invalid\\]: ${name} props are ${was}, not an object\\n  at ${parent}${id} \\(.*validate-messages\\.test\\.ts:\\d+\\)`), `${name} ${was}`);
      assert.equal((parent ? ns : app).node.children.length, before, `${name} ${was}: nothing left in the tree`);
    }
  }
});

test('other refused values are not echoed: a repository URL may carry a token', () => {
  const message = messageOf(() => new PolicyApp({ delivery: { repoURL: 'github.com/acme/policy?token=ghp_s3cr3t' } }));
  assert.match(message, /repoURL must be a git URL/);
  assert.doesNotMatch(message, /s3cr3t/);
});

test('a repository URL with credentials is refused (the delivery manifests are committed), without echoing them', () => {
  for (const repoURL of ['https://leaky:S3cr3tZZ@github.com/acme/policy.git', 'https://ghp_S3cr3tZZ@github.com/acme/policy.git', 'ssh://git:S3cr3tZZ@github.com/acme/policy.git']) {
    const message = messageOf(() => new PolicyApp({ delivery: { repoURL } }));
    assert.match(message, /delivery\/invalid.*repoURL must not carry credentials \(a password, or a token in place of the user/);
    assert.match(message, /fix: Write the URL without them, and give the tool its repository credentials/);
    assert.doesNotMatch(message, /S3cr3tZZ/);
  }
  // A user name alone is not a secret: ssh's account, or the org in an Azure DevOps or Bitbucket clone URL.
  for (const repoURL of ['ssh://git@github.com/acme/policy.git', 'https://acme@dev.azure.com/acme/mesh/_git/policy', 'https://jdoe@bitbucket.org/acme/policy.git']) {
    assert.ok(new PolicyApp({ delivery: { repoURL } }), repoURL);
  }
  // A token in place of the user is one, by its prefix or its length.
  for (const repoURL of ['https://glpat-S3cr3tZZ@gitlab.com/acme/policy.git', 'https://0123456789abcdefS3cr3tZZ@example.com/policy.git']) {
    assert.doesNotMatch(messageOf(() => new PolicyApp({ delivery: { repoURL } })), /S3cr3tZZ/);
  }
});

test('a misspelt prop is refused with the prop it most likely means, not ignored (props built by spreading escape TypeScript)', () => {
  const refused = (build: (ns: MeshNamespace, w: Waypoint) => unknown) => {
    const ns = new MeshNamespace(new PolicyApp(), 'shop');
    const w = new Waypoint(ns, 'waypoint');
    try {
      build(ns, w);
    } catch (e) {
      assert.ok(e instanceof PolicyError, String(e));
      return e.findings.map((f) => `${f.rule} ${f.path}: ${f.message} | ${f.fix}`);
    }
    assert.fail('not refused');
  };
  const extra: Record<string, unknown> = { failstrategy: 'FAIL_OPEN' };
  const rule = { prefix: '/admin', methods: ['GET'], credentials: [Credential.insecureLiteral('u:p')] };
  assert.deepEqual(
    refused((ns, w) => new BasicAuth(ns, 'auth', { targets: [w], sha256: SHA, rules: [rule], ...extra })),
    ["props/unknown shop/auth: BasicAuth has no prop 'failstrategy' (did you mean 'failStrategy'?) | Rename 'failstrategy' to 'failStrategy'."],
  );
  // A rule key: `host` would have protected every host instead of one.
  const [hostRule] = refused((ns, w) => new BasicAuth(ns, 'auth', { targets: [w], sha256: SHA, rules: [{ ...rule, ...{ host: ['shop.example.com'] } }] }));
  assert.match(hostRule, /^props\/unknown shop\/auth: BasicAuth prop 'rules\[0\]' has no key 'host' \(did you mean 'hosts'\?\) \|/);
  assert.deepEqual(
    refused((ns, w) => new WasmPlugin(ns, 'p', { targets: [w], url: 'oci://ghcr.io/acme/p:1.0', sha256: SHA, ...{ pluginconfig: {}, zzz: 1 } })),
    [
      "props/unknown shop/p: WasmPlugin has no prop 'pluginconfig' (did you mean 'pluginConfig'?) | Rename 'pluginconfig' to 'pluginConfig'.",
      `props/unknown shop/p: WasmPlugin has no prop 'zzz' | Remove 'zzz'; WasmPlugin takes ${['acknowledge', 'env', 'failStrategy', 'imagePullPolicy', 'imagePullSecret', 'match', 'name', 'phase', 'pluginConfig', 'pluginName', 'priority', 'selector', 'sha256', 'targets', 'type', 'url'].join(', ')}.`,
    ],
  );
  assert.deepEqual(
    refused((ns, w) => new LocalRateLimit(ns, 'rl', { targets: [w], sha256: SHA, maxTokens: 10, tokensPerRefill: 10, refillInterval: Duration.seconds(1), ...{ refilInterval: 1 } })),
    ["props/unknown shop/rl: LocalRateLimit has no prop 'refilInterval' (did you mean 'refillInterval'?) | Rename 'refilInterval' to 'refillInterval'."],
  );
});

test("a team's own subclass may take props of its own: only the library's classes check for unknown ones", () => {
  class TeamAuth extends BasicAuth {
    constructor(scope: MeshNamespace, id: string, props: BasicAuthProps & { team: string }) {
      super(scope, id, props);
    }
  }
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const w = new Waypoint(ns, 'waypoint');
  new TeamAuth(ns, 'auth', { team: 'shop', targets: [w], sha256: SHA, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('u:p')] }] });
  assert.ok(ns.node.tryFindChild('auth'));
});

test('a waypoint given by its name to useWaypoint says what is expected, not zod\'s "Invalid input"', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const expected = /useWaypoint must be a Waypoint, a Waypoint.fromWaypointName\(\) reference, or "none" \(a waypoint's name alone is not enough: pass its construct\)/;
  for (const build of [
    () => MeshService.fromServiceName(ns, 'carts', 'carts', { useWaypoint: 'shared-waypoint' as never }),
    () => new MeshService(ns, 'cart', { ports: [{ port: 80 }], useWaypoint: 'shared-waypoint' as never }),
    () => new MeshNamespace(new PolicyApp(), 'orders', { useWaypoint: 'shared-waypoint' as never }),
  ]) {
    const message = messageOf(build);
    assert.match(message, expected);
    assert.doesNotMatch(message, /Invalid input/);
  }
  // 'none' and a real waypoint still pass.
  MeshService.fromServiceName(ns, 'a', 'a', { useWaypoint: 'none' });
  MeshService.fromServiceName(ns, 'b', 'b', { useWaypoint: new Waypoint(ns, 'waypoint') });
});

test("a refused environment value of a WasmPlugin is not echoed: env is how a module gets an API key", () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const secret = `S3cr3tZZ${'x'.repeat(2100)}`;
  const message = messageOf(() => new WasmPlugin(ns, 'env', { url: 'oci://ghcr.io/acme/env:1.0.0', targets: [waypoint], env: [{ name: 'API_KEY', value: secret }] } as never));
  assert.match(message, /prop 'env\[0\]\.value'/);
  assert.doesNotMatch(message, /S3cr3tZZ/);
});

test('in hand-written manifests, a value under spec.vmConfig is never quoted by the schema check either: an env list written as a string, a value put in valueFrom, a numeric key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-vmconfig-'));
  try {
    const vmConfigs = [
      `vmConfig: { env: [{ name: API_KEY, valueFrom: "Env-Canary-1101" }] }`,
      `vmConfig: { env: "API_KEY=Env-Canary-2202" }`,
      `vmConfig: { env: ["API_KEY=Env-Canary-3303"] }`,
      `vmConfig: "Env-Canary-4404"`,
      `vmConfig: { env: [{ name: PIN, value: 55066011 }] }`,
    ];
    vmConfigs.forEach((vm, i) =>
      fs.writeFileSync(
        path.join(dir, `plugin-${i}.yaml`),
        `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: p${i}, namespace: shop }
spec:
  url: oci://ghcr.io/acme/env-check:1.0.0
  sha256: ${SHA}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  ${vm}
`,
      ),
    );
    const { findings } = checkManifests(dir);
    const schema = findings.filter((f) => f.rule === 'schema/wasm-plugin');
    assert.equal(schema.length, vmConfigs.length, JSON.stringify(findings));
    for (const f of schema) assert.match(f.message, /^spec\.vmConfig.*a (string|number) \(not shown: it may be a credential\)/);
    assert.doesNotMatch(JSON.stringify(findings), /Env-Canary|55066011/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a credential passed where its variable name belongs is refused without being echoed, in the error and in the printable source', () => {
  const refusal = (credential: Credential) => {
    const ns = new MeshNamespace(new PolicyApp(), 'shop');
    const waypoint = new Waypoint(ns, 'waypoint');
    return messageOf(() => new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [credential] }] }));
  };
  for (const credential of [Credential.fromEnv('leaky:S3cr3tZZ'), Credential.fluxSubstitution('leaky:S3cr3tZZ'), Credential.fromEnv('user S3cr3tZZ')]) {
    const message = refusal(credential);
    assert.match(message, /credentials\/bad-variable\]: .*\(not a name, \d+ characters, not shown: it may be the value itself\) is not a valid variable name/);
    assert.doesNotMatch(message, /S3cr3tZZ/);
    assert.doesNotMatch(credential.source, /S3cr3tZZ/);
  }
  // Names as CI systems write them still work, and a typo'd name is shown so it can be fixed
  // (an unset variable is reported when the app is compiled, with every other one).
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('ci.shop-admin')] }] });
  const [unset] = compileApp(ns.node.root as PolicyApp).findings.filter((f) => f.rule === 'credentials/missing');
  assert.equal(unset.message, 'credential source environment variable ci.shop-admin is not set');
  assert.match(refusal(Credential.fluxSubstitution('1-bad')), /Flux substitution variable "1-bad" is not a valid variable name/);
});

test('the base64 of a user:password passed where a variable name or file path belongs is refused without being echoed, padding or not (a placeholder would put it in git)', () => {
  const encoded = Buffer.from('leaky:S3cr3tZZZ').toString('base64');
  assert.doesNotMatch(encoded, /=/);
  const printed = (credential: Credential) => {
    const app = new PolicyApp();
    const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
    const waypoint = new Waypoint(ns, 'waypoint');
    let text: string;
    try {
      new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [credential] }], sha256: SHA });
      text = compileApp(app).findings.map((f) => `${f.rule}: ${f.message} ${f.fix}`).join('\n');
    } catch (e) {
      assert.ok(isPolicyError(e), String(e));
      text = e.message;
    }
    return `${text}\n${credential.source}`;
  };
  for (const [credential, rule] of [
    [Credential.fromEnv(encoded), 'credentials/bad-variable'],
    [Credential.fluxSubstitution(encoded), 'credentials/bad-variable'],
    [Credential.fromFile(encoded), 'credentials/missing'],
  ] as const) {
    const text = printed(credential);
    assert.match(text, new RegExp(`${rule}.*\\(not a (name|file path), 20 characters, not shown: it may be the value itself\\)`));
    assert.ok(!text.includes(encoded) && !text.includes('S3cr3tZZZ'), text);
  }
  // Names and paths that decode to no user:password pair are still shown.
  assert.match(printed(Credential.fromEnv('SHOPADMIN')), /environment variable SHOPADMIN is not set/);
  assert.match(printed(Credential.fromFile('secrets/admin')), /file secrets\/admin cannot be read/);
});

test("a plugin config with secret keys never echoes a string, even one put where the secret key's parent belongs; a refused name is still shown", () => {
  const TokenCheck = definePlugin({
    name: 'token-check',
    url: 'oci://ghcr.io/acme/token-check:1.0.0',
    sha256: 'a'.repeat(64),
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ auth: z.object({ token: z.string() }), mode: z.enum(['strict', 'lax']) }).strict(),
    secretKeys: ['token'],
  });
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const message = messageOf(() => new TokenCheck(ns, 'check', { targets: [waypoint], pluginConfig: { auth: 'leaky:S3cr3tZZ', mode: 'S3cr3tZZ' } as never }));
  assert.match(message, /pluginConfig prop 'auth'/);
  assert.doesNotMatch(message, /S3cr3tZZ/);
  assert.match(messageOf(() => new TokenCheck(ns, 'Bad_Name', { targets: [waypoint], pluginConfig: { auth: { token: 't' }, mode: 'lax' } })), /received "Bad_Name"/);
});

test('a definePlugin config with no secretKeys never echoes a value under the keys diff treats as secret in any config (password, token, secret, credentials)', () => {
  const Upstream = definePlugin({
    name: 'upstream-login',
    url: 'oci://ghcr.io/acme/upstream-login:1.0.0',
    sha256: SHA,
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ password: z.string().min(30), token: z.number().optional(), upstream: z.number().optional() }),
  });
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const message = messageOf(() => new Upstream(ns, 'login', { targets: [waypoint], pluginConfig: { password: 'Canary-Pw-6631', token: 'Canary-Tok-7742' as never } }));
  assert.match(message, /prop 'password': Too small/);
  assert.match(message, /prop 'token': Invalid input: expected number, received string/);
  assert.doesNotMatch(message, /Canary-Pw-6631|Canary-Tok-7742/);
  // A value that is no secret is still shown.
  assert.match(messageOf(() => new Upstream(ns, 'other', { targets: [waypoint], pluginConfig: { password: 'x'.repeat(30), upstream: true as never } })), /received true/);
});

test("below a definePlugin secret key, an object key is never printed (a map from API key to team): at construction, and in manifests it checks", () => {
  const KeyMap = definePlugin({
    name: 'key-map-messages',
    url: 'oci://ghcr.io/acme/key-map-messages:1.0.0',
    sha256: SHA,
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ api_keys: z.record(z.string(), z.string().min(3)), limits: z.object({ burst: z.number() }).strict().optional() }),
    secretKeys: ['api_keys'],
  });
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const message = messageOf(() => new KeyMap(ns, 'keys', { targets: [waypoint], pluginConfig: { api_keys: { 'MapKey-S3cr3t-4410': 'x' } } }));
  assert.match(message, /pluginConfig prop 'api_keys\[\(a key, not shown\)\]': Too small/);
  assert.doesNotMatch(message, /MapKey-S3cr3t-4410/);
  // Keys elsewhere are still named.
  assert.match(messageOf(() => new KeyMap(ns, 'limits', { targets: [waypoint], pluginConfig: { api_keys: {}, limits: { burst: 1, brust: 2 } as never } })), /prop 'limits' has no key 'brust'/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-keymap-'));
  try {
    fs.writeFileSync(path.join(dir, 'plugin.yaml'), `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: keys, namespace: shop }
spec:
  url: oci://ghcr.io/acme/key-map-messages:1.0.0
  sha256: ${SHA}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig: { api_keys: { MapKey-S3cr3t-4410: x } }
`);
    const { findings } = checkManifests(dir);
    const config = findings.find((f) => /api_keys/.test(f.message));
    assert.ok(config, JSON.stringify(findings));
    assert.match(config.message, /api_keys\[\(a key, not shown\)\]/);
    assert.doesNotMatch(JSON.stringify(findings), /MapKey-S3cr3t-4410/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a definePlugin's own refinement messages and analyze() issues never print a secret value they quote: at construction, at synth and in manifests it checks", () => {
  const Keyed = definePlugin({
    name: 'keyed-messages',
    url: 'oci://ghcr.io/acme/keyed-messages:1.0.0',
    sha256: SHA,
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({
      apiKey: z.string().refine((v) => v.startsWith('k-'), { error: (issue) => `apiKey ${String(issue.input)} must start with k-`, params: { fix: 'Use a k- key.' } }),
      password: z.string().optional(),
      client_secret: z.string().optional(),
    }),
    secretKeys: ['apiKey'],
    analyze: (c) => [
      ...(c.apiKey.length < 20 ? [{ rule: 'keyed-messages/short-key', severity: 'warning' as const, message: `apiKey ${c.apiKey} is short`, fix: `Replace ${c.apiKey}.` }] : []),
      ...(c.password ? [{ rule: 'keyed-messages/password', severity: 'warning' as const, message: `password ${c.password} is set` }] : []),
      ...(c.client_secret ? [{ rule: 'keyed-messages/client-secret', severity: 'warning' as const, message: `client_secret ${c.client_secret} is set` }] : []),
    ],
  });
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const refused = messageOf(() => new Keyed(ns, 'refused', { targets: [waypoint], pluginConfig: { apiKey: 'Team-Key-5521' } }));
  assert.match(refused, /prop 'apiKey': apiKey <redacted> must start with k-/);
  assert.doesNotMatch(refused, /Team-Key-5521/);
  new Keyed(ns, 'short', { targets: [waypoint], pluginConfig: { apiKey: 'k-Team-Key-6632', password: 'Team-Pass-7743', client_secret: 'Team-Client-8854' } });
  const atSynth = compileApp(app).findings.filter((f) => f.rule.startsWith('keyed-messages/'));
  assert.deepEqual(Object.fromEntries(atSynth.map((f) => [f.rule, f.message])), {
    'keyed-messages/short-key': 'keyed-messages pluginConfig: apiKey <redacted> is short',
    'keyed-messages/password': 'keyed-messages pluginConfig: password <redacted> is set',
    // Named like a credential, though neither listed nor one of the fixed keys.
    'keyed-messages/client-secret': 'keyed-messages pluginConfig: client_secret <redacted> is set',
  });
  assert.equal(atSynth.find((f) => f.rule === 'keyed-messages/short-key')?.fix, 'Replace <redacted>.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-keyed-'));
  try {
    const plugin = (name: string, key: string) => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: ${name}, namespace: shop }
spec:
  url: oci://ghcr.io/acme/keyed-messages:1.0.0
  sha256: ${SHA}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig: { apiKey: ${key} }
`;
    fs.writeFileSync(path.join(dir, 'plugins.yaml'), `${plugin('refused', 'Team-Key-5521')}---\n${plugin('short', 'k-Team-Key-6632')}`);
    const { findings } = checkManifests(dir);
    assert.ok(findings.some((f) => /apiKey: apiKey <redacted> must start with k-/.test(f.message)), JSON.stringify(findings));
    assert.ok(findings.some((f) => f.message === 'keyed-messages pluginConfig: apiKey <redacted> is short'), JSON.stringify(findings));
    assert.doesNotMatch(JSON.stringify(findings), /Team-Key-5521|Team-Key-6632/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a misspelt key inside a prop object gets its likely meaning too, and props that are not an object are shown the keys they take', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const rules = [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }];
  const misspelt = messageOf(() => new BasicAuth(ns, 'auth', { targets: [waypoint], rules, acknowledge: { failopen: 'x' } as never }));
  assert.match(misspelt, /BasicAuth prop 'acknowledge' has no key 'failopen' \(did you mean 'failOpen'\?\)/);
  // Nothing near: no guess.
  assert.doesNotMatch(messageOf(() => new BasicAuth(ns, 'auth2', { targets: [waypoint], rules, acknowledge: { zzzzzz: 'x' } as never })), /did you mean/);
  const notObject = messageOf(() => Waypoint.fromWaypointName(ns, 'ref', 'waypoint' as never));
  assert.match(notObject, /fix: Pass the Waypoint\.fromWaypointName props as an object \(\{ name, [^)]*namespace[^)]* \}\)\./);
});

test('a null member of a WasmPlugin pluginConfig is refused, naming where it is: the manifest would leave the key out, not pass null to the module; a null list item is kept', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const message = messageOf(() => new WasmPlugin(ns, 'limits', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: { rules: [{ burst: null, rate: 10 }], token: 'tok-S3cr3tZZ' } }));
  assert.match(message, /props\/invalid.*pluginConfig\.rules\[0\]\.burst is null: the manifest cannot keep a null member/);
  assert.match(message, /fix: Leave the key out where the module should not see it/);
  assert.doesNotMatch(message, /S3cr3tZZ/);
  // Refused whole: nothing of it stays in the tree to be synthesized.
  assert.equal(ns.node.tryFindChild('limits'), undefined);
  new WasmPlugin(ns, 'list', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: { order: ['a', null, 'b'] } });
  const out = compileApp(app);
  const file = [...out.files].find(([f]) => f.endsWith('wasmplugin-list.yaml'));
  assert.ok(file, [...out.files.keys()].join('\n'));
  assert.match(file[1], /order:\n\s+- a\n\s+- null\n\s+- b\n/);
});

test('a pluginConfig key named __proto__ (as JSON.parse makes one) is refused, naming where it is: every copy of the object would make it the prototype and the manifest would lose it', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const plugin = (id: string, config: string) => new WasmPlugin(ns, id, { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: JSON.parse(config) });
  const top = messageOf(() => plugin('top', '{"__proto__": {"mode": "strict"}, "rate": 10}'));
  assert.match(top, /props\/invalid.*pluginConfig has a key named "__proto__"/);
  assert.match(top, /fix: Rename the key, or leave it out/);
  assert.match(messageOf(() => plugin('deep', '{"rules": [{"limits": {"__proto__": 1}}]}')), /pluginConfig\.rules\[0\]\.limits has a key named "__proto__"/);
  assert.equal(ns.node.tryFindChild('top'), undefined);
  plugin('plain', '{"rate": 10}');
  assert.deepEqual(compileApp(app).findings.filter((f) => f.severity === 'error'), []);
});

test("a definition's analyze() that throws with a secretKeys value in its message has the value taken out of the finding", () => {
  const Thrower = definePlugin<{ token: string; team?: string }>({
    name: 'acme-thrower',
    url: 'oci://ghcr.io/acme/thrower:1.0.0',
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ token: z.string(), team: z.string().optional() }),
    secretKeys: ['token'],
    analyze(c) {
      throw new Error(`cannot parse token ${c.token} of team ${c.team}`);
    },
  });
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  new Thrower(ns, 'thrower', { targets: [new Waypoint(ns, 'waypoint')], sha256: SHA, pluginConfig: { token: 'tok-Zq81S3cr3t', team: 'payments' } });
  const thrown = compileApp(app).findings.filter((f) => f.rule === 'policy/exception');
  assert.equal(thrown.length, 1, JSON.stringify(compileApp(app).findings));
  assert.equal(thrown[0].message, "acme-thrower plugin definition threw Error while checking this config: cannot parse token <redacted> of team payments");
  // A value the schema changed before analyze() saw it (trimmed here) is taken out too.
  const Trimmer = definePlugin<{ token: string }>({
    name: 'acme-trimmer',
    url: 'oci://ghcr.io/acme/trimmer:1.0.0',
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ token: z.string().trim() }),
    secretKeys: ['token'],
    analyze(c) {
      throw new Error(`unexpected token ${c.token}`);
    },
  });
  new Trimmer(ns, 'trimmer', { targets: [new Waypoint(ns, 'other')], sha256: SHA, pluginConfig: { token: ' tok-Zq81S3cr3t ' } });
  const trimmed = compileApp(app).findings.filter((f) => f.rule === 'policy/exception' && f.message.includes('acme-trimmer'));
  assert.equal(trimmed[0]?.message, 'acme-trimmer plugin definition threw Error while checking this config: unexpected token <redacted>');
});

test('definePlugin refuses a secretKeys entry that names no key of its config schema: the value meant would be printed in clear (a diff shows it)', () => {
  const define = (secretKeys: string[], configSchema: z.ZodType<object> = z.object({ api_key: z.string(), teams: z.record(z.string(), z.object({ owner: z.string() })).optional(), tokens: z.record(z.enum(['read', 'write']), z.string()).optional() })) =>
    definePlugin({ name: 'acme-keys', url: 'oci://ghcr.io/acme/keys:1.0.0', defaultPhase: PluginPhase.AUTHN, configSchema, secretKeys });
  const message = messageOf(() => define(['apiKey']));
  assert.match(message, /plugin\/definition.*definePlugin\('acme-keys'\) secretKeys: 'apiKey' is no key of the configSchema \(its keys: api_key, owner, read, teams, tokens, write\)/);
  assert.match(message, /fix: Name the config key whose value is secret exactly as the schema does \('api_key'\?\)/);
  // A key at any depth counts (secretKeys are read anywhere under pluginConfig), and a schema that can hold any key is not judged.
  define(['api_key', 'owner', 'read']);
  define(['anything'], z.object({ settings: z.unknown() }));
});

test("a team's subclass of a plugin refuses a key that misspells one of its parent's (spread props escape TypeScript), keeps its own props, and with checkProps is checked exactly", () => {
  class TicketedAuth extends BasicAuth {
    constructor(scope: MeshNamespace, id: string, props: BasicAuthProps & { ticket?: string }) {
      super(scope, id, props);
    }
  }
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const w = new Waypoint(ns, 'waypoint');
  const rules = [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('u:p')] }];
  const common = { targets: [w], sha256: SHA, failStrategyy: 'FAIL_OPEN', priorty: 5 } as unknown as BasicAuthProps;
  const message = messageOf(() => new TicketedAuth(ns, 'typo', { ...common, rules, acknowledge: { literalCredentials: 'test' } }));
  assert.match(message, /props\/unknown.*TicketedAuth has no prop 'failStrategyy' \(did you mean 'failStrategy'\?\): its parent class drops keys it does not take/);
  assert.match(message, /TicketedAuth has no prop 'priorty' \(did you mean 'priority'\?\)/);
  assert.match(message, /If 'priorty' is a prop of TicketedAuth's own, declare its props: checkProps\(TicketedAuth, \['priorty'\]\)/);
  assert.equal(ns.node.tryFindChild('typo'), undefined);
  // Its own prop is not taken for a typo, nor is the singular of a parent's (a wrapper's natural name for one rule).
  new TicketedAuth(ns, 'own', { targets: [w], sha256: SHA, rules, ticket: 'SEC-1', acknowledge: { literalCredentials: 'test' } });
  class OneRuleAuth extends BasicAuth {
    constructor(scope: MeshNamespace, id: string, props: Omit<BasicAuthProps, 'rules'> & { rule: BasicAuthProps['rules'][number] }) {
      super(scope, id, { ...props, rules: [props.rule] });
    }
  }
  new OneRuleAuth(ns, 'one', { targets: [w], sha256: SHA, rule: rules[0], acknowledge: { literalCredentials: 'test' } });
  // A subclass of a definePlugin plugin (docs/library.md's friendly props) is checked the same way.
  const Stamp = definePlugin<{ header: string }>({ name: 'acme-stamp', url: 'oci://ghcr.io/acme/stamp:1.0.0', defaultPhase: PluginPhase.STATS, configSchema: z.object({ header: z.string() }) });
  class TeamStamp extends Stamp {}
  assert.match(messageOf(() => new TeamStamp(ns, 'stamp', { targets: [w], sha256: SHA, pluginConfig: { header: 'x' }, phaze: 'AUTHN' } as never)), /TeamStamp has no prop 'phaze' \(did you mean 'phase'\?\)/);
  // checkProps: every other key is refused, the declared ones pass.
  checkProps(TicketedAuth, ['ticket']);
  assert.match(messageOf(() => new TicketedAuth(ns, 'exact', { targets: [w], sha256: SHA, rules, ticket: 'SEC-1', owner: 'shop', acknowledge: { literalCredentials: 'test' } } as never)), /TicketedAuth has no prop 'owner'/);
  new TicketedAuth(ns, 'declared', { targets: [w], sha256: SHA, rules, ticket: 'SEC-2', acknowledge: { literalCredentials: 'test' } });
});

test('BasicAuth reports a misspelt prop together with its rules\' errors, not one run later', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const rules = [{ prefix: '/', credentials: [Credential.insecureLiteral('a:b')] }];
  const message = messageOf(() => new BasicAuth(ns, 'auth', { target: [waypoint], rules, sha256: SHA } as unknown as BasicAuthProps));
  assert.match(message, /error\[props\/unknown\]: BasicAuth has no prop 'target' \(did you mean 'targets'\?\)/);
  assert.match(message, /error\[props\/invalid\]: BasicAuth prop 'rules\[0\]\.methods'/);
  // Both blamed on this policy line; the id is free again for a corrected retry.
  assert.equal([...message.matchAll(/at shop\/auth \(.*validate-messages\.test\.ts:\d+\)/g)].length, 2, message);
  new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ ...rules[0], methods: ['GET'] }], sha256: SHA });
});

test('every core construct reports a misspelt prop and an invalid value in one error', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const cases: [string, () => unknown, RegExp, RegExp][] = [
    ['PolicyApp', () => new PolicyApp({ partof: 'x', rootNamespace: 'Bad_' } as never), /PolicyApp has no prop 'partof' \(did you mean 'partOf'\?\)/, /rootNamespace/],
    ['MeshNamespace', () => new MeshNamespace(app, 'ns2', { ownd: true, name: 'Bad_' } as never), /MeshNamespace has no prop 'ownd' \(did you mean 'owned'\?\)/, /names\/rfc1123.*received "Bad_"/],
    ['Waypoint', () => new Waypoint(ns, 'Bad_Name', { waypointfor: 'service' } as never), /Waypoint has no prop 'waypointfor' \(did you mean 'waypointFor'\?\)/, /names\/rfc1123.*received "Bad_Name"/],
    ['MeshService', () => MeshService.fromServiceName(ns, 'svc', 'Bad_', { usewaypoint: waypoint } as never), /has no option 'usewaypoint' \(did you mean 'useWaypoint'\?\)/, /names\/rfc1123/],
    ['WasmPlugin', () => new WasmPlugin(ns, 'plugin', { url: 'oci://example.com/p:1', targets: [waypoint], failstrategy: 'FAIL_OPEN', priority: 'high' } as never), /WasmPlugin has no prop 'failstrategy' \(did you mean 'failStrategy'\?\)/, /prop 'priority'/],
  ];
  for (const [name, build, unknown, invalid] of cases) {
    const message = messageOf(build);
    assert.match(message, unknown, `${name}: ${message}`);
    assert.match(message, invalid, `${name}: ${message}`);
  }
});

test('a Credential object in a config other than BasicAuth\'s is refused at construction, with where and what to write instead', () => {
  process.env.WP_TEST_PLUGIN_TOKEN = 'tok-S3cr3t-canary';
  try {
    const ns = new MeshNamespace(new PolicyApp(), 'shop');
    const waypoint = new Waypoint(ns, 'waypoint');
    const raw = (pluginConfig: Record<string, unknown>) => () => new WasmPlugin(ns, 'raw', { url: 'oci://example.com/p:1', sha256: SHA, targets: [waypoint], pluginConfig });
    const nested = messageOf(raw({ auth: { token: Credential.fromEnv('WP_TEST_PLUGIN_TOKEN') } }));
    assert.match(nested, /error\[props\/invalid\]: WasmPlugin prop 'pluginConfig': pluginConfig\.auth\.token is a Credential object: only BasicAuth reads Credential objects/);
    assert.match(nested, /fix: Give the module the value another way: a Flux placeholder string such as '\$\{SHOP_TOKEN\}'/);
    assert.match(messageOf(raw({ tokens: ['plain', Credential.insecureLiteral('a:b')] })), /pluginConfig\.tokens\[1\] is a Credential object/);
    const Loose = definePlugin({ name: 'loose', url: 'oci://example.com/loose:1', defaultPhase: PluginPhase.AUTHN, configSchema: z.object({ token: z.any() }) });
    const defined = messageOf(() => new Loose(ns, 'loose', { targets: [waypoint], sha256: SHA, pluginConfig: { token: Credential.fromEnv('WP_TEST_PLUGIN_TOKEN') } }));
    assert.match(defined, /error\[props\/invalid\]: loose pluginConfig\.token is a Credential object/);
    for (const m of [nested, defined]) assert.doesNotMatch(m, /S3cr3t/);
    // Refused plugins leave the tree: the ids are free for a corrected retry.
    new WasmPlugin(ns, 'raw', { url: 'oci://example.com/p:1', sha256: SHA, targets: [waypoint], pluginConfig: { token: '${SHOP_TOKEN}' } });
    new Loose(ns, 'loose', { targets: [waypoint], sha256: SHA, pluginConfig: { token: '${SHOP_TOKEN}' } });
  } finally {
    delete process.env.WP_TEST_PLUGIN_TOKEN;
  }
});

test('a pluginConfig value no manifest can hold (a Date, Map, Set, RegExp, class instance, function, symbol, bigint, a cycle) is refused at construction, naming where it is and how to write it', () => {
  class Window {
    constructor(readonly seconds: number) {}
  }
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic.self = { parent: cyclic };
  const cases: [unknown, RegExp, RegExp][] = [
    [new Date(0), /pluginConfig\.upstream\.since is a Date: a manifest holds only strings, numbers, booleans, lists and maps/, /d\.toISOString\(\)/],
    [new Map([['a', 1]]), /pluginConfig\.upstream\.since is a Map/, /Object\.fromEntries\(map\)/],
    [new Set(['a']), /pluginConfig\.upstream\.since is a Set/, /\[\.\.\.set\]/],
    [/^\/api/, /pluginConfig\.upstream\.since is a RegExp/, /re\.source/],
    [new Window(10), /pluginConfig\.upstream\.since is an instance of Window/, /object literal/],
    [() => 'x', /pluginConfig\.upstream\.since is a function/, /Call it/],
    [Symbol('x'), /pluginConfig\.upstream\.since is a symbol/, /sym\.description/],
    [10n, /pluginConfig\.upstream\.since is a bigint/, /Number\(n\)/],
    [cyclic, /pluginConfig\.upstream\.since\.self\.parent refers back to pluginConfig\.upstream\.since, which contains it/, /structuredClone/],
  ];
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const Loose = definePlugin({ name: 'loose-values', url: 'oci://example.com/loose-values:1', defaultPhase: PluginPhase.STATS, configSchema: z.record(z.string(), z.unknown()) });
  const Any = definePlugin({ name: 'any-values', url: 'oci://example.com/any-values:1', defaultPhase: PluginPhase.STATS, configSchema: z.any() });
  for (const [since, message, fix] of cases) {
    const pluginConfig = { upstream: { since } };
    const raw = messageOf(() => new WasmPlugin(ns, 'raw', { url: 'oci://example.com/p:1', sha256: SHA, targets: [waypoint], pluginConfig }));
    assert.match(raw, /error\[props\/invalid\]: WasmPlugin prop 'pluginConfig': /);
    for (const [m, name] of [[raw, 'WasmPlugin'], [messageOf(() => new Loose(ns, 'loose', { targets: [waypoint], sha256: SHA, pluginConfig })), 'loose-values'], [messageOf(() => new Any(ns, 'any', { targets: [waypoint], sha256: SHA, pluginConfig })), 'any-values']] as const) {
      assert.match(m, message, name);
      assert.match(m, fix, name);
      assert.match(m, /at shop\/(raw|loose|any) /, name);
    }
  }
  // Refused plugins leave the tree; a value shared twice side by side is no cycle, and cdk8s Lazy values and tokens resolve at synth.
  assert.equal(ns.node.tryFindChild('raw'), undefined);
  const shared = { seconds: 10 };
  new WasmPlugin(ns, 'raw', { url: 'oci://example.com/p:1', sha256: SHA, targets: [waypoint], pluginConfig: { a: shared, b: [shared], since: Lazy.any({ produce: () => new Date(0).toISOString() }), ttl: { resolve: () => '10s' } } });
  new Loose(ns, 'loose', { targets: [waypoint], sha256: SHA, pluginConfig: { since: Lazy.any({ produce: () => 'soon' }) } });
  const out = compileApp(ns.node.root as PolicyApp);
  assert.deepEqual(out.findings.filter((f) => f.severity === 'error'), []);
  const raw = [...out.files].find(([f]) => f.endsWith('wasmplugin-raw.yaml'))?.[1] ?? '';
  assert.match(raw, /a:\n\s+seconds: 10\n\s+b:\n\s+- seconds: 10\n\s+since: "1970-01-01T00:00:00.000Z"\n\s+ttl: 10s\n/);
  assert.match([...out.files].find(([f]) => f.endsWith('wasmplugin-loose.yaml'))?.[1] ?? '', /since: soon/);
});

test('NaN, Infinity and -Infinity in a pluginConfig are refused at construction, naming where and how to fix, not only at synth', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const Loose = definePlugin({ name: 'loose-numbers', url: 'oci://example.com/loose-numbers:1', defaultPhase: PluginPhase.STATS, configSchema: z.record(z.string(), z.unknown()) });
  const Any = definePlugin({ name: 'any-numbers', url: 'oci://example.com/any-numbers:1', defaultPhase: PluginPhase.STATS, configSchema: z.any() });
  for (const [rate, printed] of [[Number('one half'), 'NaN'], [1 / 0, 'Infinity'], [-1 / 0, '-Infinity']] as const) {
    const pluginConfig = { buckets: [{ name: 'x', rate }] };
    const built = [
      ['WasmPlugin', 'raw', () => new WasmPlugin(ns, 'raw', { url: 'oci://example.com/p:1', sha256: SHA, targets: [waypoint], pluginConfig })],
      ['loose-numbers', 'loose', () => new Loose(ns, 'loose', { targets: [waypoint], sha256: SHA, pluginConfig })],
      ['any-numbers', 'any', () => new Any(ns, 'any', { targets: [waypoint], sha256: SHA, pluginConfig })],
    ] as const;
    for (const [name, id, build] of built) {
      const m = messageOf(build);
      assert.match(m, /error\[props\/invalid\]/, name);
      assert.ok(m.includes(`pluginConfig.buckets[0].rate is ${printed}, a non-finite number: neither YAML nor the JSON the API server reads can hold it`), `${name}: ${m}`);
      assert.match(m, /fix: Give it a finite number, or leave the key out/, name);
      assert.match(m, new RegExp(`at shop/${id} `), name);
      assert.equal(ns.node.tryFindChild(id), undefined, `${name}: a refused plugin leaves the tree`);
    }
  }
  // Finite numbers, however large or small, are kept.
  new WasmPlugin(ns, 'raw', { url: 'oci://example.com/p:1', sha256: SHA, targets: [waypoint], pluginConfig: { max: Number.MAX_VALUE, min: -Number.MAX_VALUE, tiny: Number.MIN_VALUE, zero: -0 } });
});

test('a null-prototype object in a definePlugin config its schema passes through untouched is written like any plain object, not a crash at synth', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const Any = definePlugin({ name: 'any-bare', url: 'oci://example.com/any-bare:1', defaultPhase: PluginPhase.STATS, configSchema: z.any() });
  const Nested = definePlugin({ name: 'nested-bare', url: 'oci://example.com/nested-bare:1', defaultPhase: PluginPhase.STATS, configSchema: z.object({ upstream: z.any() }) });
  const bare = <T extends object>(o: T): T => Object.assign(Object.create(null) as T, o);
  const top = bare({ rate: 5, upstream: bare({ host: 'a', ports: [bare({ port: 1 })] }) });
  new Any(ns, 'any', { targets: [waypoint], sha256: SHA, pluginConfig: top });
  new Nested(ns, 'nested', { targets: [waypoint], sha256: SHA, pluginConfig: { upstream: bare({ host: 'b' }) } });
  // What the schema handed back was the caller's own object: a change after construction must not reach the manifest.
  top.rate = 6;
  const out = compileApp(app);
  assert.deepEqual(out.findings.filter((f) => f.severity === 'error'), []);
  const file = (name: string) => [...out.files].find(([f]) => f.endsWith(`wasmplugin-${name}.yaml`))?.[1] ?? '';
  assert.match(file('any'), /pluginConfig:\n\s+rate: 5\n\s+upstream:\n\s+host: a\n\s+ports:\n\s+- port: 1\n/);
  assert.match(file('nested'), /pluginConfig:\n\s+upstream:\n\s+host: b\n/);
});

test('ReleasedLabels refuses props it does not take, with its invalid values, and a refused one leaves the tree for a corrected retry', () => {
  const app = new PolicyApp();
  const target = new Target(app, 'prod');
  const ns = new MeshNamespace(target, 'shop');
  const misspelt = messageOf(() => new ReleasedLabels(ns, 'reviews', { kind: ReleasedKind.SERVICE, nme: 'reviews' } as never));
  assert.match(misspelt, /error\[props\/unknown\]: ReleasedLabels has no prop 'nme' \(did you mean 'name'\?\)/);
  assert.match(misspelt, /at prod\/shop\/reviews /);
  // Reported together, not one per run.
  const both = messageOf(() => new ReleasedLabels(ns, 'pod', { kind: 'Pod', labels: {} } as never));
  assert.match(both, /ReleasedLabels has no prop 'labels'/);
  assert.match(both, /prop 'kind'/);
  assert.equal(ns.node.tryFindChild('reviews'), undefined);
  assert.equal(ns.node.tryFindChild('pod'), undefined);
  // Refused for its place (a Service outside any namespace), too.
  assert.match(messageOf(() => ReleasedLabels.ofService(target, 'reviews')), /scope\/no-namespace/);
  assert.equal(target.node.tryFindChild('released-service-reviews'), undefined);
  const retried = new ReleasedLabels(ns, 'reviews', { kind: ReleasedKind.SERVICE, name: 'reviews' });
  assert.equal(retried.name, 'reviews');
  ReleasedLabels.ofNamespace(target, 'legacy');
  const files = [...compileApp(app).files.keys()];
  assert.ok(files.some((f) => f.endsWith('/shop/service-reviews.yaml')), files.join('\n'));
  assert.ok(files.some((f) => f.endsWith('/namespace-legacy.yaml')), files.join('\n'));
});

test('validate --manifests and synth hide what construction hides for a definition that lists no secretKeys: a password quoted by analyze() throwing, a key under credentials', () => {
  const Unlisted = definePlugin({
    name: 'unlisted-secrets',
    url: 'oci://ghcr.io/acme/unlisted-secrets:1.0.0',
    sha256: SHA,
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ password: z.string(), credentials: z.record(z.string(), z.string().min(12)).optional() }),
    analyze: (c) => {
      if (c.password.startsWith('Team')) throw new Error(`cannot use ${c.password}`);
      return [];
    },
  });
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  new Unlisted(ns, 'thrower', { targets: [waypoint], pluginConfig: { password: 'Team-Pass-8841' } });
  const threw = compileApp(app).findings.find((f) => f.rule === 'policy/exception');
  assert.equal(threw?.message, 'unlisted-secrets plugin definition threw Error while checking this config: cannot use <redacted>');
  const refused = messageOf(() => new Unlisted(ns, 'short', { targets: [waypoint], pluginConfig: { password: 'ok', credentials: { 'alice-Key-4410': 'short' } } }));
  assert.match(refused, /pluginConfig prop 'credentials\[\(a key, not shown\)\]': Too small/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-unlisted-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'plugins.yaml'),
      `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: short, namespace: shop }
spec:
  url: oci://ghcr.io/acme/unlisted-secrets:1.0.0
  sha256: ${SHA}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig: { password: ok, credentials: { alice-Key-4410: short } }
`,
    );
    const { findings } = checkManifests(dir);
    assert.ok(findings.some((f) => f.message.startsWith("unlisted-secrets pluginConfig credentials[(a key, not shown)]: Too small")), JSON.stringify(findings));
    assert.doesNotMatch(JSON.stringify(findings), /alice-Key-4410/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a value under a key named like a credential that the schema cannot list (inside a record) is hidden from a definition\'s own messages, as diff fingerprints it', () => {
  const Upstreams = definePlugin({
    name: 'upstream-keys',
    url: 'oci://ghcr.io/acme/upstream-keys:1.0.0',
    sha256: SHA,
    defaultPhase: PluginPhase.AUTHN,
    configSchema: z.object({ upstreams: z.record(z.string(), z.record(z.string(), z.string().refine((v) => v.startsWith('k-'), { error: (issue) => `${String(issue.input)} must start with k-` }))) }),
    analyze: (c) =>
      Object.values(c.upstreams)
        .flatMap((u) => Object.values(u))
        .filter((v) => v.length < 20)
        .map((v) => ({ rule: 'upstream-keys/short', severity: 'warning' as const, message: `${v} is short` })),
  });
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const refused = messageOf(() => new Upstreams(ns, 'refused', { targets: [waypoint], pluginConfig: { upstreams: { billing: { client_secret: 'Team-Secret-5531' } } } }));
  assert.match(refused, /prop 'upstreams\.billing\.client_secret': <redacted> must start with k-/);
  new Upstreams(ns, 'short', { targets: [waypoint], pluginConfig: { upstreams: { billing: { apiToken: 'k-Team-Token-62' } } } });
  const short = compileApp(app).findings.filter((f) => f.rule === 'upstream-keys/short');
  assert.deepEqual(short.map((f) => f.message), ['upstream-keys pluginConfig: <redacted> is short']);
});

test("BasicAuth's rule errors name the props its author wrote (rules[0].methods), not the wire config's keys (basic_auth_rules[0].request_methods); the raw module keeps the wire's", () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const credentials = [Credential.insecureLiteral('shop:admin')];
  const lower = messageOf(() => new BasicAuth(ns, 'lower', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials }, { prefix: '/admin', methods: ['get'], credentials }] }));
  assert.match(lower, /^error\[basic-auth\/lowercase-method\]: BasicAuth prop 'rules\[1\]\.methods\[0\]': method "get" is not upper-case/);
  const empty = messageOf(() => new BasicAuth(ns, 'empty', { targets: [waypoint], rules: [{ prefix: '/', methods: [], credentials }] }));
  assert.match(empty, /^error\[basic-auth\/empty-methods\]: BasicAuth prop 'rules\[0\]\.methods': methods must list at least one method/);
  const host = messageOf(() => new BasicAuth(ns, 'host', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials, hosts: [''] }] }));
  assert.match(host, /BasicAuth prop 'rules\[0\]\.hosts\[0\]': a host is empty/);
  for (const m of [lower, empty, host]) assert.doesNotMatch(m, /basic_auth_rules|request_methods|pluginConfig/);
  // Nothing was left in the tree by the refused constructs.
  assert.equal(ns.node.tryFindChild('lower') ?? ns.node.tryFindChild('empty') ?? ns.node.tryFindChild('host'), undefined);
  const wire = messageOf(() => new BasicAuth.module(ns, 'wire', { targets: [waypoint], pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: ['get'], credentials: ['shop:admin'] }] } }));
  assert.match(wire, /basic-auth pluginConfig prop 'basic_auth_rules\[0\]\.request_methods\[0\]'/);
});

test('a label or selector key named __proto__ (as JSON.parse makes one) is refused, not dropped: a WasmPlugin selector would select on the other labels alone', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const json = '{"__proto__": "x", "app": "cart"}';
  assert.match(messageOf(() => new MeshNamespace(app, 'labelled', { labels: JSON.parse(json) })), /names\/label-syntax.*MeshNamespace prop 'labels\.__proto__': label key "__proto__" is not a valid Kubernetes label key/);
  assert.match(messageOf(() => new MeshService(ns, 'cart', { ports: [{ port: 80 }], selector: JSON.parse(json) })), /MeshService prop 'selector\.__proto__'/);
  assert.match(messageOf(() => new WasmPlugin(ns, 'sidecars', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, selector: JSON.parse(json) })), /names\/label-syntax.*selector key "__proto__".*select on the other labels alone/);
  assert.equal(ns.node.tryFindChild('sidecars'), undefined);
});

test('a key named constructor in labels, selectors or a pluginConfig is refused at its line, not by cdk8s at synth ("can\'t render non-simple object")', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const json = '{"constructor": "x"}';
  assert.match(messageOf(() => new MeshNamespace(app, 'labelled', { labels: JSON.parse(json) })), /MeshNamespace prop 'labels\.constructor': label key "constructor" cannot be written: cdk8s/);
  assert.match(messageOf(() => new MeshService(ns, 'cart', { ports: [{ port: 80 }], selector: JSON.parse(json) })), /MeshService prop 'selector\.constructor'/);
  assert.match(messageOf(() => new WasmPlugin(ns, 'sidecars', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, selector: JSON.parse(json) })), /selector key "constructor" cannot be written/);
  assert.match(
    messageOf(() => new WasmPlugin(ns, 'config', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: JSON.parse('{"limits": {"constructor": 1}}') })),
    /pluginConfig\.limits has a key named "constructor": cdk8s/,
  );
  assert.match(messageOf(() => new Waypoint(ns, 'shared', { allowedNamespaces: AllowedNamespaces.selector(JSON.parse(json)) })), /allowedNamespaces selector key "constructor" cannot be written/);
  assert.deepEqual(compileApp(app).findings.filter((f) => f.severity === 'error'), []);
});

test('a pluginConfig key named << is refused at its line, in a WasmPlugin and a definePlugin config: kustomize drops the entry however it is quoted', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  assert.match(
    messageOf(() => new WasmPlugin(ns, 'config', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: { limits: [{ '<<': 1 }] } })),
    /props\/invalid.*pluginConfig\.limits\[0\] has a key named "<<": kustomize, which Argo CD and Flux build the folder with, takes it for a YAML merge key[^]*at shop\/config/,
  );
  const Any = definePlugin({ name: 'merge-key-probe', url: 'oci://ghcr.io/acme/merge-key-probe:1.0.0', defaultPhase: PluginPhase.STATS, configSchema: z.record(z.string(), z.unknown()) });
  assert.match(messageOf(() => new Any(ns, 'defined', { targets: [waypoint], sha256: SHA, pluginConfig: { '<<': { a: 1 } } })), /pluginConfig has a key named "<<"/);
  assert.equal(ns.node.tryFindChild('config') ?? ns.node.tryFindChild('defined'), undefined);
  // A key that only contains it is a key like any other.
  new WasmPlugin(ns, 'fine', { url: 'oci://ghcr.io/acme/limits:1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: { '<<a': 1, ' <<': 2 } });
  assert.deepEqual(compileApp(app).findings.filter((f) => f.severity === 'error'), []);
});

test('a refused label value is quoted shortened: a 1 MB value read from a file does not fill the message', () => {
  const message = messageOf(() => new MeshNamespace(new PolicyApp(), 'shop', { labels: { team: 'x'.repeat(1 << 20) } }));
  assert.match(message, /label value "x{77}\.\.\." for team is not a valid Kubernetes label value/);
  assert.ok(message.length < 1000, `${message.length} characters`);
});

test('MeshNamespace labels named like members of Object.prototype (toString, hasOwnProperty) are labels like any other, not taken for Istio labels it manages', () => {
  const app = new PolicyApp();
  new MeshNamespace(app, 'shop', { labels: { toString: 'yes-really', hasOwnProperty: 'x' } as Record<string, string> });
  const r = compileApp(app);
  assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
  const file = [...r.files].find(([k]) => k.endsWith('namespace-shop.yaml'));
  assert.match(file?.[1] ?? '', /\n {4}hasOwnProperty: x\n/);
  assert.match(file?.[1] ?? '', /\n {4}toString: yes-really\n/);
});

test('props given as a class instance (getters) or through Object.create are read like a literal, not dropped: TypeScript takes either for a props interface', () => {
  const app = new PolicyApp();
  class ShopNamespace {
    get owned() {
      return true;
    }
  }
  const ns = new MeshNamespace(app, 'shop', new ShopNamespace());
  assert.equal(ns.owned, true);
  const waypoint = new Waypoint(ns, 'waypoint', Object.create({ waypointFor: 'workload' }));
  assert.equal(waypoint.waypointFor, 'workload');
  class Limits {
    readonly url = 'oci://ghcr.io/acme/limits:1.0.0';
    readonly sha256 = SHA;
    readonly targets = [waypoint];
    get priority() {
      return 7;
    }
  }
  assert.equal(new WasmPlugin(ns, 'limits', new Limits()).priority, 7);
  const r = compileApp(app);
  assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
  assert.match([...r.files].find(([k]) => k.endsWith('gateway-waypoint.yaml'))?.[1] ?? '', /istio\.io\/waypoint-for: workload/);
});

test('a pluginConfig getter is read once: the config the checks passed is the one the manifest holds', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  let reads = 0;
  const props = {
    url: 'oci://ghcr.io/acme/limits:1.0.0',
    sha256: SHA,
    targets: [waypoint],
    get pluginConfig() {
      reads++;
      // Unwritable from the second read on: a second read slipped past the check that refuses it.
      return reads === 1 ? { limit: 1 } : { limit: () => 1 };
    },
  };
  new WasmPlugin(ns, 'limits', props as unknown as WasmPluginProps);
  assert.equal(reads, 1);
  const r = compileApp(app);
  assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
  assert.match([...r.files].find(([k]) => k.endsWith('wasmplugin-limits.yaml'))?.[1] ?? '', /\n {4}limit: 1\n/);
});
