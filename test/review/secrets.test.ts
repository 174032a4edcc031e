import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { definePlugin, PluginPhase } from '../../constructs';
import { formatReview, review } from '../../review';
import { diffObjects, parseTree } from '../../review/object-diff';

const TOKEN_BEFORE = 'tok-BEFORE-1f2e3d';
const TOKEN_AFTER = 'tok-AFTER-9a8b7c';
const URL_PASSWORD = 'hunter2@pass';

// A team's own module, whose config holds an API key under a name the fixed list does not know.
definePlugin({
  name: 'api-key-check',
  url: 'oci://registry.example.com/wasm/api-key-check:1.0.0',
  defaultPhase: PluginPhase.AUTHN,
  configSchema: z.object({ upstream: z.string(), keys: z.array(z.object({ team: z.string(), apiKey: z.string() })) }),
  secretKeys: ['apiKey'],
});

function plugin(name: string, url: string, pluginConfig: unknown): string {
  return `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: ${name}
  namespace: shop
spec:
  url: ${url}
  pluginConfig: ${JSON.stringify(pluginConfig)}
`;
}

function trees() {
  const base = new Map([
    ['demo/shop/wasmplugin-keys.yaml', plugin('keys', 'oci://registry.example.com/wasm/api-key-check:1.0.0', { upstream: 'a', keys: [{ team: 'x', apiKey: TOKEN_BEFORE }] })],
    ['demo/shop/wasmplugin-other.yaml', plugin('other', 'https://ci:old-pass@wasm.example.com/other.wasm', {})],
  ]);
  const head = new Map([
    ['demo/shop/wasmplugin-keys.yaml', plugin('keys', 'oci://registry.example.com/wasm/api-key-check:1.0.0', { upstream: 'b', keys: [{ team: 'x', apiKey: TOKEN_AFTER }] })],
    ['demo/shop/wasmplugin-other.yaml', plugin('other', `https://ci:${URL_PASSWORD}@wasm.example.com/other.wasm`, {})],
  ]);
  return { base, head };
}

test("a definePlugin's secretKeys are fingerprinted in the diff, other fields of its config are shown", () => {
  const { base, head } = trees();
  const changes = diffObjects(parseTree(base), parseTree(head));
  const keys = changes.find((c) => c.object.name === 'keys')!;
  const byPath = Object.fromEntries(keys.fields.map((f) => [f.path, [f.before, f.after]]));
  assert.deepEqual(byPath['spec.pluginConfig.upstream'], ['a', 'b']);
  const [before, after] = byPath['spec.pluginConfig.keys[0].apiKey'] as string[];
  assert.match(before, /^sha256:[0-9a-f]{8}$/);
  assert.match(after, /^sha256:[0-9a-f]{8}$/);
  assert.notEqual(before, after);
});

test("a module URL's user:password never prints; the rest of the URL does", () => {
  const { base, head } = trees();
  const other = diffObjects(parseTree(base), parseTree(head)).find((c) => c.object.name === 'other')!;
  assert.deepEqual(other.fields, [{ path: 'spec.url', before: 'https://***@wasm.example.com/other.wasm', after: 'https://***@wasm.example.com/other.wasm' }]);
});

test('no format of the review prints a secret key value or a URL password', () => {
  const { base, head } = trees();
  const r = review(base, head, { base: 'main', head: 'working tree' });
  for (const format of ['text', 'markdown', 'json'] as const) {
    const out = formatReview(r, format);
    for (const secret of [TOKEN_BEFORE, TOKEN_AFTER, URL_PASSWORD, 'hunter2', 'old-pass']) assert.equal(out.includes(secret), false, `${secret} in ${format}`);
  }
});

