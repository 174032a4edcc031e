/**
 * Runs policy programs and manifest directories through the real CLI
 * handler, in-process, and returns what a person would see: the exit code,
 * the printed text, and the findings as JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { EXAMPLE_ENV, EXAMPLE_PREAMBLE, EXAMPLE_UNSET, exampleLanguage, usesPreamble } from '../../analysis/docs';
import * as library from '../../index';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

export interface JsonFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly object: { kind: string; namespace?: string; name: string } | null;
  readonly path: string | null;
  readonly source: string | null;
  readonly file: string | null;
  readonly message: string;
  readonly fix: string | null;
}

export interface Run {
  readonly code: number;
  /** Everything printed on both streams. */
  readonly text: string;
  readonly stdout: string;
}

/** The library's public names a policy program may use. */
const LIBRARY_NAMES = [
  'PolicyApp',
  'Target',
  'MeshNamespace',
  'Waypoint',
  'WaypointFor',
  'AllowedNamespaces',
  'MeshService',
  'GatewayReference',
  'ServiceEntryReference',
  'WasmPlugin',
  'BasicAuth',
  'Credential',
  'FailStrategy',
  'PluginType',
  'PluginPhase',
  'WorkloadMode',
  'EnvValueSource',
  'PullPolicy',
  'ALL_WAYPOINTS',
  'DataplaneMode',
  'definePlugin',
];

let counter = 0;
let root: string | undefined;

/** A fresh directory under one temp root (one exit hook for the whole run). */
export function freshDir(prefix = 'case-'): string {
  root ??= tempDir('wp-analysis-');
  return fs.mkdtempSync(path.join(root, prefix));
}

/** Write a policy program that imports the library by absolute path; `body` builds on `app`. */
export function writeProgram(dir: string, body: string, options: { preamble?: boolean } = {}): string {
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  const file = path.join(dir, `policy-${process.pid}-${counter++}.ts`);
  const preamble = options.preamble === false ? '' : `${EXAMPLE_PREAMBLE}\n`;
  fs.writeFileSync(file, `import { ${LIBRARY_NAMES.join(', ')} } from '${lib}';\n${preamble}${body}\nexport default app;\n`);
  return file;
}

export async function run(args: string[], cwd: string): Promise<Run> {
  for (const [k, v] of Object.entries(EXAMPLE_ENV)) process.env[k] = v;
  for (const k of EXAMPLE_UNSET) delete process.env[k];
  const io = captureIo(cwd);
  const code = await main(args, io);
  return { code, text: io.text(), stdout: io.stdout.join('\n') };
}

/** Parse `--json` output (an array of findings). */
export function findingsOf(r: Run): JsonFinding[] {
  const start = r.stdout.indexOf('[');
  if (start < 0) throw new Error(`no JSON array in output:\n${r.text}`);
  return JSON.parse(r.stdout.slice(start)) as JsonFinding[];
}

/** Write YAML files (name -> text) into a fresh directory. */
export function manifestDir(files: Readonly<Record<string, string>>): string {
  const dir = freshDir('manifests-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/**
 * A docs/rules.md example as a policy program, imported as the rules
 * reference says: every export of the package and cdk8s's ApiObject, the
 * preamble unless the example builds its own app, `export default app`.
 */
export function writeExample(dir: string, bad: string, file = path.join(dir, `example-${process.pid}-${counter++}.ts`)): string {
  const lib = path.join(REPO_ROOT, 'index').split(path.sep).join('/');
  const cdk8s = path.dirname(require.resolve('cdk8s/package.json')).split(path.sep).join('/');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const preamble = usesPreamble(bad) ? `${EXAMPLE_PREAMBLE}\n` : '';
  fs.writeFileSync(
    file,
    `import * as lib from '${lib}';\nimport { ApiObject } from '${cdk8s}';\nconst { ${Object.keys(library).join(', ')} } = lib;\n${preamble}${bad}\nexport default app;\n`,
  );
  return file;
}

/**
 * Run a docs/rules.md example as a reader would: a YAML manifest saved as a
 * file (with its final newline) through `validate --manifests`, TypeScript
 * through `validate --app`, a command line as written (in a project whose
 * `policies/main.ts` is the preamble's app); all with `--json`.
 */
export async function runExample(bad: string): Promise<{ run: Run; findings: JsonFinding[] }> {
  const dir = freshDir('example-');
  const language = exampleLanguage(bad);
  // A command line runs in a project whose policies/main.ts is the preamble's app.
  if (language === 'shell') writeExample(dir, '', path.join(dir, 'policies', 'main.ts'));
  // An app with nothing in it, run over the main app's output (output/would-empty).
  if (language === 'shell' && bad.includes('policies/empty.ts')) {
    fs.writeFileSync(path.join(dir, 'policies', 'empty.ts'), `import { PolicyApp } from '${path.join(REPO_ROOT, 'index').split(path.sep).join('/')}';\nexport default new PolicyApp();\n`);
    const synth = await run(['synth'], dir);
    if (synth.code !== 0) throw new Error(`could not synthesize the example project:\n${synth.text}`);
  }
  // A folder of rendered manifests whose one file is a link to nothing (manifests/unreadable).
  if (language === 'shell' && /--manifests rendered\b/.test(bad)) {
    fs.mkdirSync(path.join(dir, 'rendered'));
    fs.symlinkSync('missing.yaml', path.join(dir, 'rendered', 'app.yaml'));
  }
  const args =
    language === 'yaml'
      ? ['validate', '--manifests', manifestDir({ 'example.yaml': `${bad}\n` })]
      : language === 'ts'
        ? // Named as a project's would be: a message that quotes a policy line reads as it does there.
          ['validate', '--app', writeExample(dir, bad, path.join(dir, 'main.ts'))]
        : bad.split(/\s+/).slice(1);
  const r = await run([...args, '--json'], dir);
  return { run: r, findings: findingsOf(r) };
}

/** A stack frame as Node prints it. */
export const STACK_FRAME = /^\s+at .+[:(]\d+:\d+\)?$|^\s{4}at /m;
