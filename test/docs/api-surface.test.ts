/**
 * The public surface of the three entry points (package.json `exports`) is
 * deliberate and usable:
 *
 * 1. every type of this package that a user meets through an export (in a
 *    signature, a property, a base type, a type argument...) can be imported
 *    by name from some entry point;
 * 2. each entry point is enough to call its own functions and classes: the
 *    package's own named types in their parameters and results (options,
 *    results, props) are exported by that same entry point;
 * 3. the library's internal helpers are exported by no entry point, and the
 *    entry files list their exports by name (no `export *`), so a new
 *    helper in a module does not become public by accident.
 *
 * Which entry holds which name, and why, is in docs/api.md.
 */
import assert from 'node:assert/strict';
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

/**
 * Helpers the library needs internally (its own constructs, compiler,
 * analysis, rules reference and tests), which no entry point may export.
 * Each has a public way to do what a user needs, named here.
 */
const INTERNAL: Record<string, string> = {
  wasmPluginOptionsShape: 'WasmPlugin validates its options itself; extend WasmPluginOptions for your props',
  deliverySchema: 'pass DeliveryProps to PolicyApp',
  resolveDelivery: 'read PolicyApp.delivery',
  namespaceOf: 'read plugin.namespace, or Chart.of(construct).namespace',
  targetNameOf: 'Target.of(construct)?.name ?? DEFAULT_TARGET',
  urlScheme: 'an internal of the supply-chain rules',
  ACKNOWLEDGE_PREFIX: 'pass acknowledge: { ... } to a plugin; docs/rules.md gives the annotation',
  ACKNOWLEDGED_RULES: 'the Acknowledgements type documents the rule of each key',
  acknowledgementKey: 'pass acknowledge: { ... } to a plugin',
  CATALOGUE_RULES: 'docs/rules.md is the reference; PluginDefinition.rules for your own plugin',
  PATTERN_RULES: 'docs/rules.md is the reference',
  PATTERNS_CHECKED_AT: 'docs/rules.md is the reference',
  GATEWAY_GROUP: 'constructs give their targetRef',
  basicAuthConfigSchema: 'BasicAuth.definition.configSchema',
  analyzeBasicAuthConfig: 'BasicAuth.definition.analyze',
  localRateLimitConfigSchema: 'LocalRateLimit.definition.configSchema',
  analyzeLocalRateLimitConfig: 'LocalRateLimit.definition.analyze',
  MAX_REFILL_INTERVAL_SEC: 'LocalRateLimit validates refillInterval',
  openPolicyAgentConfigSchema: 'OpenPolicyAgent.definition.configSchema',
  analyzeOpenPolicyAgentConfig: 'OpenPolicyAgent.definition.analyze',
  OPA_README_CACHE_KEY: 'OpenPolicyAgent.definition.configSchema reports it',
  grpcAccessLoggingConfigSchema: 'GrpcAccessLogging.definition.configSchema',
  analyzeGrpcAccessLoggingConfig: 'GrpcAccessLogging.definition.analyze',
  resendsBatches: 'GrpcAccessLogging.definition.analyze warns',
  collect: 'compileApp(app).collected',
  resolvesAgainstPolicyFile: 'Credential.fromFile documents how a relative path resolves',
  analyze: 'checkManifests(dir), or compileApp(app).findings',
};

const program = (() => {
  const config = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  return ts.createProgram(
    Object.values(ENTRY_POINTS).map((f) => path.join(REPO_ROOT, f)),
    options,
  );
})();
const checker = program.getTypeChecker();

function resolve(s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

/** Each entry point's exports, as TypeScript resolves them (values and types), by name. */
const exportsOf = new Map<string, Map<string, ts.Symbol>>(
  Object.entries(ENTRY_POINTS).map(([entry, file]) => {
    const source = program.getSourceFile(path.join(REPO_ROOT, file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, `TypeScript resolves ${file}`);
    return [entry, new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, resolve(s)]))];
  }),
);

/** The entry points that export a symbol (under any name). */
function entriesExporting(symbol: ts.Symbol): string[] {
  return [...exportsOf].filter(([, names]) => [...names.values()].includes(symbol)).map(([entry]) => entry);
}

