/**
 * Plain scalars in hand-written manifests read as kubectl, Argo CD and Flux
 * read them: sigs.k8s.io/yaml decodes with go.yaml.in/yaml/v2 (YAML 1.1;
 * resolve.go strips `_` from a scalar starting with a sign or digit, then
 * tries strconv.ParseInt(s, 0, 64), ParseUint, its yamlStyleFloat and
 * ParseFloat) and converts to JSON (number keys by strconv.Itoa and
 * FormatFloat(f, 'g', -1, 32); json.Marshal refuses an infinity or NaN).
 * Each expectation below follows from that source, and the real reader,
 * `kubectl label --local -o json` (no cluster needed), is asked to agree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readDocuments } from '../../compiler/manifest-documents';
import { freshDir } from './harness';

/** Each plain scalar as a value, and the JSON value Go's reader makes of it. */
const VALUES: readonly (readonly [string, unknown])[] = [
  // A bare leading 0 is octal (ParseInt base 0): the file mode 0644 is 420, not 644.
  ['0644', 420],
  ['-0644', -420],
  ['00', 0],
  // Not octal: ParseInt fails, and yamlStyleFloat reads it in decimal.
  ['09', 9],
  ['0x1F', 31],
  ['0X1F', 31],
  ['-0x1F', -31],
  ['0o17', 15],
  ['0O17', 15],
  ['0b101', 5],
  ['0B101', 5],
  ['-0b101', -5],
  ['+0b1', 1],
  ['+12', 12],
  ['-0', 0],
  // Every `_` is stripped first, wherever it stands after the first character.
  ['1_000', 1000],
  ['1__0', 10],
  ['0_', 0],
  ['+_1', 1],
  ['0b_101', 5],
  ['0x_1F', 31],
  ['0_644', 420],
  ['1_000.5', 1000.5],
  ['1e_5', 100000],
  ['1._', 1],
  // Floats.
  ['.5', 0.5],
  ['+.5', 0.5],
  ['-.5e-3', -0.0005],
  ['1e3', 1000],
  ['1E3', 1000],
  ['1.', 1],
  ['0.', 0],
  ['1e-400', 0],
  // A scalar starting with `.` goes to ParseFloat as written: an `_` only between digits.
  ['.1_5', 0.15],
  // A huge leading-zero "octal" overflows ParseInt and falls through to ParseFloat, in decimal.
  ['07777777777777777777777777', 7.777777777777778e24],
  // Strings there: ParseFloat overflows, a hex past uint64, no digits, sexagesimal (not read), `-.nan` (not in its table).
  ['1e400', '1e400'],
  ['.5e400', '.5e400'],
  ['0x1FFFFFFFFFFFFFFFFF', '0x1FFFFFFFFFFFFFFFFF'],
  ['0x', '0x'],
  ['0b2', '0b2'],
  ['._5', '._5'],
  ['.5_', '.5_'],
  ['_1', '_1'],
  ['1:20', '1:20'],
  ['-.nan', '-.nan'],
  ['2001-12-14', '2001-12-14'],
  ['1.2.3', '1.2.3'],
  // Null and booleans, for completeness of the table.
  ['~', null],
  ['Null', null],
  ['yes', true],
  ['Off', false],
];

/** Plain scalars as mapping keys, and the JSON key sigs.k8s.io/yaml makes of each. */
const KEYS: readonly (readonly [string, string])[] = [
  ['0644', '420'],
  ['0x1F', '31'],
  ['1_000', '1000'],
  ['9007199254740993', '9007199254740993'],
  ['-0', '0'],
  ['-0.0', '-0'],
  ['1.5', '1.5'],
  ['1e3', '1000'],
  ['1e20', '1e+20'],
  ['1000000.0', '1e+06'],
  ['123456.0', '123456'],
  ['0.0001', '0.0001'],
  ['0.00001', '1e-05'],
  ['3.14159265358979', '3.1415927'],
  ['.inf', '.inf'],
  ['-.Inf', '-.inf'],
  ['.nan', '.nan'],
  ['yes', 'true'],
  ['2001-12-14', '2001-12-14'],
];

