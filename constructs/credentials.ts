import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { callSiteOf, sourceOf } from './internal/provenance';
import { isEncodedPair, rememberDeclared, rememberSecret } from './internal/known-secrets';
import { nearest } from './internal/nearest';
import { fail, kindOf } from './internal/validate';

/**
 * Where a Basic-auth credential comes from. The value is read once, at
 * construction; it is never printed: errors name the source, not the value.
 *
 * The basic_auth plugin has no secret reference, so the value ends up in the
 * emitted WasmPlugin: see docs/security.md for keeping `dist/` encrypted.
 */
export abstract class Credential {
  /**
   * Read from an environment variable (e.g. a CI secret). One trailing
   * newline is dropped; other surrounding whitespace, or a line break
   * inside, is refused (`credentials/whitespace`), since no request could
   * match it.
   */
  public static fromEnv(variable: string): Credential {
    const at = typeof variable === 'string' ? lineIfMissing(seenSet, variable, () => process.env[variable] !== undefined, Credential.fromEnv) : undefined;
    return new EnvCredential(variable, at);
  }

  /**
   * Read from a file holding one credential (one trailing newline is dropped;
   * other surrounding whitespace is refused, as for fromEnv).
   * A relative path is resolved against the directory of the policy file
   * that calls `fromFile`, so synth gives the same result from any working
   * directory, and a shared pattern in another folder that creates the
   * plugin reads the file its caller named.
   */
  public static fromFile(file: string): Credential {
    // A relative path needs to know where it was written, to be read from
    // there; an absolute one only to report a missing file at this line.
    let at: string | undefined;
    if (typeof file === 'string') {
      at = path.isAbsolute(file) ? lineIfMissing(seenFiles, file, () => fs.existsSync(file), Credential.fromFile) : callSiteOf(Credential.fromFile);
    }
    return new FileCredential(file, at);
  }

  /**
   * A value written in the policy source: for demos and tests only. The
   * analysis reports it (`credentials/literal`) unless acknowledged.
   */
  public static insecureLiteral(value: string): Credential {
    return new LiteralCredential(value);
  }

  /**
   * Keep the value out of git entirely: emit the placeholder `${NAME}`, which
   * Flux replaces at apply time from a Secret in the cluster
   * (`postBuild.substituteFrom`; see docs/security.md). The simulator cannot
   * know the value and reports such rules as not simulated.
   */
  public static fluxSubstitution(variable: string): Credential {
    return new SubstitutionCredential(variable);
  }

  /** Where the value comes from, safe to print. */
  public abstract readonly source: string;
  /** Whether the value is written in policy source. */
  public readonly literal: boolean = false;

  /** Read the value. Fails with a PolicyError naming the source if it is missing. */
  public abstract resolve(scope: IConstruct): string;
}

// A credential is read once per app (construct tree): one often guards
// thousands of plugins, and one app must not emit two values for it. A new
// app reads it again, so a process that synthesizes twice sees a rotated
// value. The values live in true private fields: `console.log` or
// `JSON.stringify` of a credential shows no secret.
type ReadOnce = WeakMap<IConstruct, Map<string, string>>;

/** The value read for `key` in `scope`'s app, reading it (`read`) the first time. */
function readOnce(values: ReadOnce, scope: IConstruct, key: string, read: () => string): string {
  const app = scope.node.root;
  let known = values.get(app);
  if (!known) values.set(app, (known = new Map()));
  let value = known.get(key);
  if (value === undefined) known.set(key, (value = read()));
  return value;
}

/**
 * The value without the one line ending that `echo`, editors and secret
 * stores add. Other surrounding whitespace is refused: the plugin compares
 * credentials byte for byte and Envoy trims it from the header, so every
 * request would get 401.
 */