/** A declaration of this package (not of a dependency or of TypeScript's lib). */
function isOwn(symbol: ts.Symbol | undefined): symbol is ts.Symbol {
  const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
  return !!file && path.resolve(file).startsWith(REPO_ROOT + path.sep) && !file.includes('/node_modules/');
}

/** A named type a user can write: interface, class, enum, or an exported type alias. */
function isNamedType(symbol: ts.Symbol): boolean {
  return (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class | ts.SymbolFlags.Enum | ts.SymbolFlags.TypeAlias)) !== 0;
}

/** Members a user can reach: not private, not `#private`. */
function isVisible(member: ts.Symbol): boolean {
  const decl = member.valueDeclaration ?? member.declarations?.[0];
  if (!decl) return true;
  if (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Private) return false;
  return !(decl as ts.NamedDeclaration).name || !ts.isPrivateIdentifier((decl as ts.NamedDeclaration).name!);
}

/** The enum that declares an enum member (whose literal type is what a property's type resolves to). */
function enumOf(symbol: ts.Symbol): ts.Symbol | undefined {
  const decl = symbol.declarations?.[0];
  return decl && ts.isEnumMember(decl) ? checker.getSymbolAtLocation(decl.parent.name) : undefined;
}

/**
 * Every named type of this package reachable from the public surface, with
 * the first path that reaches it. Unexported type aliases are looked
 * through: a user can write what they stand for. Dependencies' types are not
 * walked into (only their type arguments).
 */
