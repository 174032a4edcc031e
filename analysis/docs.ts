/**
 * Renders docs/rules.md from the rule modules' own docs, so the reference
 * cannot drift from the code: `npx tsx analysis/docs.ts > docs/rules.md`
 * (a test fails when the committed file is stale).
 */
import { CATALOGUE_RULES, PATTERN_RULES, PATTERNS_CHECKED_AT } from '../constructs';
import type { RuleInfo } from './rule';
import { DOCUMENTED_ELSEWHERE, RULES } from './rules';

/**
 * What the TypeScript examples in docs/rules.md run after, unless they build
 * their own app (usesPreamble); test/analysis/docs.test.ts runs every example.
 */
export const EXAMPLE_PREAMBLE = `const app = new PolicyApp();
const ns = new MeshNamespace(app, 'shop');
const waypoint = new Waypoint(ns, 'waypoint');`;

/** Environment the TypeScript examples read credentials from. */
export const EXAMPLE_ENV: Readonly<Record<string, string>> = {
  SHOP_CREDENTIAL: 'shop:s3cret',
  ADMIN_CREDENTIAL: 'admin:s3cret',
  BAD_CREDENTIAL: 'admin',
  UNPADDED_CREDENTIAL: 'YWRtaW4zOmFkbWluMw',
  PASSWORD_ONLY_CREDENTIAL: 'b25jYWxscHc=',
};

/** Variables the examples run without (`credentials/missing` reads one). */
export const EXAMPLE_UNSET: readonly string[] = ['SHOP_ADMIN'];

export type ExampleLanguage = 'yaml' | 'ts' | 'shell';

/** How an example is written: a manifest, a policy snippet, or a command line. */
export function exampleLanguage(bad: string): ExampleLanguage {
  if (/^apiVersion:/m.test(bad) && /^kind:/m.test(bad)) return 'yaml';
  if (bad.startsWith('waypoint-policy ')) return 'shell';
  return 'ts';
}

/**
 * Whether a TypeScript example runs after EXAMPLE_PREAMBLE. One that builds
 * its own app (`const app = new PolicyApp({ ... })`, to give the app options)
 * is a whole program instead.
 */
export function usesPreamble(bad: string): boolean {
  return !/^const app = new PolicyApp\(/m.test(bad);
}

interface Entry extends RuleInfo {
  readonly checkedAt: string;
}

const EVERYWHERE = 'synth, validate, validate --manifests';

/** Analysis rules whose mistake the constructs already refuse in their props, under the same id. */
const ALSO_AT_CONSTRUCTION = new Set([
  'plugin/selector-and-targets',
  'plugin/too-many-targets',
  'plugin/no-target',
  'plugin/unresolved-target',
  'plugin/url-scheme',
  'plugin/sha256-format',
  'plugin/env-value-from-host',
  'plugin/duplicate-env',
  'names/rfc1123',
  'names/label-syntax',
  'waypoint/reserved-name',
]);

/**
 * Analysis rules that read what a policy program declares besides its objects
 * (references to other teams' Gateways and Services): manifests declare none,
 * so `validate --manifests` cannot raise them.
 */
const POLICY_PROGRAMS_ONLY = new Set(['binding/similar-waypoint', 'objects/owned-and-referenced']);

function analysisCheckedAt(id: string): string {
  if (POLICY_PROGRAMS_ONLY.has(id)) return 'synth, validate (policy programs: it reads their references to other teams\' objects, which manifests do not declare)';
  return ALSO_AT_CONSTRUCTION.has(id) ? `construction (props), ${EVERYWHERE}` : EVERYWHERE;
}

/**
 * Every documented rule: the analysis rules (in registry order), then, by id,
 * the ids checked elsewhere, the plugin catalogue's and the patterns' own.
 * An id documented by two sources keeps its first entry.
 */
export function documentedRules(): Entry[] {
  const analysis = RULES.map((r) => ({
    id: r.id,
    severity: r.severity,
    docs: r.docs,
    checkedAt: analysisCheckedAt(r.id),
  }));
  const others = [...DOCUMENTED_ELSEWHERE, ...CATALOGUE_RULES, ...PATTERN_RULES.map((r) => ({ ...r, checkedAt: PATTERNS_CHECKED_AT }))];
  const seen = new Set(analysis.map((r) => r.id));
  const elsewhere: Entry[] = [];
  for (const r of others) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    elsewhere.push({ id: r.id, severity: r.severity, docs: r.docs, checkedAt: r.checkedAt });
  }
  elsewhere.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...analysis, ...elsewhere];
}

