import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { readEmitted } from '../../compiler/emitted-yaml';
import { parseDocuments, readDocuments } from '../../compiler/manifest-documents';
import { toYaml, YamlValue } from '../../compiler/yaml';
import { ParsedFiles, parsePlainDocuments } from '../../review/parsed-files';

// Strings that stress quoting: YAML indicators, look-alikes of other types, unicode, escapes.
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'true', 'no', 'y', 'null', '~', '123', '-7', '0x1F', '1e3', '.inf', '-', '- a', ': x', 'a: b', 'a:', '#x', 'a #b', '@x', '*.foo.com', '"q"', "it's", `'`, `"'"`, 'a\nb', 'tab\there', ' lead', 'trail ', 'ok:test', 'oci://ghcr.io/x:1.0', '{a}', '[a]', '{}', '[]', '- - x', 'é', '\u2028', '\ufeffx', '1:20', '0o7', '+_1', '2001-12-14', '...', '--- x', 'a\r\nb', '😀'.repeat(40), '__proto__', 'x'.repeat(80)),
);
const key = fc.oneof(fc.constantFrom('apiVersion', 'kind', 'items', 'metadata', 'istio.io/use-waypoint', 'y', 'n', 'on', 'a b', '1', '-1', 'x:y', '<<a', '? x', '- x', '"k"', "'k'", 'k'.repeat(90)), fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '<<' && k !== '__proto__'));

const value: fc.Arbitrary<YamlValue> = fc.letrec<{ v: YamlValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tricky,
    fc.integer(),
    fc.constantFrom(0, -1, 2 ** 53 - 1, 1.5, 1e21),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).v;

const document = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6, noNullPrototype: true });
const header = fc.array(fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n') && !s.includes('\r'))), { maxLength: 3 });

/** toYaml's text, or undefined for a value it refuses. */
function emitted(doc: Record<string, YamlValue>, head: string[]): string | undefined {
  try {
    return toYaml(doc, head);
  } catch {
    return undefined;
  }
}

test('what the fast path reads from toYaml output is what the general parsers read (Go-like and YAML 1.2), line included', () => {
  let read = 0;
  fc.assert(
    fc.property(document, header, (doc, head) => {
      const text = emitted(doc, head);
      if (text === undefined) return;
      const general = parseDocuments('f.yaml', text);
      const fast = readEmitted(text);
      if (fast === undefined) return;
      read++;
      assert.deepEqual(general.findings, []);
      assert.deepEqual(general.values, [fast]);
      assert.deepEqual(fast.value, doc);
      // diff's object diff reads files as YAML 1.2.
      assert.deepEqual(parsePlainDocuments(text), { values: [fast.value] });
    }),
    { numRuns: 500 },
  );
  // It must be a fast path: most documents are read by it.
  assert.ok(read > 150, `only ${read} of 500 documents were read without the general parser`);
});

test('a file changed anywhere reads as the general parser reads it (the fast path refuses what toYaml did not write)', () => {
  const edit = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 3 }),
    insert: fc.oneof(fc.constantFrom('', ' ', '\n', '\r\n', '#', ' # c', '- ', ': ', '---\n', '...\n', '&a ', '*a', '!!str ', '"', "'", '{', '[]', '0', '\t', 'x: 1\n', '  '), fc.string({ maxLength: 3 })),
  });
  fc.assert(
    fc.property(document, header, edit, (doc, head, e) => {
      const text = emitted(doc, head);
      if (text === undefined) return;
      const at = e.at % (text.length + 1);
      const changed = text.slice(0, at) + e.insert + text.slice(at + e.cut);
      const bytes = Buffer.from(changed, 'utf8');
      const decoded = new TextDecoder().decode(bytes);
      assert.deepEqual(readDocuments('f.yaml', bytes), parseDocuments('f.yaml', decoded));
      assert.deepEqual(new ParsedFiles().plainDocuments(decoded), parsePlainDocuments(decoded));
    }),
    { numRuns: 1500 },
  );
});

test('hand-written forms toYaml never writes are left to the general parser', () => {
  const base = '# h\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    x: "1"\n';
  assert.ok(readEmitted(base) !== undefined);
  for (const text of [
    base.replace(/\n/g, '\r\n'), // CRLF checkout
    base + '# trailing comment\n',
    base.replace('kind: Service', 'kind: Service # c'),
    base.replace('  name: a', '  name: a\n  name: b'), // duplicate key
    base.replace('x: "1"', 'x: 1.0'),
    base.replace('x: "1"', "x: '1'"), // prettier writes double quotes
    base.replace('x: "1"', 'x: yes'),
    base.replace('kind: Service', 'kind: "Service"'),
    base.replace('metadata:\n  name: a', 'metadata: { name: a }'),
    base.replace('    x', '   x'),
    base + '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n',
    base.slice(0, -1),
    '---\n' + base.slice(4),
    'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: b\n',
  ]) {
    assert.equal(readEmitted(text) === undefined || text.includes('kind: List'), true, JSON.stringify(text));
    const bytes = Buffer.from(text);
    assert.deepEqual(readDocuments('f.yaml', bytes), parseDocuments('f.yaml', text), JSON.stringify(text));
  }
});

test("synth's committed files are all read without the general parser, as the general parser reads them", () => {
  const root = path.join(__dirname, '../../dist');
  let files = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith('.yaml')) {
        const text = fs.readFileSync(file, 'utf8');
        const fast = readEmitted(text);
        assert.ok(fast !== undefined, `${file} went to the general parser`);
        assert.deepEqual([fast], parseDocuments(file, text).values);
        files++;
      }
    }
  };
  walk(root);
  assert.ok(files > 10);
});
