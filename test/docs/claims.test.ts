/**
 * Claims the guides make that can be checked mechanically:
 *
 * 1. every rule id they name in backticks is a rule of docs/rules.md (or a
 *    simulator request error of docs/simulator.md);
 * 2. every flag they give a waypoint-policy command is in that command's
 *    usage (what `--help` prints);
 * 3. every field of an exported props or options interface has a doc
 *    comment, and every optional one its `@default` (the project's style),
 *    since that is what an editor shows a user instead of these pages.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REQUEST_FIELDS } from '../../simulator/request';
import { REPO_ROOT } from '../support/helpers';

/** The hand-written guides (docs/rules.md is generated; docs/performance.md names no rule or flag). */
const GUIDES = ['README.md', 'docs/api.md', 'docs/library.md', 'docs/gitops.md', 'docs/review.md', 'docs/security.md', 'docs/simulator.md', 'docs/plugins.md'];

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

const RULES = new Set([...read('docs/rules.md').matchAll(/^### `([a-z0-9-]+\/[a-z0-9-]+)`$/gm)].map((m) => m[1]));
const SIMULATOR_RULES = new Set(REQUEST_FIELDS.map((f) => `simulator/${f}`));
/** Rule-shaped words that are not rule ids: `--via` takes `namespace/name`. */
const NOT_RULES = new Set(['namespace/name']);

test('every rule id the guides name is a rule of docs/rules.md or a simulator request error', () => {
  assert.ok(RULES.has('plugin/fail-open-auth') && RULES.size > 100, 'the rules are found (the extraction itself works)');
  const prefixes = new Set([...RULES].map((r) => r.split('/')[0]));
  const unknown: string[] = [];
  for (const doc of GUIDES) {
    for (const [, id] of read(doc).matchAll(/`([a-z0-9-]+\/[a-z0-9-]+)`/g)) {
      // Paths (`dist/`, `waypoint-policy/testing`, `fluxcd/pkg`) have prefixes no rule has.
      if (!prefixes.has(id.split('/')[0]) && !id.startsWith('simulator/')) continue;
      if (RULES.has(id) || SIMULATOR_RULES.has(id) || NOT_RULES.has(id)) continue;
      unknown.push(`${doc}: ${id}`);
    }
  }
  assert.deepEqual(unknown, [], `rule ids named in the guides that no rule has:\n${unknown.join('\n')}`);
});

const COMMANDS = ['synth', 'validate', 'check', 'explain', 'diff'] as const;

/**
 * Every command line of the guides: code-block lines (with `\` continuations
 * joined, shell comments dropped) and inline code spans that run a command
 * (`waypoint-policy explain ...`, `npm run -s explain -- ...`, or a usage
 * line of README's table such as `synth [--app FILE] ...`).
 */
function commandLines(doc: string): { command: string; text: string }[] {
  const text = read(doc);
  const blocks = [...text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  const prose = text.replace(/^```[a-z]*\n[\s\S]*?^```/gm, '');
  const pieces = [
    ...blocks.flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.replace(/\s#.*$/, ''))),
    ...[...prose.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\s+/g, ' ')),
  ];
  const out: { command: string; text: string }[] = [];
  const invocation = new RegExp(`(?:^|waypoint-policy |npm run (?:-s )?)(${COMMANDS.join('|')})(?= (?:--? ?)?[-[])(.*)$`);
  for (const piece of pieces) {
    const m = invocation.exec(piece.trim());
    if (m) out.push({ command: m[1], text: m[2] });
  }
  return out;
}

test('every flag the guides give a command is in that command\'s usage', async () => {
  const usage = new Map<string, string>();
  for (const command of COMMANDS) {
    usage.set(command, ((await import(path.join(REPO_ROOT, 'cli', 'commands', `${command}.ts`))) as { usage: string }).usage);
  }
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const doc of GUIDES) {
    for (const { command, text } of commandLines(doc)) {
      seen.add(command);
      for (const [flag] of text.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-H)\b/g)) {
        // `npm run explain -- --to ...`: the first `--` is npm's.
        if (!usage.get(command)!.includes(flag)) missing.push(`${doc}: ${command} ${flag}`);
      }
    }
  }
  assert.deepEqual([...seen].sort(), [...COMMANDS].sort(), 'command lines of every command are found (the extraction itself works)');
  assert.deepEqual(missing, [], `flags the guides pass that the command does not take:\n${missing.join('\n')}`);
});

test('every field of an exported props or options interface has a doc comment, and an optional one its @default', () => {
  const config = ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT);
  const files = ['index.ts', 'simulator/index.ts', 'simulator/testing.ts'].map((f) => path.join(REPO_ROOT, f));
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  const checked = new Set<string>();
  for (const file of files) {
    for (let s of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)) {
      if (!/(Props|Options)$/.test(s.name) || checked.has(s.name)) continue;
      checked.add(s.name);
      if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      for (const d of (s.declarations ?? []).filter(ts.isInterfaceDeclaration)) {
        for (const m of d.members) {
          if (!ts.isPropertySignature(m)) continue;
          const docs = ts.getJSDocCommentsAndTags(m).map((j) => j.getText()).join('\n');
          const field = `${s.name}.${m.name.getText()}`;
          if (docs === '') problems.push(`${field}: no doc comment`);
          else if (m.questionToken && !/@default\b/.test(docs)) problems.push(`${field}: optional, but no @default`);
        }
      }
    }
  }
  assert.ok(checked.has('PolicyAppProps') && checked.has('SimulateOptions'), 'the interfaces are found (the extraction itself works)');
  assert.deepEqual(problems, [], problems.join('\n'));
});

