import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { compileApp } from '../../compiler/synth';
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

// A value only rendering finds unwritable (a string prop with a C1 character,
// a Lazy's NaN) used to escape compileApp as a thrown PolicyError holding that
// one finding: compileApp's callers got no result, and validate and synth
// printed "0 warning(s)" over the warnings the analysis had found.
test('a value only rendering refuses is a finding compileApp returns beside the warnings, and synth and validate print them all', async () => {
  const body = `
const app = new wp.PolicyApp({ partOf: 'p' });
const ns = new wp.MeshNamespace(app, 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.BasicAuth(ns, 'auth', {
  targets: [waypoint],
  realm: 'shop\\u0085',
  rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('u:p')] }],
});
export default app;`;
  const dir = tempDir();
  const file = writePolicy(dir, body);
  const { default: app } = await import(file);
  const result = compileApp(app, { root: dir });
  assert.equal(result.files.size, 0);
  assert.deepEqual(
    result.findings.map((f) => [f.severity, f.rule]),
    [['error', 'output/unrepresentable'], ['warning', 'credentials/literal'], ['warning', 'supply-chain/unpinned-module']],
  );
  assert.match(result.findings[0].message, /^spec\.pluginConfig\.realm holds U\+0085 \(NEL\)/);
  assert.equal(result.findings[0].source, 'main.ts:7');
  for (const argv of [['synth', '--outdir', path.join(dir, 'dist')], ['validate']]) {
    const io = captureIo(dir);
    assert.equal(await main([...argv, '--app', file], io), 1, io.text());
    assert.match(io.text(), /error\[output\/unrepresentable\][^]*warning\[credentials\/literal\][^]*1 error\(s\), 2 warning\(s\)/);
  }
  assert.deepEqual(fs.readdirSync(dir), ['main.ts']);
});
