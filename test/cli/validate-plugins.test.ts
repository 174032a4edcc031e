import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

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

  const io = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', 'manifests', '--plugins', 'header-stamp.ts', '--json'], io), 1, io.text());
  const config = errorsOf(io);
  assert.ok(config.some((f) => /header/.test(f.message)), JSON.stringify(config));

  const usage = captureIo(dir);
  assert.equal(await main(['validate', '--plugins', file], usage), 2);
  assert.match(usage.text(), /--plugins only applies with --manifests/);
  const missing = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', 'manifests', '--plugins', 'nope.ts'], missing), 2);
  assert.match(missing.text(), /--plugins nope\.ts not found/);
});