function credentialValue(scope: IConstruct, source: string, raw: string, fix: string): string {
  const value = raw.replace(/\r?\n$/, '');
  if (value === '') fail(scope, 'credentials/missing', `credential source ${source} is empty`, fix);
  if (/^\s|\s$/.test(value)) {
    fail(
      scope,
      'credentials/whitespace',
      `credential source ${source} starts or ends with whitespace (after dropping one trailing newline): no request could match it`,
      'Store the credential without surrounding spaces, tabs or blank lines (printf %s, not echo, when writing it).',
    );
  }
  // Two credentials in one file (or variable) read as one: a password with a line break, which no client sends.
  if (/[\r\n]/.test(value)) {
    fail(
      scope,
      'credentials/whitespace',
      `credential source ${source} holds a line break inside (after dropping one trailing newline): it would be one credential whose password has a line break, which no client sends`,
      'Keep one credential per source, on one line (base64 -w0 writes it unwrapped); for several credentials, list one Credential each.',
    );
  }
  return value;
}

/**
 * Variables seen set when `fromEnv` named them, and absolute files seen to
 * exist when `fromFile` did. Each is read again when a plugin resolves it:
 * these only decide whether the line that named it is worth recording.
 */
const seenSet = new Set<string>();
const seenFiles = new Set<string>();

/**
 * The policy line that called `method` to name `source`, when the source is
 * missing now. Only then does that line matter (a shared pattern may create
 * the plugin, and the line to fix is the one that named the source), and a
 * stack costs more than the check. A source once seen present is not looked
 * at again: thousands of plugins often share one.
 */
function lineIfMissing(seen: Set<string>, source: string, present: () => boolean, method: Function): string | undefined {
  if (seen.has(source)) return undefined;
  if (!present()) return callSiteOf(method);
  seen.add(source);
  return undefined;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Where a credential must be present. Read at construction, it is missing for
 * every command that compiles the policies, not only synth: a CI step running
 * check or diff without the secret is told the same, whatever its command.
 */
const WHERE_COMPILED = 'wherever the policies are compiled: synth, validate, check and diff all read it';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * A variable name as it may be printed: one that is not a name (a `:`, a
 * space...) is most often the credential itself, passed where its name
 * belongs, and is shown by its length only.
 */
function printableName(name: string): string {
  // Base64 without padding is a name to the pattern: `dXNlcjpwYXNz` is user:pass.
  return typeof name === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(name) && !isEncodedPair(name) ? name : `(not a name, ${String(name).length} characters, not shown: it may be the value itself)`;
}

class EnvCredential extends Credential {
  public readonly source: string;
  /** The variable's name as every message shows it (`printableName`). */
  private readonly shown: string;
  readonly #values: ReadOnce = new WeakMap();
  /**
   * @param writtenAt `file:line` of the policy code that called `fromEnv`,
   *   recorded only when the variable was unset then.
   */
  constructor(
    private readonly variable: string,
    public readonly writtenAt?: string,
  ) {
    super();
    this.shown = printableName(variable);
    this.source = `environment variable ${this.shown}`;
    if (typeof variable === 'string') rememberDeclared(`env:${variable}`, () => process.env[variable]);
  }

  public resolve(scope: IConstruct): string {
    // Looser than a shell's names (CI systems pass '.' and '-'), but never a ':', '=' or space.
    if (typeof this.variable !== 'string' || !ENV_NAME.test(this.variable) || isEncodedPair(this.variable)) {
      fail(scope, 'credentials/bad-variable', `credential source ${this.source} is not a valid variable name`, 'Pass the name of the environment variable, not its value: Credential.fromEnv(\'SHOP_ADMIN\').');
    }
    // Each process.env read is a getenv call (~4 µs here).
    return readOnce(this.#values, scope, '', () => {
      const value = process.env[this.variable];
      if (value === undefined) {
        // CI systems pass names with '.' or '-', which a shell cannot export.
        const how = VARIABLE.test(this.variable) ? `Export ${this.shown}` : `Set ${this.shown} in the command's environment (a shell cannot export that name: put env '${this.shown}=...' before the command)`;
        // A misspelt name is fixed in the policy, not by exporting the misspelling: name the set variable it most likely means.
        const meant = this.shown === this.variable ? nearest(this.variable, Object.keys(process.env).filter((k) => printableName(k) === k)) : undefined;
        const fix = meant ? `If you meant ${meant}, which is set, write Credential.fromEnv('${meant}'); otherwise ${how[0].toLowerCase()}${how.slice(1)}` : how;
        fail(scope, 'credentials/missing', `credential source ${this.source} is not set`, `${fix} ${WHERE_COMPILED} (in CI, map the secret to that step).`);
      }
      return rememberSecret(credentialValue(scope, this.source, value, `${this.shown} is set but empty: give it the credential (in CI, check that the secret exists in this context).`));
    });
  }
}