function reachableOwnTypes(roots: Array<{ symbol: ts.Symbol; entry: string }>): Map<ts.Symbol, string> {
  const found = new Map<ts.Symbol, string>();
  const seenTypes = new Set<ts.Type>();

  const named = (symbol: ts.Symbol, via: string): boolean => {
    // Returns whether to walk into the symbol's members.
    if (!isOwn(symbol) || !isNamedType(symbol)) return false;
    if (symbol.flags & ts.SymbolFlags.TypeAlias && entriesExporting(symbol).length === 0) return false;
    if (found.has(symbol)) return false;
    found.set(symbol, via);
    return true;
  };

  const visitSignature = (sig: ts.Signature, via: string) => {
    for (const tp of sig.getTypeParameters() ?? []) {
      const c = checker.getBaseConstraintOfType(tp);
      if (c) visitType(c, `${via} <${tp.symbol.name}>`);
    }
    for (const p of sig.getParameters()) visitType(checker.getTypeOfSymbol(p), `${via} (${p.name})`);
    const predicate = checker.getTypePredicateOfSignature(sig);
    if (predicate?.type) visitType(predicate.type, `${via} => is`);
    visitType(sig.getReturnType(), `${via} =>`);
  };

  const visitMembers = (type: ts.Type, via: string) => {
    for (const member of checker.getPropertiesOfType(type)) {
      if (!isVisible(member) || !isOwn(member)) continue;
      visitType(checker.getTypeOfSymbol(member), `${via}.${member.name}`);
    }
    for (const sig of type.getCallSignatures()) visitSignature(sig, `${via}()`);
    for (const sig of type.getConstructSignatures()) visitSignature(sig, `new ${via}()`);
    for (const info of checker.getIndexInfosOfType(type)) visitType(info.type, `${via}[]`);
  };

  /**
   * Base classes and interfaces. A base class no entry point exports is
   * looked through, its members checked as the subclass's: users meet them
   * only on the subclass (`GatewayReference`, whose abstract base has a
   * constructor only the library can call).
   */
  function visitBases(type: ts.Type, via: string): void {
    const declared = ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? (type as ts.TypeReference).target : type) as ts.InterfaceType;
    if (!(declared.objectFlags & ts.ObjectFlags.ClassOrInterface)) return;
    for (const base of checker.getBaseTypes(declared)) {
      const symbol = base.getSymbol();
      if (symbol && isOwn(symbol) && symbol.flags & ts.SymbolFlags.Class && entriesExporting(symbol).length === 0) {
        visitBases(base, `${via} extends ${symbol.name}`);
        visitMembers(base, `${via} extends ${symbol.name}`);
      } else {
        visitType(base, `${via} extends`);
      }
    }
  }

  function visitType(type: ts.Type, via: string): void {
    if (seenTypes.has(type)) return;
    seenTypes.add(type);
    if (type.aliasSymbol) {
      const walk = named(type.aliasSymbol, via);
      for (const a of type.aliasTypeArguments ?? []) visitType(a, `${via}<>`);
      if (isOwn(type.aliasSymbol) && entriesExporting(type.aliasSymbol).length > 0 && !walk) return;
    }
    if (type.isUnionOrIntersection()) {
      for (const t of type.types) visitType(t, via);
      return;
    }
    if (type.flags & ts.TypeFlags.EnumLiteral || type.flags & ts.TypeFlags.Enum) {
      const e = type.symbol && (type.symbol.flags & ts.SymbolFlags.EnumMember ? enumOf(type.symbol) : type.symbol);
      if (e) named(e, via);
      return;
    }
    if (type.flags & ts.TypeFlags.TypeParameter) {
      const c = checker.getBaseConstraintOfType(type);
      if (c && c !== type) visitType(c, via);
      return;
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    const object = type as ts.ObjectType;
    if (object.objectFlags & ts.ObjectFlags.Reference) {
      for (const a of checker.getTypeArguments(type as ts.TypeReference)) visitType(a, `${via}<>`);
    }
    const symbol = type.getSymbol();
    if (symbol && isNamedType(symbol) && !(symbol.flags & ts.SymbolFlags.TypeAlias)) {
      if (!isOwn(symbol)) return; // a dependency's class or interface: its type arguments are enough
      if (!named(symbol, via)) return;
      visitBases(type, symbol.name);
      visitMembers(type, symbol.name);
      return;
    }
    // An anonymous type: an object literal, a function type, a class's static side.
    visitMembers(type, via);
  }

  for (const { symbol, entry } of roots) {
    const via = `${entry}: ${symbol.name}`;
    if (isNamedType(symbol) && !(symbol.flags & ts.SymbolFlags.Enum)) {
      const declared = checker.getDeclaredTypeOfSymbol(symbol);
      if (symbol.flags & ts.SymbolFlags.TypeAlias) {
        found.set(symbol, via);
        for (const a of declared.aliasTypeArguments ?? []) visitType(a, via);
      }
      visitType(declared, via);
    }
    if (symbol.flags & ts.SymbolFlags.Value) visitType(checker.getTypeOfSymbol(symbol), via);
  }
  return found;
}

const roots = [...exportsOf].flatMap(([entry, names]) => [...names.values()].map((symbol) => ({ symbol, entry })));
const reachable = reachableOwnTypes(roots);

test('the walk finds the types it should (the check itself works)', () => {
  const names = new Set([...reachable.keys()].map((s) => s.name));
  for (const name of ['PolicyAppProps', 'WasmPluginOptions', 'PluginDefinition', 'CompileResult', 'SimulationResult', 'TraceEntry', 'RequestCase', 'MeshModel', 'GitOpsTool']) {
    assert.ok(names.has(name), `${name} is reached from the exports`);
  }
});

test('every type of this package reachable from an export can be imported from an entry point', () => {
  const missing = [...reachable]
    .filter(([symbol]) => entriesExporting(symbol).length === 0)
    .map(([symbol, via]) => `${symbol.name} (reached by ${via})`)
    .sort();
  assert.deepEqual(missing, [], `types users meet but cannot import; export each from an entry point and list it in docs/api.md:\n${missing.join('\n')}`);
});

/**
 * The package's own named types at the top of a type: itself, or the
 * members of a union, intersection or array of it. Not their properties.
 */