const doc = (i: number, spec: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\nspec:\n${spec}\n`;

function readSpecs(text: string): unknown[] {
  const read = readDocuments('cases.yaml', Buffer.from(text));
  assert.deepEqual(read.findings, []);
  return read.values.map((v) => (v.value as { spec: unknown }).spec);
}

/** What kubectl (sigs.k8s.io/yaml) reads from `text`: each document's spec, or its error. */
function kubectlSpecs(text: string): unknown[] {
  const file = path.join(freshDir('yaml11-'), 'cases.yaml');
  fs.writeFileSync(file, text);
  const out = execFileSync('kubectl', ['label', '--local', '-f', file, 'read=yes', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // One indented JSON object per document, each starting on a line of its own.
  return out.split(/\n(?=\{\n)/).map((o) => (JSON.parse(o) as { spec: unknown }).spec);
}

test('plain numbers read as Go YAML 1.1 reads them: octal 0644, 0x, 0o, 0b in either case, signs, underscores, floats', () => {
  const text = VALUES.map(([source], i) => doc(i, `  v: ${source}`)).join('---\n');
  const expected = VALUES.map(([, value]) => ({ v: value }));
  const ours = readSpecs(text);
  VALUES.forEach(([source], i) => assert.deepEqual(ours[i], expected[i], `v: ${source}`));
  // The real reader agrees with the table (JSON has no -0).
  assert.deepEqual(kubectlSpecs(text), expected);
});

test('plain number keys become the strings sigs.k8s.io/yaml makes of them', () => {
  const text = KEYS.map(([source], i) => doc(i, `  ${source}: v`)).join('---\n');
  const expected = KEYS.map(([, key]) => ({ [key]: 'v' }));
  const ours = readSpecs(text);
  KEYS.forEach(([source], i) => assert.deepEqual(ours[i], expected[i], `${source}: v`));
  assert.deepEqual(kubectlSpecs(text), expected);
});

test('an infinity or NaN value and a null key, which kubectl cannot convert to JSON, are manifests/parse errors at their line', () => {
  const cases = [
    ['  a: 1\n  v: .inf', 7, /an infinity/, /Quote it/],
    ['  v: [1, -.Inf]', 6, /an infinity/, /Quote it/],
    ['  v: .NaN', 6, /not a number/, /Quote it/],
    ['  a: 1\n  ~: v', 7, /a mapping key is null/, /Quote the key/],
    ['  null: v', 6, /a mapping key is null/, /Quote the key/],
  ] as const;
  for (const [spec, line, message, fix] of cases) {
    const text = doc(0, spec);
    const read = readDocuments('m/cases.yaml', Buffer.from(text));
    assert.deepEqual(read.values, [], spec);
    assert.equal(read.findings.length, 1, spec);
    const [f] = read.findings;
    assert.equal(f.rule, 'manifests/parse');
    assert.equal(f.file, `m/cases.yaml:${line}`, spec);
    assert.match(f.message, message, spec);
    assert.match(f.fix ?? '', fix, spec);
    // kubectl refuses the file too.
    assert.throws(() => kubectlSpecs(text), /converting YAML to JSON/, spec);
    // Quoted, each is text to both.
    const quoted = doc(0, spec.replace(/(~|null|\.inf|-\.Inf|\.NaN)(?=[:\]\n]|$)/, '"$1"'));
    assert.deepEqual(readSpecs(quoted), kubectlSpecs(quoted), quoted);
  }
});

/** Two keys of one map, spelled differently, that Go's reader makes one JSON key: that key, and what the message says of each. */
const SAME_KEYS: readonly (readonly [string, string, string, RegExp])[] = [
  ['0644', '420', '420', /the key 420 \(the integer 420\) is the same key as 0644 \(the integer 420: a leading 0 is octal\) at line 6/],
  ['yes', 'true', 'true', /the key true \(the boolean true\) is the same key as yes \(the boolean true\) at line 6/],
  ['0x10', '16', '16', /the key 16 \(the integer 16\) is the same key as 0x10 \(the integer 16: hexadecimal\)/],
  ['1e3', '1000', '1000', /the key 1000 \(the integer 1000\) is the same key as 1e3 \(the float 1000\)/],
  ['1_000', '1000', '1000', /the key 1000 \(the integer 1000\) is the same key as 1_000 \(the integer 1000, its _ dropped\)/],
  ['On', 'y', 'true', /the key y \(the boolean true\) is the same key as On \(the boolean true\)/],
  // A string and a number: Go keeps both until JSON, which keeps either one.
  ['"420"', '0644', '420', /the key 0644 \(the integer 420: a leading 0 is octal\) is the same key as "420" \(a string\)/],
  ['true', "'true'", 'true', /the key "true" \(a string\) is the same key as true \(the boolean true\)/],
  ['1.0', '1', '1', /the key 1 \(the integer 1\) is the same key as 1.0 \(the float 1\)/],
];

test('two keys that differ in YAML but are one key once Go reads them (0644: and 420:, yes: and true:) are a manifests/parse error at the second, naming the first and why', () => {
  for (const [first, second, json, message] of SAME_KEYS) {
    const text = doc(0, `  ${first}: one\n  other: x\n  ${second}: two`);
    const read = readDocuments('m/cases.yaml', Buffer.from(text));
    assert.deepEqual(read.values, [], text);
    assert.equal(read.findings.length, 1, text);
    const [f] = read.findings;
    assert.equal(f.rule, 'manifests/parse');
    assert.equal(f.file, 'm/cases.yaml:8', text);
    assert.match(f.message, message, text);
    assert.match(f.message, new RegExp(`at line 6 once Go's YAML 1.1 reader has read them \\(sigs.k8s.io/yaml makes both the JSON key "${json}"\\): kubectl, Argo CD and Flux keep only one of the two values`), text);
    assert.match(f.fix ?? '', /Keep one of the two keys/);
    // The real reader makes the two one key, with one of the two values.
    const [spec] = kubectlSpecs(text) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(spec).sort(), [json, 'other'].sort(), text);
    assert.ok(spec[json] === 'one' || spec[json] === 'two', text);
  }
  // Keys that stay two to Go are no finding, as kubectl keeps both.
  for (const spec of ['  "0644": a\n  0644: b', '  y: a\n  "y": b', '  1.5: a\n  "1.50": b', '  "-0": a\n  -0: b', '  a: &k 1\n  <<: {1: x}\n  2: b']) {
    const text = doc(0, spec);
    assert.deepEqual(readSpecs(text), kubectlSpecs(text), spec);
  }
});

