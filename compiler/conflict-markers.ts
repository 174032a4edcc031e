/**
 * Whether `text` holds git's merge-conflict markers (a line starting with
 * seven `<`, `=` or `>`): an output file resolved by hand in a merge, which
 * only a new synth puts right.
 */
export function hasConflictMarkers(text: string): boolean {
  return /^(?:<{7}|>{7})(?: |\r?$)|^={7}\r?$/m.test(text);
}
