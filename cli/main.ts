import { isPolicyError } from '../constructs/errors';
import { EXIT, Io, processIo, UsageError } from './io';
import { nearest } from '../constructs/internal/nearest';
import { readDeclaredSecrets, scrubSecrets } from '../constructs/internal/known-secrets';
type Command = { run: (argv: string[], io: Io) => number | Promise<number>; usage: string };

/*
 * Every command, one module each under cli/commands/, loaded only when it
 * runs: `synth` on every commit should not pay for the simulator or git code.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, () => Command> = {
  synth: () => {
    const m = require('./commands/synth') as typeof import('./commands/synth');
    return { run: m.synth, usage: m.usage };
  },
  validate: () => {
    const m = require('./commands/validate') as typeof import('./commands/validate');
    return { run: m.validate, usage: m.usage };
  },
  explain: () => {
    const m = require('./commands/explain') as typeof import('./commands/explain');
    return { run: m.explain, usage: m.usage };
  },
  check: () => {
    const m = require('./commands/check') as typeof import('./commands/check');
    return { run: m.check, usage: m.usage };
  },
  diff: () => {
    const m = require('./commands/diff') as typeof import('./commands/diff');
    return { run: m.diff, usage: m.usage };
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function help(io: Io): number {
  io.out(`waypoint-policy: a GitOps policy compiler for Istio ambient waypoints.\n\n${Object.values(COMMANDS).map((load) => load().usage).join('\n\n')}`);
  return EXIT.OK;
}

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../package.json') as { version: string }).version;
}

function unknownCommand(name: string): string {
  const commands = Object.keys(COMMANDS);
  const list = `commands: ${commands.join(', ')}`;
  // Anything but a word or a flag may be a credential pasted in the wrong place: not echoed.
  if (!/^(--?)?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(name)) return `unknown command (${name.length} characters, not shown: it may be a credential); ${list}`;
  if (name.startsWith('-')) return `${JSON.stringify(name)} is not a command: the command comes first (waypoint-policy <command> [flags]); ${list}`;
  const meant = nearest(name, commands);
  return `unknown command ${JSON.stringify(name)}${meant ? ` (did you mean '${meant}'?)` : ''}; ${list}`;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  // `help synth` is read as `synth --help`, as git and npm read it.
  if (name === 'help' && rest.length > 0) return main([rest[0], '--help', ...rest.slice(1)], io);
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io);
  if (name === '--version' || name === '-V') {
    io.out(version());
    return EXIT.OK;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(unknownCommand(name));
    return EXIT.USAGE;
  }
  try {
    const command = load();
    // Before the flags are parsed, so `--help` works next to any of them.
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.usage);
      return EXIT.OK;
    }
    return await command.run(rest, io);
  } catch (e) {
    // Whatever is printed here may quote text we did not write (a --plugins
    // module's exception, a stack's first line): scrubbed like findings.
    readDeclaredSecrets();
    if (e instanceof UsageError) {
      io.err(scrubSecrets(e.message));
      return EXIT.USAGE;
    }
    if (isPolicyError(e)) {
      io.err(scrubSecrets(e.message));
      return EXIT.FAILED;
    }
    // A bug in waypoint-policy itself: say so, without dumping a stack unless asked.
    io.err(scrubSecrets(`internal error in waypoint-policy: ${(e as Error)?.message ?? String(e)}`));
    if (io.env.WAYPOINT_POLICY_DEBUG) io.err(scrubSecrets(String((e as Error)?.stack)));
    return 70;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