/**
 * Values under an explicit tag, and what Go's reader makes of each: it
 * resolves the value (quoted too) as it would untagged, keeps it if it is
 * of the tag's kind (or an int64 under !!float, made a float), and refuses
 * the file otherwise (`undefined` here).
 */
const TAGGED: readonly (readonly [string, unknown])[] = [
  ['!!int 0644', 420],
  ['!!int "0x10"', 16],
  ['!!int 18446744073709551615', 18446744073709551615],
  ['!!int 1.5', undefined],
  ['!!int 1e3', undefined],
  ['!!int yes', undefined],
  ['!!int ~', undefined],
  ['!!int 0x1FFFFFFFFFFFFFFFFF', undefined],
  ['!!float 0x10', 16],
  ['!!float 1_000', 1000],
  ["!!float '1.5'", 1.5],
  ['!!float 9223372036854775807', 9223372036854775807],
  ['!!float 18446744073709551615', undefined],
  ['!!float true', undefined],
  ['!!float abc', undefined],
  ['!!bool yes', true],
  ['!!bool True', true],
  ['!!bool "off"', false],
  ['!!bool n', false],
  ['!!bool 1', undefined],
  ['!!bool abc', undefined],
  ['!!bool', undefined],
  ['!!null ~', null],
  ['!!null', null],
  ['!!null Null', null],
  ['!!null 0', undefined],
  ['!!null abc', undefined],
  ['!!str 0644', '0644'],
  ['!!str yes', 'yes'],
  ['!!str ~', '~'],
];

/**
 * Each tagged value of `table` read by us as the table says and as kubectl
 * reads it; each `undefined` one refused at its line, as kubectl refuses it
 * (`goRefusal`), with a finding that names the tag and never the value.
 */
