import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { kustomize } from '../gitops/support';
import { tempDir } from '../support/helpers';
import { parse } from 'yaml';
import { quoteString, toYaml, UnrepresentableError } from '../../compiler/yaml';

// kustomize, Argo CD and Flux read YAML with Go (YAML 1.1 rules, Go's integer
// syntax): a plain scalar the JS parser reads as a string can be an int or a
// time there. Written plain, a pluginConfig value `0B101` reached the plugin
// as 5, a timestamp came back reformatted, and such a map key failed the
// whole build ("json: unsupported type: map[interface {}]interface {}").
const GO_NOT_STRINGS = ['0b101', '0B101', '0X1F', '0O17', '+0b1', '-0B1', '0b1_0', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10'];
// Go strips every `_` after a scalar's first character before reading it as a number: each is one there.
const GO_UNDERSCORE_NUMBERS = ['+_1', '0_x1F', '0_b1', '0_o7', '+_.5', '+_0x1F', '+_1_e_3'];
// Still plain: nothing reads them as anything but a string.
const STILL_PLAIN = ['0xG', '0b2', 'v1.0', '0123456789abcdef', '200-x', 'e1', 'b101'];

/**
 * What Argo CD deploys from a folder: `kustomize build`, its output read by
 * Go's YAML reader (sigs.k8s.io/yaml), as `kubectl label --local -k` does
 * without a cluster.
 */
function kustomizeReadByGo(dir: string): unknown {
  return JSON.parse(execFileSync('kubectl', ['label', '--local', '-k', dir, 'read=yes', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A folder of one ConfigMap holding `data` and its kustomization. */
function configMapFolder(data: Record<string, string>): { dir: string; map: object } {
  const dir = tempDir();
  const map = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data };
  fs.writeFileSync(path.join(dir, 'configmap-c.yaml'), toYaml(map));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['configmap-c.yaml'] }));
  return { dir, map };
}

const labelled = (map: object) => ({ ...map, metadata: { ...(map as { metadata: object }).metadata, labels: { read: 'yes' } } });

test('strings Go YAML reads as numbers or times are quoted', () => {
  for (const s of [...GO_NOT_STRINGS, ...GO_UNDERSCORE_NUMBERS]) assert.notEqual(quoteString(s), s, s);
  for (const s of STILL_PLAIN) assert.equal(quoteString(s), s, s);
});

test('kustomize builds them back as the same strings, as values and as keys', () => {
  const dir = tempDir();
  const plugin = {
    apiVersion: 'extensions.istio.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: 'w', namespace: 'shop', annotations: { note: GO_NOT_STRINGS[0] } },
    spec: { url: 'oci://ghcr.io/acme/w:1', pluginConfig: { values: [...GO_NOT_STRINGS, ...STILL_PLAIN], keys: Object.fromEntries(GO_NOT_STRINGS.map((s, i) => [s, i])) } },
  };
  fs.writeFileSync(path.join(dir, 'wasmplugin-w.yaml'), toYaml(plugin));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['wasmplugin-w.yaml'] }));
  assert.deepEqual(kustomize(dir), [plugin]);
});

test('strings Go reads as numbers once it strips their underscores reach it as the same strings, as values and as keys', () => {
  const { dir, map } = configMapFolder(Object.fromEntries(GO_UNDERSCORE_NUMBERS.flatMap((s, i) => [[`v${i}`, s], [s, `k${i}`]])));
  assert.deepEqual(kustomizeReadByGo(dir), labelled(map));
});

test('DEL, C1 control characters, U+FFFE and U+FFFF are refused: kustomize reads them escaped but fails writing them back, so Argo CD and Flux could not build the folder', () => {
  for (const s of ['\u007f', 'a\u0080b', '\u009f', '\ufffe', 'a\uffffb', 'say "\ufffe"']) {
    assert.throws(
      () => toYaml({ spec: { pluginConfig: { v: s } } }),
      (e: unknown) => e instanceof UnrepresentableError && /^spec\.pluginConfig\.v holds U\+[0-9A-F]{4}, a character kustomize/.test(e.message),
      JSON.stringify(s),
    );
    assert.throws(() => toYaml({ [s]: 1 }), UnrepresentableError, JSON.stringify(s));
  }
  // Other characters outside ASCII build back unchanged.
  const dir = tempDir();
  const map = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { nbsp: 'a\u00a0b', e: '\u00e9', cjk: '\u4e2d' } };
  fs.writeFileSync(path.join(dir, 'configmap-c.yaml'), toYaml(map));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['configmap-c.yaml'] }));
  assert.deepEqual(kustomize(dir), [map]);
  assert.deepEqual(parse(toYaml(map)), map);
});