/** GitHub's heading anchor for `## \`plugin/url-scheme\``. */
export function anchorOf(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body}\n\`\`\``;
const firstSentence = (s: string) => (/^(.*?\.)(\s|$)/.exec(s)?.[1] ?? s).replace(/\|/g, '\\|');

const aSeverity = (s: string) => (s === 'error' ? 'an error' : 'a warning');

function renderEntry(e: Entry): string {
  const lang = exampleLanguage(e.docs.bad);
  const program = lang === 'ts' && !usesPreamble(e.docs.bad);
  const raised = e.docs.severity !== undefined && e.docs.severity !== e.severity;
  return [
    `### \`${e.id}\``,
    '',
    `**${e.severity}** · checked at: ${e.checkedAt}`,
    '',
    e.docs.summary,
    '',
    program ? "Failing example (a whole program: it builds its own `app` instead of the preamble's):" : 'Failing example:',
    '',
    fence(lang === 'shell' ? 'sh' : lang, e.docs.bad),
    '',
    raised ? `Message (reported as ${aSeverity(e.docs.severity!)}):` : 'Message:',
    '',
    fence('text', e.docs.message),
    '',
    `Fix: ${e.docs.fix}`,
  ].join('\n');
}

export function renderRulesDoc(): string {
  const entries = documentedRules();
  const ids = new Set(RULES.map((r) => r.id));
  const analysis = entries.filter((e) => ids.has(e.id));
  const elsewhere = entries.filter((e) => !ids.has(e.id));
  const row = (e: Entry) => `| [\`${e.id}\`](#${anchorOf(e.id)}) | ${e.severity} | ${firstSentence(e.docs.summary)} |`;
  return `${[
    '<!-- Generated by `npx tsx analysis/docs.ts > docs/rules.md` from the rule modules in analysis/rules/. Do not edit. -->',
    '',
    '# Rules',
    '',
    'Every finding waypoint-policy reports carries one of these ids. A finding shows the rule id, the severity,',
    'the object, the construct path and the policy file and line that created it (or the manifest file), what is',
    'wrong, and how to fix it. Errors fail `synth` and `validate` with exit code 1 and nothing is written;',
    'warnings fail only with `--strict`. `--json` prints the same findings as a JSON array.',
    '',
    'The request simulator has ids of its own for a request it cannot simulate as written (`simulator/<field>`,',
    'e.g. `simulator/path`): they are listed in [simulator.md](simulator.md#request-errors).',
    '',
    'Some rules can be acknowledged in the policy when a mistake is deliberate: the construct writes the',
    'annotation `acknowledged.waypoint-policy.io/<rule id with / as .>: <reason>` on the object, which keeps the',
    'reason in git (for example `acknowledge: { failOpen: "..." }` on a WasmPlugin).',
    '',
    'Examples: YAML examples are whole manifests (one file each), checked with `waypoint-policy validate --manifests`.',
    'TypeScript examples are policy code, checked with `waypoint-policy validate --app`: they run after this preamble,',
    "with every export of `waypoint-policy` and cdk8s's `ApiObject` imported, and end with `export default app;`:",
    '',
    fence('ts', EXAMPLE_PREAMBLE),
    '',
    'An example marked as a whole program builds its own `app` (to give PolicyApp options) instead of using the preamble.',
    `Command lines run as shown, in a project whose \`policies/main.ts\` is the preamble's app (one that names \`policies/empty.ts\` also has that file, an app with nothing in it, and \`dist/\` as synth wrote it from \`policies/main.ts\`; one that reads \`--manifests rendered\` has a folder \`rendered/\` whose one file, \`app.yaml\`, is a symbolic link to nothing). Every example runs with the environment ${Object.entries(EXAMPLE_ENV).map(([k, v]) => `\`${k}=${v}\``).join(', ')}, and without ${EXAMPLE_UNSET.map((k) => `\`${k}\``).join(', ')}.`,
    '',
    "Each example reports the rule it is shown under, with exactly the message shown and the rule's severity (unless",
    'the message says otherwise), and prints the fix shown; for the plugin catalogue\'s and the patterns\' rules, the fix',
    'printed can be worded more specifically than the one shown. test/analysis/docs.test.ts runs every example and',
    'checks all of this.',
    '',
    '## Index',
    '',
    '| rule | severity | what it catches |',
    '| --- | --- | --- |',
    ...entries.map(row),
    '',
    '## Checked on every object (synth, validate, validate --manifests, unless the entry says otherwise)',
    '',
    analysis.map(renderEntry).join('\n\n'),
    '',
    '## Checked at construction, while loading, or while reading manifests',
    '',
    elsewhere.map(renderEntry).join('\n\n'),
  ].join('\n')}\n`;
}

if (require.main === module) process.stdout.write(renderRulesDoc());