test("a WasmPlugin's environment values are fingerprinted, whatever the variable is called; names and other fields are shown", () => {
  const withEnv = (value: string) =>
    `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: env, namespace: shop }
spec:
  url: oci://registry.example.com/wasm/env-check:1.0.0
  vmConfig: { env: [{ name: UPSTREAM_PIN, value: "${value}" }, { name: POD_NAME, valueFrom: HOST }] }
`;
  const base = new Map([['demo/shop/wasmplugin-env.yaml', withEnv('pin-BEFORE-5e6f')]]);
  const head = new Map([['demo/shop/wasmplugin-env.yaml', withEnv('pin-AFTER-7a8b')]]);
  const [change] = diffObjects(parseTree(base), parseTree(head));
  assert.deepEqual(change.fields.map((f) => f.path), ['spec.vmConfig.env[0].value']);
  for (const v of [change.fields[0].before, change.fields[0].after]) assert.match(String(v), /^sha256:[0-9a-f]{8}$/);
  const r = review(base, head, { base: 'main', head: 'working tree' });
  for (const format of ['text', 'markdown', 'json'] as const) assert.doesNotMatch(formatReview(r, format), /pin-BEFORE|pin-AFTER/, format);
});

test('a fingerprint cannot be checked against a guess (it is salted per run), and equal values still match within a run', async () => {
  const { createHash } = await import('node:crypto');
  const { credentialFingerprint } = await import('../../review/secrets');
  const guess = 'ok:test';
  const plain = `sha256:${createHash('sha256').update(guess).digest('hex').slice(0, 8)}`;
  assert.notEqual(credentialFingerprint(guess), plain);
  assert.equal(credentialFingerprint(guess), credentialFingerprint(guess));
  assert.notEqual(credentialFingerprint(guess), credentialFingerprint('ok:test2'));
});