// What YAML 1.1 (Go's reader) takes for a line break or white space beside
// LF and CR, and other characters an emitter may write raw.
const BREAKS_AND_SPACES = ['\u2028', '\u2029', '\t', '\r', '\r\n', '\n', '\u0000', '\u001b', '\u00a0', '\u1680', '\u2000', '\u200b', '\u3000', '\ufeff', '\ufffd', '\u00ad', '\u0300', '\u{1f600}'];
const IN_PLACES = (c: string) => [c, `a${c}b`, `${c}a`, `a${c}`, ` ${c} `, `${c}${c}`, `a ${c}b`, `a${c} b`, `${c}\n`, `\n${c}`, `x\n${c}y`, `x\n ${c}`, `it's ${c} "q"`];

test('U+2028, U+2029 and other line breaks, spaces and invisible characters reach Go\'s reader unchanged through kustomize, as values and as keys', () => {
  const strings = BREAKS_AND_SPACES.flatMap(IN_PLACES);
  const { dir, map } = configMapFolder(Object.fromEntries(strings.flatMap((s, i) => [[`v${i}`, s], [`k${i}${s}`, 'x']])));
  assert.deepEqual(kustomizeReadByGo(dir), labelled(map));
});

test('U+0085 (NEL), which kustomize writes back as a space, is refused as a value and as a key', () => {
  // The evidence: written escaped, it is read right, and kustomize's output holds a space in its place.
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'configmap-c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { nel: "a\\u0085b" }\n');
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [configmap-c.yaml]\n');
  assert.deepEqual((kustomizeReadByGo(dir) as { data: unknown }).data, { nel: 'a b' });
  for (const s of IN_PLACES('\u0085')) {
    assert.throws(
      () => toYaml({ data: { v: s } }),
      (e: unknown) => e instanceof UnrepresentableError && /^data\.v holds U\+0085 \(NEL\)/.test(e.message) && /kustomize writes it back as a space/.test(e.message),
      JSON.stringify(s),
    );
    assert.throws(() => toYaml({ data: { [s]: 'v' } }), UnrepresentableError, JSON.stringify(s));
  }
});

test('a key named << is refused at any depth: kustomize takes it for a merge key however it is quoted and drops the entry', () => {
  // The evidence: every spelling of the key is gone from what kustomize builds, at the root of data and deep in a list.
  const dir = tempDir();
  const spellings = ['"<<"', "'<<'", '"\\u003c<"', '!!str <<'];
  const docs = spellings.map((k, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i} }\ndata:\n  ${k}: "x"\n  a: "1"\nx:\n  - ${k}: 1\n    b: 2\n`);
  fs.writeFileSync(path.join(dir, 'configmaps.yaml'), docs.join('---\n'));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [configmaps.yaml]\n');
  for (const built of kustomize(dir)) {
    assert.deepEqual(built.data, { a: '1' });
    assert.deepEqual(built.x, [{ b: 2 }]);
  }
  for (const doc of [{ spec: { pluginConfig: { '<<': 1 } } }, { spec: { pluginConfig: { rules: [{ '<<': { a: 1 } }] } } }]) {
    assert.throws(
      () => toYaml(doc),
      (e: unknown) => e instanceof UnrepresentableError && /^spec\.pluginConfig(\.rules\[0\])?\["<<"\] is a key named "<<": kustomize/.test(e.message),
    );
  }
  // As a value, or inside a longer key, it is a string like any other.
  const { dir: fine, map } = configMapFolder({ v: '<<', '<<a': 'x', ' <<': 'y' });
  assert.deepEqual(kustomizeReadByGo(fine), labelled(map));
});
