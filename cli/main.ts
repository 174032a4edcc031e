import { isPolicyError } from '../constructs/errors';
import { EXIT, Io, processIo, UsageError } from './io';
import { check, usage as checkUsage } from './commands/check';
import { synth, usage as synthUsage } from './commands/synth';
import { validate, usage as validateUsage } from './commands/validate';
import { explain, usage as explainUsage } from './commands/explain';
import { diff, usage as diffUsage } from './commands/diff';

type Command = { run: (argv: string[], io: Io) => number | Promise<number>; usage: string };

/** Every command, one module each under cli/commands/. */
const COMMANDS: Record<string, Command> = {
  synth: { run: synth, usage: synthUsage },
  validate: { run: validate, usage: validateUsage },
  explain: { run: explain, usage: explainUsage },
  check: { run: check, usage: checkUsage },
  diff: { run: diff, usage: diffUsage },
};

function help(io: Io): number {
  io.out(`waypoint-policy: a GitOps policy compiler for Istio ambient waypoints.\n\n${Object.values(COMMANDS).map((c) => c.usage).join('\n\n')}`);
  return EXIT.OK;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io);
  const command = COMMANDS[name];
  if (!command) {
    io.err(`unknown command ${JSON.stringify(name)}; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return EXIT.USAGE;
    }
    if (isPolicyError(e)) {
      io.err(e.message);
      return EXIT.FAILED;
    }
    // A bug in waypoint-policy itself: say so, without dumping a stack unless asked.
    io.err(`internal error in waypoint-policy: ${(e as Error)?.message ?? String(e)}`);
    if (io.env.WAYPOINT_POLICY_DEBUG) io.err(String((e as Error)?.stack));
    return 70;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
