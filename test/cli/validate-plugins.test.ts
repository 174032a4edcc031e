import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkManifests } from '../../analysis/check-manifests';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, SHOP_MESH_YAML, tempDir } from '../support/helpers';

const LIB = REPO_ROOT.split(path.sep).join('/');

/** A team's plugin package: one definePlugin, nothing else. */
function pluginModule(dir: string): string {
  const file = path.join(dir, 'header-stamp.ts');
  fs.writeFileSync(
    file,
    `import { definePlugin, PluginPhase, z } from '${LIB}';
export const HeaderStamp = definePlugin({
  name: 'header-stamp-cli',
  url: 'oci://registry.example.com/wasm/header-stamp-cli:1.0.0',
  defaultPhase: PluginPhase.STATS,
  configSchema: z.object({ header: z.string().min(1), value: z.string() }).strict(),
});
`,
  );
  return file;
}

const MANIFEST = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: stamp, namespace: shop }
spec:
  url: oci://registry.example.com/wasm/header-stamp-cli@sha256:${'a'.repeat(64)}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig: { header: "" , value: shop }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
`;

test('validate --manifests --plugins FILE checks hand-written manifests of your own module against its definition', async () => {
  const dir = tempDir('wp-vp-');
  const manifests = path.join(dir, 'manifests');
  fs.mkdirSync(manifests);
  fs.writeFileSync(path.join(manifests, 'stamp.yaml'), MANIFEST);
  const file = pluginModule(dir);

  type JsonFinding = { rule: string; severity: string; message: string };
  const errorsOf = (io: ReturnType<typeof captureIo>) => (JSON.parse(io.stdout.join('\n')) as JsonFinding[]).filter((f) => f.severity === 'error');
  // Before this process has imported the definition, the module is unknown: nothing to check its config against.
  const before = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', 'manifests', '--json'], before), 0, before.text());
  assert.deepEqual(errorsOf(before), []);
  // ...and the pass says so, rather than reading as "the config is fine".
  assert.match(before.stderr.join('\n'), /the pluginConfig of WasmPlugins using registry\.example\.com\/wasm\/header-stamp-cli was not checked: no definition of that module was imported \(pass --plugins FILE\|PACKAGE/);
  assert.deepEqual(checkManifests(manifests).uncheckedModules, ['registry.example.com/wasm/header-stamp-cli']);
  // A plugin with no config has nothing that went unchecked.
  const bare = path.join(dir, 'bare');
  fs.mkdirSync(bare);
  fs.writeFileSync(path.join(bare, 'p.yaml'), MANIFEST.replace('  pluginConfig: { header: "" , value: shop }\n', ''));
  assert.deepEqual(checkManifests(bare).uncheckedModules, []);

  const io = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', 'manifests', '--plugins', 'header-stamp.ts', '--json'], io), 1, io.text());
  const config = errorsOf(io);
  assert.ok(config.some((f) => /header/.test(f.message)), JSON.stringify(config));
  assert.doesNotMatch(io.text(), /was not checked/);
  assert.deepEqual(checkManifests(manifests).uncheckedModules, []);

  const usage = captureIo(dir);
  assert.equal(await main(['validate', '--plugins', file], usage), 2);
  assert.match(usage.text(), /--plugins only applies with --manifests/);
  const missing = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', 'manifests', '--plugins', 'nope.ts'], missing), 2);
  assert.match(missing.text(), /--plugins nope\.ts not found/);
});

test('--plugins takes an installed package too, and explain takes it, so a team definition\'s simulation note applies', async () => {
  const dir = tempDir('wp-vp-pkg-');
  const pkg = path.join(dir, 'node_modules', '@acme', 'platform');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@acme/platform', version: '1.0.0', main: 'index.ts' }));
  fs.writeFileSync(
    path.join(pkg, 'index.ts'),
    `import { definePlugin, PluginPhase, z } from '${LIB}';
export const TenantHeader = definePlugin({
  name: 'tenant-header-pkg',
  url: 'oci://registry.example.com/wasm/tenant-header-pkg:1.0.0',
  defaultPhase: PluginPhase.STATS,
  configSchema: z.object({ tenant: z.string().min(1) }),
  simulation: { supported: true, passThrough: true, reason: 'adds a header only' },
});
`,
  );
  const manifests = path.join(dir, 'manifests');
  fs.mkdirSync(manifests);
  fs.writeFileSync(
    path.join(manifests, 'mesh.yaml'),
    `${SHOP_MESH_YAML}apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: tenant, namespace: shop }
spec:
  url: oci://registry.example.com/wasm/tenant-header-pkg:1.0.0
  sha256: ${'a'.repeat(64)}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig: { tenant: shop }
`,
  );
  const explainArgs = ['explain', '--manifests', 'manifests', '--to', 'shop/cart:8080', '--path', '/public', '--json'];
  const statusOf = (io: ReturnType<typeof captureIo>) => (JSON.parse(io.stdout.join('\n')) as { status: number | null }).status;
  // Not imported yet: the simulator has no note for the module.
  const before = captureIo(dir);
  assert.equal(await main(explainArgs, before), 0, before.text());
  assert.equal(statusOf(before), null);

  const io = captureIo(dir);
  assert.equal(await main([...explainArgs, '--plugins', '@acme/platform'], io), 0, io.text());
  assert.equal(statusOf(io), 200);

  const validate = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', 'manifests', '--plugins', '@acme/platform'], validate), 0, validate.text());
  const missing = captureIo(dir);
  assert.equal(await main([...explainArgs, '--plugins', '@acme/nope'], missing), 2);
  assert.match(missing.text(), /explain: --plugins @acme\/nope not found \(looked for the file .*, and for a package of that name installed under /);
});

test('a --plugins module that throws with a credential it declared is reported without the value (validate and explain)', async () => {
  const dir = tempDir('wp-plugins-throw-');
  fs.mkdirSync(path.join(dir, 'manifests'));
  fs.writeFileSync(path.join(dir, 'manifests', 'mesh.yaml'), SHOP_MESH_YAML);
  fs.writeFileSync(
    path.join(dir, 'throws.ts'),
    `import { Credential } from '${LIB}';
export const token = Credential.fromEnv('WP_PLUGIN_TOKEN');
throw new Error('token ' + process.env.WP_PLUGIN_TOKEN + ' refused by the registry');
`,
  );
  process.env.WP_PLUGIN_TOKEN = 'plugin:Plugin-Secret-6604';
  try {
    for (const args of [['validate', '--manifests', 'manifests'], ['explain', '--manifests', 'manifests', '--to', 'shop/cart']]) {
      const io = captureIo(dir);
      assert.equal(await main([...args, '--plugins', './throws.ts'], io), 2);
      assert.match(io.text(), /--plugins \.\/throws\.ts could not be imported: .*<redacted credential>/);
      assert.doesNotMatch(io.text(), /Plugin-Secret-6604/);
    }
  } finally {
    delete process.env.WP_PLUGIN_TOKEN;
  }
});
