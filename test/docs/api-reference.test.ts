/**
 * docs/api.md is the API reference: every runtime export of the three entry
 * points in package.json `exports` has an entry there, and every name it
 * lists is really exported, so it can neither miss an export nor keep a
 * stale one.
 *
 * Its conventions: a runtime export is a heading "### `Name`"; a type is a
 * list item "- `Name`: ...".
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from '../support/helpers';

/** The entry points, as package.json `exports` maps them to files. */
const ENTRY_POINTS: Record<string, string> = {
  'waypoint-policy': 'index.ts',
  'waypoint-policy/simulator': 'simulator/index.ts',
  'waypoint-policy/testing': 'simulator/testing.ts',
};

const DOC = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'api.md'), 'utf8');

const IDENTIFIER = '[A-Za-z_$][A-Za-z0-9_$]*';
/** Names of the runtime exports the reference documents: "### `Name`". */
const documentedValues = [...DOC.matchAll(new RegExp(`^### \`(${IDENTIFIER})\`$`, 'gm'))].map((m) => m[1]);
/** Names of the types the reference lists: "- `Name`: ...". */
const documentedTypes = [...DOC.matchAll(new RegExp(`^- \`(${IDENTIFIER})\`: `, 'gm'))].map((m) => m[1]);

/** The runtime exports of one entry point, as a user's `import * as` sees them. */
async function runtimeExports(file: string): Promise<string[]> {
  const mod = (await import(path.join(REPO_ROOT, file))) as Record<string, unknown>;
  // Module interop may add these; they are not exports of ours.
  return Object.keys(mod).filter((name) => name !== 'default' && name !== '__esModule');
}

/** Every name (value or type) the entry points export, as TypeScript resolves them. */
function allExportNames(): Set<string> {
  const config = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  const files = Object.values(ENTRY_POINTS).map((f) => path.join(REPO_ROOT, f));
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const names = new Set<string>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    assert.ok(symbol, `TypeScript resolves the module ${file}`);
    for (const s of checker.getExportsOfModule(symbol)) names.add(s.name);
  }
  return names;
}

test('docs/api.md lists exports in its conventions (the extraction itself works)', () => {
  assert.ok(documentedValues.includes('PolicyApp'), 'a "### `PolicyApp`" heading is found');
  assert.ok(documentedTypes.includes('PolicyAppProps'), 'a "- `PolicyAppProps`: ..." item is found');
});

for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
  test(`every runtime export of ${entry} (${file}) is documented in docs/api.md`, async () => {
    const documented = new Set(documentedValues);
    const missing = (await runtimeExports(file)).filter((name) => !documented.has(name));
    assert.deepEqual(
      missing,
      [],
      `exported by ${entry} (${file}) but missing from docs/api.md: ${missing.join(', ')}. Add a "### \`Name\`" entry for each, with its signature and what it is for.`,
    );
  });
}

test('every export docs/api.md documents is a runtime export of an entry point', async () => {
  const exported = new Set((await Promise.all(Object.values(ENTRY_POINTS).map(runtimeExports))).flat());
  const stale = documentedValues.filter((name) => !exported.has(name));
  assert.deepEqual(stale, [], `docs/api.md documents names no entry point exports at run time: ${stale.join(', ')}`);
});

test('every export has exactly one entry in docs/api.md', () => {
  const twice = documentedValues.filter((name, i) => documentedValues.indexOf(name) !== i);
  assert.deepEqual(twice, [], `docs/api.md has more than one "### \`Name\`" entry for: ${twice.join(', ')}`);
});

test('every type docs/api.md lists is exported by an entry point', () => {
  const exported = allExportNames();
  const stale = documentedTypes.filter((name) => !exported.has(name));
  assert.deepEqual(stale, [], `docs/api.md lists types no entry point exports: ${stale.join(', ')}`);
});

test('every field a documented props or options interface declares is named in its docs/api.md item', () => {
  // Its own fields: inherited ones are covered by the item's "plus X".
  const items = new Map([...DOC.matchAll(new RegExp(`^- \`(${IDENTIFIER}(?:Props|Options))\`: (.*)$`, 'gm'))].map((m) => [m[1], m[2]]));
  const config = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  const files = Object.values(ENTRY_POINTS).map((f) => path.join(REPO_ROOT, f));
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (let s of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)) {
      const item = items.get(s.name);
      if (item === undefined || seen.has(s.name)) continue;
      seen.add(s.name);
      if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      const fields = (s.declarations ?? []).filter(ts.isInterfaceDeclaration).flatMap((d) => d.members.flatMap((m) => (m.name ? [m.name.getText()] : [])));
      for (const field of fields) if (!item.includes(`\`${field}\``)) missing.push(`${s.name}.${field}`);
    }
  }
  assert.ok(seen.has('WasmPluginOptions') && seen.has('PolicyAppProps'), 'the props items are found (the extraction itself works)');
  assert.deepEqual(missing, [], `docs/api.md does not name these fields in their type's item: ${missing.join(', ')}`);
});

