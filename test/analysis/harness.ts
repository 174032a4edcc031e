/**
 * Runs policy programs and manifest directories through the real CLI
 * handler, in-process, and returns what a person would see: the exit code,
 * the printed text, and the findings as JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { EXAMPLE_ENV, EXAMPLE_PREAMBLE } from '../../analysis/docs';
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

/** Run a documentation example: YAML through `validate --manifests`, TypeScript through `validate --app`. */
export async function runExample(bad: string, language: 'yaml' | 'ts'): Promise<{ run: Run; findings: JsonFinding[] }> {
  const dir = freshDir('example-');
  const r =
    language === 'yaml'
      ? await run(['validate', '--manifests', manifestDir({ 'example.yaml': bad }), '--json'], dir)
      : await run(['validate', '--app', writeProgram(dir, bad), '--json'], dir);
  return { run: r, findings: findingsOf(r) };
}

/** A stack frame as Node prints it. */
export const STACK_FRAME = /^\s+at .+[:(]\d+:\d+\)?$|^\s{4}at /m;
