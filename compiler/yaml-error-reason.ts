/**
 * The yaml parser quotes the text it stumbles on in some of its messages
 * (an alias's name, a block scalar header, a tag, an unknown token). In a
 * WasmPlugin that text is often a credential: one starting with `*`, `|`,
 * `!` or `&` is read as YAML syntax when it is not quoted. Each pattern
 * keeps the fixed part of one such message and drops the quoted text; the
 * line and column the parser appends stay.
 */
const QUOTING: readonly (readonly [RegExp, string])[] = [
  [/^(Unresolved alias \(the anchor must be set before the alias\)): .*$/, '$1'],
  [/^(Block scalar header includes extra characters): .*$/, '$1'],
  [/^(Not a YAML token): .*$/, '$1'],
  [/^(Unresolved tag|Could not resolve tag|Not a valid tag): .*$/, '$1'],
  [/^(Anchor must not contain whitespace or control characters): .*$/, '$1'],
  [/^(Map items must all be pairs); found .* instead$/, '$1'],
  [/^Key .* already set$/, 'Key already set'],
  [/^.* used for (\w+) collection, but expects (\w+)$/, 'A tag used for $1 collection, but expects $2'],
  [/^(Invalid escape sequence) .*$/, '$1'],
  [/^(Unknown directive) .*$/, '$1'],
  [/^The .* tag has no suffix$/, 'A tag has no suffix'],
  [/^Verbatim tags aren't resolved, so .* is invalid\.$/, "Verbatim tags aren't resolved"],
  // An error token of the lexer: its message, then the source it could not read, as JSON.
  [/^([^"]*): ".*"$/, '$1'],
];

const POSITION = / at line \d+, column \d+:$/;

/** The first line of a yaml parser message, without any text of the file it quotes. */
export function yamlErrorReason(message: string): string {
  const first = message.split('\n')[0];
  const position = POSITION.exec(first)?.[0] ?? '';
  const core = first.slice(0, first.length - position.length);
  for (const [pattern, fixed] of QUOTING) {
    if (pattern.test(core)) return core.replace(pattern, fixed) + position;
  }
  return first;
}