test('a type item that lists some of its interface\'s fields lists them all', () => {
  // A partial list reads as the whole type: a field added later must join it.
  // Items that describe the type instead ("a Kubernetes object as plain JSON")
  // name none of its fields and are left alone. `name(` counts as naming a method.
  const items = new Map([...DOC.matchAll(new RegExp(`^- \`(${IDENTIFIER})\`: (.*)$`, 'gm'))].map((m) => [m[1], m[2]]));
  const config = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  const files = Object.values(ENTRY_POINTS).map((f) => path.join(REPO_ROOT, f));
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const partial: string[] = [];
  const checked = new Set<string>();
  for (const file of files) {
    for (let s of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)) {
      const item = items.get(s.name);
      if (item === undefined || checked.has(s.name)) continue;
      if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      const declarations = (s.declarations ?? []).filter(ts.isInterfaceDeclaration).filter((d) => !d.getSourceFile().fileName.includes('/node_modules/'));
      const fields = declarations.flatMap((d) => d.members.flatMap((m) => (m.name ? [m.name.getText()] : [])));
      const named = (field: string) => item.includes(`\`${field}\``) || item.includes(`\`${field}(`);
      if (fields.length === 0 || !fields.some(named)) continue;
      checked.add(s.name);
      for (const field of fields) if (!named(field)) partial.push(`${s.name}.${field}`);
    }
  }
  assert.ok(checked.has('SimulationResult') && checked.has('Finding'), 'the field lists are found (the extraction itself works)');
  assert.deepEqual(partial, [], `docs/api.md lists some fields of these types but not these: ${partial.join(', ')}`);
});

test('every enum and constant value docs/api.md spells out is the value the entry points export', async () => {
  // "`enum Name { A = 'a', B }`" (a member without a value is its own name, as the
  // string enums here are written), "`const NAME = 'value'`" or "= 8181", and
  // "`const NAME: { a, b }`" for an object whose keys are listed.
  const values = Object.assign({}, ...(await Promise.all(Object.values(ENTRY_POINTS).map((f) => import(path.join(REPO_ROOT, f)))))) as Record<string, unknown>;
  const wrong: string[] = [];
  const enums = [...DOC.matchAll(new RegExp(`^\`enum (${IDENTIFIER}) \\{ ([^}]*) \\}\`$`, 'gm'))];
  for (const [, name, body] of enums) {
    const documented = Object.fromEntries(body.split(', ').map((member) => {
      const [key, value] = member.split(' = ');
      return [key, value === undefined ? key : JSON.parse(value.replace(/^'(.*)'$/, '"$1"'))];
    }));
    const actual = { ...(values[name] as object) };
    if (JSON.stringify(actual) !== JSON.stringify(documented)) wrong.push(`enum ${name}: documented ${JSON.stringify(documented)}, exported ${JSON.stringify(actual)}`);
  }
  const constants = [...DOC.matchAll(new RegExp(`^\`const (${IDENTIFIER}) = ([^\`]+)\`$`, 'gm'))];
  for (const [, name, literal] of constants) {
    const documented: unknown = JSON.parse(literal.replace(/^'(.*)'$/, '"$1"'));
    if (values[name] !== documented) wrong.push(`const ${name}: documented ${literal}, exported ${JSON.stringify(values[name])}`);
  }
  const objects = [...DOC.matchAll(new RegExp(`^\`const (${IDENTIFIER}): \\{ ([^}]*) \\}\`$`, 'gm'))];
  for (const [, name, keys] of objects) {
    if (Object.keys(values[name] as object).join(', ') !== keys) wrong.push(`const ${name}: documented keys ${keys}, exported ${Object.keys(values[name] as object).join(', ')}`);
  }
  assert.ok(enums.length >= 10 && constants.length >= 7 && objects.length >= 1, 'the enums and constants are found (the extraction itself works)');
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

test('every static and instance member a class entry of docs/api.md names exists', () => {
  // "`class X extends Y`: `new X(...)`; `X.fromThing(...)`, `x.member`, `.other(...)`, `method(...)`".
  const config = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  const files = Object.values(ENTRY_POINTS).map((f) => path.join(REPO_ROOT, f));
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const exported = new Map<string, ts.Symbol>();
  for (const file of files) {
    for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)) {
      exported.set(s.name, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
    }
  }
  const missing: string[] = [];
  let named = 0;
  for (const [, name, signature] of DOC.matchAll(new RegExp(`^### \`(${IDENTIFIER})\`\n\n\`class [^\`]*\`[^:\n]*: ([^\n]*(?:\n[^\n]+)*)`, 'gm'))) {
    const symbol = exported.get(name);
    if (!symbol?.valueDeclaration) continue;
    const statics = checker.getTypeOfSymbolAtLocation(symbol, symbol.valueDeclaration);
    const instances = checker.getDeclaredTypeOfSymbol(symbol);
    for (const [, span] of signature.matchAll(/`([^`]+)`/g)) {
      if (span.startsWith('new ')) continue;
      const member = new RegExp(`^${name}\\.(${IDENTIFIER})`).exec(span);
      const onInstance = /^(?:[a-z]\w*\.)?([a-z]\w*)(?:\(|$)/.exec(span);
      const onClass = /^\.(\w+)\(/.exec(span);
      named++;
      if (member) {
        if (!statics.getProperty(member[1])) missing.push(`${name}.${member[1]}`);
      } else if (onClass) {
        if (!statics.getProperty(onClass[1])) missing.push(`${name}.${onClass[1]}`);
      } else if (onInstance) {
        if (!instances.getProperty(onInstance[1])) missing.push(`${name}: ${span}`);
      } else named--;
    }
  }
  assert.ok(named >= 40, `the members are found (the extraction itself works): ${named}`);
  assert.deepEqual(missing, [], `docs/api.md names members these classes do not have: ${missing.join(', ')}`);
});

test('README.md links to docs/api.md', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /\]\(docs\/api\.md\)/, 'README.md has a link to docs/api.md');
});
