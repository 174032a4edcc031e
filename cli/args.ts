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

/** Parse flags strictly; every problem names the flag (and an argument only by fingerprint). */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    const message = redactArgs((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), argv);
    throw new UsageError(`${command}: ${message}${hint(message, options)}. ${seeUsage(command)}`);
  }
}

/** "did you mean" for a mistyped long flag (`--outdri`), from the command's own flags. */
function hint(message: string, options: Options): string {
  const typed = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
  const meant = typed === undefined ? undefined : nearest(typed, Object.keys(options));
  return meant === undefined ? '' : ` (did you mean '--${meant}'?)`;
}
