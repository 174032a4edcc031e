import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse flags strictly; every problem names the flag and the value received. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')}. Run 'waypoint-policy help' for usage.`);
  }
}