/**
 * A file path as it may be printed. One that holds a ':' (past a Windows
 * drive), a line break or another control character, ends with base64's
 * '=' padding, or is the base64 of a `user:pass` without it, is most often
 * the credential itself passed where its path belongs, and is shown by its
 * length only.
 */
function printablePath(file: string): string {
  const looksLikeValue = typeof file !== 'string' || /[\0-\x1f\x7f]/.test(file) || file.replace(/^[A-Za-z]:[\\/]/, '').includes(':') || file.endsWith('=') || isEncodedPair(file);
  return looksLikeValue ? `(not a file path, ${String(file).length} characters, not shown: it may be the value itself)` : file;
}

class FileCredential extends Credential {
  public readonly source: string;
  /** Whether the path is printed as given (`printablePath`); if not, neither is what it resolves to. */
  private readonly printable: boolean;
  /** By absolute path: a relative one depends on the policy file. */
  readonly #values: ReadOnce = new WeakMap();
  /**
   * @param writtenAt `file:line` of the policy code that called `fromFile`:
   *   a relative path is read from beside it. Unknown (the call came from no
   *   policy file), the plugin's own policy file is used. For an absolute
   *   path it is recorded only when the file did not exist at the call.
   */
  constructor(
    private readonly file: string,
    public readonly writtenAt?: string,
  ) {
    super();
    const shown = printablePath(file);
    this.printable = shown === file;
    this.source = `file ${shown}`;
    // A relative file is found from the policy file that uses it, not known yet.
    if (typeof file === 'string' && path.isAbsolute(file)) rememberDeclared(`file:${file}`, () => declaredFile(file));
  }

  public get relative(): boolean {
    return typeof this.file === 'string' && !path.isAbsolute(this.file);
  }

  public resolve(scope: IConstruct): string {
    if (typeof this.file !== 'string') {
      fail(scope, 'props/invalid', `Credential.fromFile() was given ${kindOf(this.file)}, not a file path`, "Pass the path of the file that holds the credential: Credential.fromFile('secrets/admin').");
    }
    // Where the path was written, not where the plugin is created: the two
    // differ when a pattern in another folder builds the plugin, and that
    // folder may hold a file of the same name.
    const at = this.writtenAt ?? sourceOf(scope);
    const base = at ? path.dirname(at.replace(/:\d+$/, '')) : process.cwd();
    const full = path.resolve(base, this.file);
    return readOnce(this.#values, scope, full, () => {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(full);
      } catch (e) {
        if (!this.printable) {
          fail(scope, 'credentials/missing', `credential source ${this.source} cannot be read`, 'Pass the path of the file that holds the credential, not the credential: Credential.fromFile(\'secrets/admin\').');
        }
        const code = (e as NodeJS.ErrnoException).code;
        const [why, fix] = unreadableFile(code);
        fail(scope, 'credentials/missing', `credential source ${this.source} cannot be read: ${why} (resolved to ${full})`, (code === 'ENOENT' || code === 'ENOTDIR') && this.fromPolicyFile(base) || fix);
      }
      let raw: string;
      try {
        raw = UTF8.decode(bytes);
      } catch {
        // Read leniently, each bad byte would become U+FFFD: a different credential, written without a word.
        fail(scope, 'credentials/missing', `credential source ${this.source} cannot be read: it is not UTF-8 text${this.printable ? ` (resolved to ${full})` : ''}`, 'Store the credential as UTF-8 text (or the base64 of "user:password", which is ASCII).');
      }
      return rememberSecret(credentialValue(scope, this.source, raw, 'Put the credential in the file.'));
    });
  }

  /**
   * The fix for a relative path written from the working directory (the
   * project root, where commands run) rather than from the policy file's
   * folder: the path that reaches the same file from there. Creating the
   * file where it was looked for would put a second copy of a secret beside
   * the policies.
   */
  private fromPolicyFile(base: string): string | undefined {
    if (!this.relative) return undefined;
    const meant = path.resolve(this.file);
    if (!fs.statSync(meant, { throwIfNoEntry: false })?.isFile()) return undefined;
    const written = path.relative(base, meant).split(path.sep).join('/');
    return `${this.file} exists relative to the working directory, but a relative path is read from the folder of the policy file that names it (${base}): write Credential.fromFile('${written}').`;
  }
}

