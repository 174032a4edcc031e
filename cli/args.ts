import { parseArgs, ParseArgsConfig } from 'node:util';
import { fingerprint } from '../simulator/redact';
import { seeUsage, UsageError } from './io';
import { nearest } from '../constructs/internal/nearest';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs quotes the argument it stumbled on. One that is not a flag is
 * most often a header or credential that lost its flag (`-H`, or a value
 * pasted after a space), and nothing tells a pasted `user:pass` or base64
 * token from a typo: every such argument is shown by fingerprint only. Only
 * quoted occurrences are replaced, so a short argument cannot garble the
 * rest of the message.
 */
function redactArgs(message: string, argv: readonly string[]): string {
  let out = message;
  // Longest first, so an argument that contains another is replaced whole.
  for (const arg of [...argv].sort((a, b) => b.length - a.length)) {
    if (arg.length === 0 || /^--?[A-Za-z][\w-]*$/.test(arg)) continue;
    out = out.split(`'${arg}'`).join(`'${fingerprint(arg)}'`);
  }
  // Say why, or a reader takes the fingerprint for what they typed going wrong.
  return out === message ? out : `${out} (arguments are shown by fingerprint here: they may be credentials)`;
}

/**
 * Flags that name a file or folder, and what each should name. Empty
 * (`--outdir "$OUTDIR"` with the variable unset) each resolves to the
 * working directory: synth would aim at the project, `--manifests` would
 * read the whole project as manifests.
 */
const PATH_FLAGS: Readonly<Record<string, string>> = {
  app: 'the policy program file',
  outdir: 'the output folder (dist by default)',
  manifests: 'a folder of YAML or JSON manifests, or one such file',
  plugins: 'a plugin module file or package',
  base: 'a git revision (e.g. origin/main)',
};

/** Parse flags strictly; every problem names the flag (and an argument only by fingerprint). */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    const message = redactArgs((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '').replace(/\.$/, ''), argv);
    throw new UsageError(`${command}: ${message}${hint(message, options)}${fileNamesHint(command, message, argv, options)}. ${seeUsage(command)}`);
  }
  for (const [flag, what] of Object.entries(PATH_FLAGS)) {
    const value: unknown = (parsed.values as Record<string, unknown>)[flag];
    if (value === '' || (Array.isArray(value) && value.includes(''))) {
      throw new UsageError(`${command}: --${flag} is empty (an unset variable?): pass ${what}. ${seeUsage(command)}`);
    }
  }
  return parsed;
}

/**
 * A hook runner (pre-commit, lint-staged) appends the staged files' names to
 * the command: say so when a stray argument looks like one. Said without
 * quoting it, so a credential that only looks like a file name stays unshown.
 */
function fileNamesHint(command: string, message: string, argv: readonly string[], options: Options): string {
  if (!message.startsWith('Unexpected argument')) return '';
  // The stray arguments only: a flag's value (--app policies/main.ts) is no appended name.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const looksLikeFile = tokens.some((t) => t.kind === 'positional' && /\.(ya?ml|json|[cm]?[jt]s|md)$/i.test(t.value));
  return looksLikeFile ? `. If a hook runner (pre-commit, lint-staged) appended the changed files' names, turn that off for ${command}, which always reads the whole policy program (pre-commit: pass_filenames: false)` : '';
}

/** "did you mean" for a mistyped long flag (`--outdri`), from the command's own flags. */
function hint(message: string, options: Options): string {
  const typed = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
  const meant = typed === undefined ? undefined : nearest(typed, Object.keys(options));
  return meant === undefined ? '' : ` (did you mean '--${meant}'?)`;
}

/**
 * The output folder a command names: --outdir, else $CDK8S_OUTDIR (which
 * `cdk8s synth` sets), else dist. An empty variable counts as unset, as a
 * CI variable defined but left blank is: it would name the working directory.
 */
export function outdirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.CDK8S_OUTDIR || 'dist');
}