function assertTaggedAsGo(table: readonly (readonly [string, unknown])[], goRefusal: RegExp): void {
  const kept = table.filter(([, v]) => v !== undefined);
  const text = kept.map(([source], i) => doc(i, `  v: ${source}`)).join('---\n');
  const expected = kept.map(([, value]) => ({ v: value }));
  const ours = readSpecs(text);
  kept.forEach(([source], i) => assert.deepEqual(ours[i], expected[i], source));
  assert.deepEqual(kubectlSpecs(text), expected);
  for (const [source] of table.filter(([, v]) => v === undefined)) {
    const one = doc(0, `  a: 1\n  v: ${source}`);
    const read = readDocuments('m/cases.yaml', Buffer.from(one));
    assert.deepEqual(read.values, [], source);
    assert.deepEqual(read.findings.map((f) => [f.rule, f.file]), [['manifests/parse', 'm/cases.yaml:7']], source);
    const tag = source.split(' ')[0];
    assert.match(read.findings[0].message, new RegExp(`an explicit ${tag} tag on a value .*kubectl, Argo CD and Flux refuse the file`), source);
    assert.match(read.findings[0].fix ?? '', new RegExp(`Write the value the tag names \\(.*${tag} `), source);
    // Never the value itself: the file may be a Secret.
    const value = source.slice(tag.length + 1).replace(/"/g, '');
    if (value.length > 1) assert.ok(!read.findings[0].message.includes(value), source);
    assert.throws(() => kubectlSpecs(one), goRefusal, source);
  }
}

test('explicit !!int, !!float, !!bool, !!null and !!str read as Go reads them, and a value of the wrong kind is a manifests/parse error at its line, as kubectl refuses the file', () => {
  assertTaggedAsGo(TAGGED, /cannot decode/);
});

/**
 * YAML 1.1's other tags, and what Go's reader makes of each: a !!timestamp
 * in one of its four layouts keeps its text (JavaScript's reader would make a
 * Date), !!binary is its decoded bytes as text, each byte of a broken UTF-8
 * sequence a U+FFFD (it would make a Uint8Array), and !!set, !!omap and
 * !!pairs are the mapping or list written (a Set and Maps). `undefined`:
 * the file is refused.
 */
const OTHER_TAGS: readonly (readonly [string, unknown])[] = [
  ['!!timestamp 2024-01-31', '2024-01-31'],
  ['!!timestamp "2024-1-1"', '2024-1-1'],
  ['!!timestamp 2024-02-29', '2024-02-29'],
  ['!!timestamp 2024-01-01T10:00:00.5+02:00', '2024-01-01T10:00:00.5+02:00'],
  ['!!timestamp 2024-01-01t1:2:3,5Z', '2024-01-01t1:2:3,5Z'],
  ['!!timestamp 2024-01-01T10:00:00+24:60', '2024-01-01T10:00:00+24:60'],
  ['!!timestamp 2024-01-01 10:00:00', '2024-01-01 10:00:00'],
  ['!!timestamp 2023-02-29', undefined],
  ['!!timestamp 2024-13-01', undefined],
  ['!!timestamp 2024-01-01T10:00:00', undefined],
  ['!!timestamp 2024-01-01T24:00:00Z', undefined],
  ['!!timestamp 12024-01-01', undefined],
  ['!!timestamp soon', undefined],
  ['!!binary aGVsbG8=', 'hello'],
  ['!!binary |\n    aGVs\n    bG8=', 'hello'],
  ['!!binary 4oI=', '\uFFFD\uFFFD'],
  ['!!binary 7aCA', '\uFFFD\uFFFD\uFFFD'],
  ['!!binary aGVsbG8', undefined],
  ['!!binary "a b="', undefined],
  ['!!set { a, b }', { a: null, b: null }],
  ['!!omap [ { a: 1 }, { b: 2 } ]', [{ a: 1 }, { b: 2 }]],
  ['!!pairs [ { a: 1 } ]', [{ a: 1 }]],
];

test('explicit !!timestamp, !!binary, !!set, !!omap and !!pairs read as Go reads them (text, decoded text, a mapping, lists), never as a Date, bytes, a Set or a Map; a value Go refuses is a manifests/parse error at its line', () => {
  assertTaggedAsGo(OTHER_TAGS, /cannot decode|invalid base64/);
});