test("a module URL's query values (a mirror's token, a presigned URL's signature) print as fingerprints in every format; their names, and a changed value, still show", () => {
  const at = (url: string) => new Map([['demo/shop/wasmplugin-mirror.yaml', plugin('mirror', url, {})]]);
  const base = at('https://mirror.example.com/ba.wasm?token=SeCrEtToKeN-1&v=2');
  const head = at('https://mirror.example.com/ba.wasm?X-Amz-Signature=SiGnAtUrE-2&token=SeCrEtToKeN-3&BaReSeCrEt#FrAgSeCrEt');
  const [change] = diffObjects(parseTree(base), parseTree(head));
  const [before, after] = [change.fields[0].before, change.fields[0].after] as string[];
  assert.match(before, /^https:\/\/mirror\.example\.com\/ba\.wasm\?token=sha256:[0-9a-f]{8}&v=sha256:[0-9a-f]{8}$/);
  assert.match(after, /^https:\/\/mirror\.example\.com\/ba\.wasm\?X-Amz-Signature=sha256:[0-9a-f]{8}&token=sha256:[0-9a-f]{8}&sha256:[0-9a-f]{8}#sha256:[0-9a-f]{8}$/);
  const r = review(base, head, { base: 'main', head: 'working tree' });
  for (const format of ['text', 'markdown', 'json'] as const) {
    const out = formatReview(r, format);
    for (const secret of ['SeCrEtToKeN', 'SiGnAtUrE', 'BaReSeCrEt', 'FrAgSeCrEt']) assert.equal(out.includes(secret), false, `${secret} in ${format}`);
    assert.ok(out.includes('token='), format);
  }
});

// A module whose secret is a map key: each API key names the team it admits.
definePlugin({
  name: 'key-map-check',
  url: 'oci://registry.example.com/wasm/key-map-check:1.0.0',
  defaultPhase: PluginPhase.AUTHN,
  configSchema: z.object({ upstream: z.string().optional(), api_keys: z.record(z.string(), z.string()) }),
  secretKeys: ['api_keys'],
});

test('below a secret key, object keys are fingerprinted too, in field paths and in added values: a map from API key to team prints no key', () => {
  const at = (pluginConfig: unknown) => new Map([['demo/shop/wasmplugin-map.yaml', plugin('map', 'oci://registry.example.com/wasm/key-map-check:1.0.0', pluginConfig)]]);
  // A key rotated, and the whole map added where there was none.
  for (const [base, head] of [
    [at({ api_keys: { 'MapKey-BEFORE-31aa': 'team-a' } }), at({ api_keys: { 'MapKey-AFTER-77bb': 'team-a' } })],
    [at({ upstream: 'x' }), at({ upstream: 'x', api_keys: { 'MapKey-AFTER-77bb': 'team-a' } })],
  ]) {
    const [change] = diffObjects(parseTree(base), parseTree(head));
    assert.ok(change.fields.length > 0);
    for (const f of change.fields) assert.match(f.path, /^spec\.pluginConfig\.api_keys/);
    const r = review(base, head, { base: 'main', head: 'working tree' });
    for (const format of ['text', 'markdown', 'json'] as const) assert.doesNotMatch(formatReview(r, format), /MapKey-|team-a/, format);
  }
});

test('a value under a key named like a credential, in any case or compound, is fingerprinted in a plugin of no registered module; other keys are shown', () => {
  const keys = ['client_secret', 'apiToken', 'Password', 'api_key', 'access-token', 'AWS_SECRET_ACCESS_KEY', 'hmac_key', 'encryptionKey', 'SHARED_KEY', 'master-key', 'authKey', 'HMACKey', 'APIToken', 'JWTSecret'];
  const shown = ['max_tokens', 'cache_key', 'secretRef', 'routing_key', 'hmac_algorithm', 'HMACAlgorithm'];
  const config = (tag: string) => Object.fromEntries([...keys, ...shown].map((k, i) => [k, `${tag}-${i}-Canary`]));
  const tree = (tag: string) => new Map([['demo/shop/wasmplugin-raw.yaml', plugin('raw', 'oci://registry.example.com/wasm/unregistered:1.0.0', config(tag))]]);
  const r = review(tree('Before'), tree('After'), { base: 'main', head: 'working tree' });
  for (const format of ['text', 'markdown', 'json'] as const) {
    const out = formatReview(r, format);
    keys.forEach((k, i) => assert.equal(out.includes(`-${i}-Canary`), false, `${k} in ${format}`));
    shown.forEach((k, i) => assert.ok(out.includes(`After-${keys.length + i}-Canary`), `${k} in ${format}`));
  }
});

test('credentials under authorization, bearer, cookie and passphrase keys, in a header map or a list of named headers, in a header line, a base64 user:pass or a URL in the config, at any depth, never print; the diff says they changed by fingerprint, and what is no credential still shows', () => {
  const config = (tag: string) => ({
    upstream: `keep-${tag}`,
    authorization: `Bearer ${tag}AuthzCanary1`,
    bearer: `${tag}BearerCanary2`,
    headers: { Authorization: `Basic ${tag}HdrCanary3`, 'X-Trace': `trace-${tag}` },
    header_list: [
      { name: 'Authorization', value: `${tag}ListCanary4` },
      { name: 'x-trace', value: `list-${tag}` },
    ],
    nested: { deep: [{ cookie: `${tag}CookieCanary5` }] },
    lines: [`Authorization: Bearer ${tag}LineCanary6`, `X-Request-Id: line-${tag}`],
    proxy: `https://svc:${tag}UrlCanary7@proxy.example.com/`,
    passphrase: `${tag}PassphraseCanary8`,
    fallback: Buffer.from(`svc:${tag}PairCanary9`).toString('base64'),
    access_keys: [`${tag}KeysCanary10`],
  });
  const tree = (pluginConfig: unknown) => new Map([['demo/shop/wasmplugin-hdr.yaml', plugin('hdr', 'oci://registry.example.com/wasm/unregistered-headers:1.0.0', pluginConfig)]]);
  const canaries = /Canary\d|svc:/;
  // Every value changed; then the whole config added where there was none (printed as one value).
  for (const [base, head, shown, edited] of [
    [tree(config('Before')), tree(config('After')), ['keep-After', 'trace-After', 'list-After', 'line-After', 'X-Trace'], true],
    [tree({}), tree(config('After')), ['keep-After', 'trace-After', 'list-After', 'x-trace'], false],
  ] as const) {
    const [change] = diffObjects(parseTree(base), parseTree(head));
    const byPath = Object.fromEntries(change.fields.map((f) => [f.path, f]));
    if (edited) {
      for (const p of ['spec.pluginConfig.authorization', 'spec.pluginConfig.headers.Authorization', 'spec.pluginConfig.header_list[0].value', 'spec.pluginConfig.lines[0]', 'spec.pluginConfig.fallback', 'spec.pluginConfig.nested.deep[0].cookie']) {
        assert.ok(byPath[p], `${p} in ${Object.keys(byPath).join(', ')}`);
        assert.match(String(byPath[p].after), /sha256:[0-9a-f]{8}/, p);
        assert.notEqual(byPath[p].before, byPath[p].after, p);
      }
    }
    const r = review(base, head, { base: 'main', head: 'working tree' });
    for (const format of ['text', 'markdown', 'json'] as const) {
      const out = formatReview(r, format);
      assert.doesNotMatch(out, canaries, format);
      for (const s of shown) assert.ok(out.includes(s), `${s} in ${format}`);
    }
  }
});

test('a map key shaped like a credential (a base64 user:password, a bearer token), under a key named like nothing secret, prints as its fingerprint in field paths and added values, in every format; other keys still show', () => {
  const pair = Buffer.from('svc:KeyPairCanary1').toString('base64');
  const bearer = 'Bearer KeyTokenCanary2';
  const at = (pluginConfig: unknown) => new Map([['demo/shop/wasmplugin-tenants.yaml', plugin('tenants', 'oci://registry.example.com/wasm/tenant-map:1.0.0', pluginConfig)]]);
  // A tenant's team changed (the key is in the path), one added (in the path), and the whole map added where there was none (in the value).
  for (const [base, head] of [
    [at({ tenants: { [pair]: 'team-a', plain: 'team-c' } }), at({ tenants: { [pair]: 'team-b', [bearer]: 'team-d', plain: 'team-e' } })],
    [at({ upstream: 'x' }), at({ upstream: 'x', tenants: { [pair]: 'team-b', [bearer]: 'team-d', plain: 'team-e' } })],
  ]) {
    const [change] = diffObjects(parseTree(base), parseTree(head));
    assert.ok(change.fields.length > 0);
    const r = review(base, head, { base: 'main', head: 'working tree' });
    for (const format of ['text', 'markdown', 'json'] as const) {
      const out = formatReview(r, format);
      assert.doesNotMatch(out, new RegExp(`KeyPairCanary|KeyTokenCanary|${pair.slice(0, 12)}`), format);
      for (const s of ['plain', 'team-b', 'team-d', 'team-e']) assert.ok(out.includes(s), `${s} in ${format}`);
      assert.match(out, /sha256:[0-9a-f]{8}/, format);
    }
  }
});

test("a Secret's data and stringData values never print, whatever their keys are called; its keys and a change still show", () => {
  const secret = (v: string) => `apiVersion: v1
kind: Secret
metadata: { name: pull, namespace: shop }
type: Opaque
data:
  config.json: ${Buffer.from(`registry-${v}`).toString('base64')}
stringData:
  htpasswd: "admin-${v}"
`;
  const base = new Map([['demo/1-waypoints/shop/secret-pull.yaml', secret('OldSecretCanary')]]);
  const head = new Map([['demo/1-waypoints/shop/secret-pull.yaml', secret('NewSecretCanary')]]);
  const [change] = diffObjects(parseTree(base), parseTree(head));
  assert.deepEqual(change.fields.map((f) => f.path), ['data["config.json"]', 'stringData.htpasswd']);
  for (const f of change.fields) for (const v of [f.before, f.after]) assert.match(String(v), /^sha256:[0-9a-f]{8}$/, f.path);
  const r = review(base, head, { base: 'main', head: 'working tree' });
  for (const format of ['text', 'markdown', 'json'] as const) {
    const out = formatReview(r, format);
    assert.doesNotMatch(out, /SecretCanary|T2xkU2VjcmV0|TmV3U2VjcmV0|cmVnaXN0cnkt/, format);
    assert.ok(out.includes('htpasswd'), format);
  }
});

test('reading a tree prints no yaml warning quoting the file (a map key that is a list, below credentials)', async () => {
  const warnings: string[] = [];
  const listen = (w: Error) => warnings.push(w.message);
  process.on('warning', listen);
  try {
    const tree = new Map([['demo/shop/wasmplugin-keys.yaml', plugin('keys', 'oci://registry.example.com/wasm/api-key-check:1.0.0', {}).replace('pluginConfig: {}', 'pluginConfig:\n    credentials:\n      ? [Key-Secret-4471]\n      : team')]]);
    parseTree(tree);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listen);
  }
  assert.deepEqual(warnings.filter((w) => w.includes('Key-Secret-4471')), []);
});