test("docs/gitops.md's table of delivery options gives the defaults PolicyApp fills in", async () => {
  const { ArgoCdGenerator, PolicyApp } = await import(path.join(REPO_ROOT, 'index.ts'));
  const table = /^\| Option +\| Default +\|.*\n\|[- |]+\|\n((?:\|.*\|\n)+)/m.exec(read('docs/gitops.md'));
  assert.ok(table, 'docs/gitops.md has the table of delivery options');
  const app = new PolicyApp({ partOf: 'shop-policy', delivery: { repoURL: 'https://github.com/acme/mesh-policy.git' } });
  const resolved = app.delivery as Record<string, unknown>;
  const wrong: string[] = [];
  let checked = 0;
  for (const row of table[1].trimEnd().split('\n')) {
    const [, option, defaults] = row.split('|').map((cell) => cell.trim());
    if (defaults === 'required') continue;
    // "`argocd.namespace` / `project`": the later names are siblings of the first.
    const names = option.split(' / ').map((o) => o.replace(/`/g, ''));
    const parent = names[0].includes('.') ? names[0].slice(0, names[0].lastIndexOf('.') + 1) : '';
    const values = defaults === 'none' ? [undefined] : defaults.split(' / ').map((d) => d.replace(/^`|`$/g, ''));
    assert.equal(values.length, names.length, row);
    names.forEach((name, i) => {
      const key = (i === 0 ? name : parent + name).split('.');
      const actual = key.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], resolved);
      const text = values[i];
      const documented =
        text === undefined ? undefined
        : text === 'partOf' ? 'shop-policy'
        : text.startsWith('ArgoCdGenerator.') ? ArgoCdGenerator[text.slice('ArgoCdGenerator.'.length)]
        : /^[[{]/.test(text) ? new Function(`return (${text});`)()
        : text;
      checked++;
      if (JSON.stringify(actual) !== JSON.stringify(documented)) wrong.push(`${key.join('.')}: documented ${text}, PolicyApp.delivery has ${JSON.stringify(actual)}`);
    });
  }
  assert.ok(checked >= 14, `the rows are found (the extraction itself works): ${checked}`);
  assert.deepEqual(wrong, [], wrong.join('\n'));
});