// fatal: invalid UTF-8 throws; ignoreBOM: a BOM is kept, and refused as whitespace by credentialValue.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Why a credential file could not be read, and what to do, by the error's code. */
function unreadableFile(code: string | undefined): [string, string] {
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return ['no such file', `Create the file, or mount it in CI, ${WHERE_COMPILED}.`];
    case 'EISDIR':
      return ['it is a folder', 'Name the file inside the folder that holds the credential.'];
    case 'EACCES':
    case 'EPERM':
      return ['permission denied', 'Let the user that runs waypoint-policy read the file (its mode or owner).'];
    default:
      return [code ?? 'unknown error', 'Check that the file exists and can be read by the user that runs waypoint-policy.'];
  }
}

// Only a regular file of credential size is read for scrubbing: an error
// message must not wait on a pipe or device the policy named.
const MAX_DECLARED_FILE = 64 * 1024;

function declaredFile(file: string): string | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st?.isFile() && st.size <= MAX_DECLARED_FILE ? fs.readFileSync(file, 'utf8') : undefined;
}

class SubstitutionCredential extends Credential {
  public readonly source: string;
  constructor(private readonly variable: string) {
    super();
    this.source = `Flux substitution variable ${printableName(variable)}`;
  }

  public resolve(scope: IConstruct): string {
    // A credential's base64 is a valid name: as a placeholder it would put the credential in git.
    if (typeof this.variable !== 'string' || !VARIABLE.test(this.variable) || isEncodedPair(this.variable)) {
      const shown = printableName(this.variable);
      fail(scope, 'credentials/bad-variable', `Flux substitution variable ${shown === this.variable ? JSON.stringify(shown) : shown} is not a valid variable name`, 'Use letters, digits and _, not starting with a digit.');
    }
    return `\${${this.variable}}`;
  }
}

class LiteralCredential extends Credential {
  public readonly source = 'a literal in policy source';
  public override readonly literal = true;
  // A true private field, as the values read from a source are: in source or
  // not, a credential printed with console.log or JSON.stringify shows no value.
  readonly #value: string;
  constructor(value: string) {
    super();
    this.#value = value;
  }

  public resolve(scope: IConstruct): string {
    // From a config file or `any`, an unset value (undefined) or a number: no
    // credential, and no message shows what it is (it may be close to one).
    if (typeof this.#value !== 'string') {
      fail(scope, 'props/invalid', `Credential.insecureLiteral() was given ${kindOf(this.#value)}, not a string`, 'Pass the "user:password" string (or its base64); for a real credential, Credential.fromEnv() or Credential.fromFile().');
    }
    return this.#value;
  }
}

/**
 * Whether resolving `c` depends on the policy file that uses it (a relative
 * Credential.fromFile): only then is that file's location worth capturing.
 */
export function resolvesAgainstPolicyFile(c: Credential): boolean {
  return c instanceof FileCredential && c.relative;
}

/**
 * The policy line that named `c`'s source, when it was recorded (a relative
 * Credential.fromFile, or a Credential.fromEnv whose variable was unset): a
 * source that cannot be read is reported there, since that is the line to
 * fix when a shared pattern creates the plugin.
 */
export function writtenAtOf(c: Credential): string | undefined {
  return c instanceof FileCredential || c instanceof EnvCredential ? c.writtenAt : undefined;
}

export function isCredential(x: unknown): x is Credential {
  return x instanceof Credential;
}
