import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { readTree } from '../../compiler/write';
import { toYaml, UnrepresentableError } from '../../compiler/yaml';
import { captureIo, tempDir, writePolicy } from '../support/helpers';

// A pluginConfig value no YAML can hold (a NaN from Number() of an unset
// variable, a bigint) used to escape render as "internal error" (exit 70),
// naming neither the construct nor the policy line.

const policy = (value: string) => `
const app = new wp.PolicyApp({ partOf: 'p' });
const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.WasmPlugin(ns, 'stats', {
  url: 'oci://ghcr.io/acme/stats:1.0.0',
  sha256: '${'a'.repeat(64)}',
  targets: [waypoint],
  pluginConfig: { buckets: [{ name: 'x', rate: ${value} }] },
});
export default app;`;

// A config given at construction is refused there (constructs/wasm-plugin.ts), at the same place;
// one that only a Lazy produces at synth is refused when the manifest is written.
for (const [value, rule, problem] of [
  ["Number('one half')", 'props/invalid', /pluginConfig\.buckets\[0\]\.rate is NaN, a non-finite number/],
  ['1 / 0', 'props/invalid', /pluginConfig\.buckets\[0\]\.rate is Infinity, a non-finite number/],
  ['10n', 'props/invalid', /pluginConfig\.buckets\[0\]\.rate is a bigint/],
  ["{ resolve: () => Number('one half') }", 'output/unrepresentable', /spec\.pluginConfig\.buckets\[0\]\.rate is NaN, a non-finite number/],
] as const) {
  test(`a pluginConfig value of ${value} is a finding at the construct and line; nothing is written`, async () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    assert.equal(await main(['synth', '--app', writePolicy(dir, policy('1')), '--outdir', out], captureIo(dir)), 0);
    const before = readTree(out);
    const io = captureIo(dir);
    const code = await main(['synth', '--app', writePolicy(dir, policy(value)), '--outdir', out], io);
    assert.equal(code, 1, io.text());
    assert.ok(io.text().includes(`error[${rule}]`), io.text());
    assert.match(io.text(), problem);
    assert.match(io.text(), /at prod\/shop\/stats \(main\.ts:7\)/);
    assert.doesNotMatch(io.text(), /internal error/);
    assert.deepEqual(readTree(out), before);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['dist', 'main.ts']);
  });
}

test('a map key longer than YAML allows is refused, not written unreadable', () => {
  const doc = { spec: { pluginConfig: { ['k'.repeat(1025)]: 1, ok: { ['k'.repeat(1022)]: 1 } } } };
  assert.throws(
    () => toYaml(doc),
    (e: unknown) => e instanceof UnrepresentableError && /^spec\.pluginConfig\["k{32}\.\.\."\] is a key of 1025 characters/.test(e.message),
  );
  const fits = { spec: { ok: { ['k'.repeat(1022)]: 1 } } };
  assert.ok(toYaml(fits).includes(`"${'k'.repeat(1022)}": 1`));
});

test('a lone surrogate is refused: JS reads its escape back, but no UTF-8 file or Go reader takes it', () => {
  const cut = '😀x'.slice(1);
  assert.throws(
    () => toYaml({ spec: { pluginConfig: { greeting: ['ok', cut] } } }),
    (e: unknown) => e instanceof UnrepresentableError && /^spec\.pluginConfig\.greeting\[1\] holds a lone UTF-16 surrogate/.test(e.message),
  );
  assert.throws(() => toYaml({ ['\udc00']: 1 }), UnrepresentableError);
  assert.equal(toYaml({ a: '😀' }), 'a: "😀"\n');
});