test('a value shaped like a credential whatever its key (a PEM or OpenPGP private key, also as a list of lines, a JWT, a GitHub, GitLab, Slack or Stripe token) prints as its fingerprint in every format; a public certificate and ordinary dotted values still show', () => {
  const jwt = (tag: string) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ${tag}In0.${tag}Sig-_x`;
  const config = (tag: string) => ({
    pem: `-----BEGIN PRIVATE KEY-----\nMIIE${tag}PemCanary1\n-----END PRIVATE KEY-----`,
    rsa: `-----BEGIN RSA PRIVATE KEY-----\n${tag}RsaCanary2\n-----END RSA PRIVATE KEY-----`,
    session: jwt(`${tag}JwtCanary3`),
    github: `ghp_${tag}GhCanary4aaaaaaaaaaaaaaaaaaaaaa`,
    gitlab: `glpat-${tag}GlCanary5aaaaaaaaaa`,
    slack: `xoxb-1234-${tag}SlackCanary6`,
    stripe: `sk_live_${tag}StripeCanary7aaaa`,
    pgp: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOY${tag}PgpCanary8\n-----END PGP PRIVATE KEY BLOCK-----`,
    // The same key given line by line: each base64 line alone looks like any text.
    signer: ['-----BEGIN RSA PRIVATE KEY-----', `MIIEow${tag}LinesCanary9`, '-----END RSA PRIVATE KEY-----'],
    cert: `-----BEGIN CERTIFICATE-----\ncert-${tag}\n-----END CERTIFICATE-----`,
    host: `api.${tag}.example.com`,
    version: `v1.2.${tag}`,
  });
  const tree = (tag: string) => new Map([['demo/shop/wasmplugin-shapes.yaml', plugin('shapes', 'oci://registry.example.com/wasm/unregistered-shapes:1.0.0', config(tag))]]);
  for (const [base, head] of [
    [tree('Before'), tree('After')],
    [new Map([['demo/shop/wasmplugin-shapes.yaml', plugin('shapes', 'oci://registry.example.com/wasm/unregistered-shapes:1.0.0', {})]]), tree('After')],
  ]) {
    const r = review(base, head, { base: 'main', head: 'working tree' });
    for (const format of ['text', 'markdown', 'json'] as const) {
      const out = formatReview(r, format);
      assert.doesNotMatch(out, /Canary\d/, format);
      for (const s of ['cert-After', 'api.After.example.com', 'v1.2.After']) assert.ok(out.includes(s), `${s} in ${format}`);
      assert.match(out, /sha256:[0-9a-f]{8}/, format);
    }
  }
});