function topLevelOwnTypes(type: ts.Type, out: Set<ts.Symbol>): void {
  if (type.aliasSymbol && isOwn(type.aliasSymbol) && entriesExporting(type.aliasSymbol).length > 0) {
    out.add(type.aliasSymbol);
    return;
  }
  if (type.isUnionOrIntersection()) {
    for (const t of type.types) topLevelOwnTypes(t, out);
    return;
  }
  if (type.flags & (ts.TypeFlags.EnumLiteral | ts.TypeFlags.Enum)) {
    const e = type.symbol && (type.symbol.flags & ts.SymbolFlags.EnumMember ? enumOf(type.symbol) : type.symbol);
    if (e && isOwn(e)) out.add(e);
    return;
  }
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    for (const a of checker.getTypeArguments(type as ts.TypeReference)) topLevelOwnTypes(a, out);
    return;
  }
  const symbol = type.getSymbol();
  if (symbol && isOwn(symbol) && isNamedType(symbol) && !(symbol.flags & ts.SymbolFlags.TypeAlias)) out.add(symbol);
}

/** What it takes to call a function, or to construct and use a class: parameter and result types. */
function callTypes(symbol: ts.Symbol): Set<ts.Symbol> {
  const out = new Set<ts.Symbol>();
  const signature = (sig: ts.Signature) => {
    for (const p of sig.getParameters()) topLevelOwnTypes(checker.getTypeOfSymbol(p), out);
    topLevelOwnTypes(sig.getReturnType(), out);
  };
  if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) return out;
  const staticSide = checker.getTypeOfSymbol(symbol);
  staticSide.getCallSignatures().forEach(signature);
  staticSide.getConstructSignatures().forEach(signature);
  if (symbol.flags & ts.SymbolFlags.Class) {
    const sides = [staticSide, checker.getDeclaredTypeOfSymbol(symbol)];
    for (const side of sides) {
      for (const member of checker.getPropertiesOfType(side)) {
        if (!(member.flags & ts.SymbolFlags.Method) || !isVisible(member) || !isOwn(member)) continue;
        checker.getTypeOfSymbol(member).getCallSignatures().forEach(signature);
      }
    }
  }
  return out;
}

for (const [entry, names] of exportsOf) {
  test(`${entry} exports the types needed to call its own functions and classes`, () => {
    const own = new Set(names.values());
    const missing: string[] = [];
    for (const [name, symbol] of names) {
      for (const t of callTypes(symbol)) {
        if (!own.has(t)) missing.push(`${t.name} (in ${name}; exported by ${entriesExporting(t).join(', ') || 'none'})`);
      }
    }
    assert.deepEqual([...new Set(missing)].sort(), [], `add these to the exports of ${entry} (and say so in docs/api.md)`);
  });
}

test('no entry point exports an internal helper (as a value or a type)', async () => {
  const leaked: string[] = [];
  for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
    const runtime = Object.keys((await import(path.join(REPO_ROOT, file))) as object);
    for (const name of Object.keys(INTERNAL)) {
      if (runtime.includes(name) || exportsOf.get(entry)!.has(name)) leaked.push(`${entry}: ${name} (users: ${INTERNAL[name]})`);
    }
  }
  assert.deepEqual(leaked, []);
});

test('the entry files name their exports: no `export *`, nor `export * as ns`', () => {
  for (const file of Object.values(ENTRY_POINTS)) {
    const source = program.getSourceFile(path.join(REPO_ROOT, file))!;
    // `export * as ns` publishes a whole module under one name: as open as `export *`.
    const star = source.statements
      .filter((s) => ts.isExportDeclaration(s) && (!s.exportClause || ts.isNamespaceExport(s.exportClause)))
      .map((s) => s.getText(source));
    assert.deepEqual(star, [], `${file} re-exports whole modules; list the public names instead`);
  }
});

test('the entry files hold no code of their own: only imports and re-exports by name', () => {
  // Anything declared and exported in an entry file would be public without a line in this test.
  for (const file of Object.values(ENTRY_POINTS)) {
    const source = program.getSourceFile(path.join(REPO_ROOT, file))!;
    const own = source.statements
      .filter((s) => !ts.isImportDeclaration(s) && !(ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined))
      .map((s) => s.getText(source).split('\n')[0]);
    assert.deepEqual(own, [], `${file} declares code; move it to a module and re-export it by name`);
  }
});
