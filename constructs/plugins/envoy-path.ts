/**
 * The request path as Envoy hands it to filters, for the simulator and for
 * the catalogue's checks of the paths a plugin config matches (a path in
 * another form never reaches the plugin).
 */
// Decoded when percent-encoded: the unreserved characters other than the dot,
// which dot-segment handling reads in either form.
const DECODED = /^[A-Za-z0-9\-_~]$/;
// Percent-encoded when written literally.
const ENCODED = new Set(['"', '#', '<', '>', '^', '`', '{', '|', '}']);
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/** Length of a dot at `i` (`.` or `%2e`/`%2E`), or 0. */
function dotAt(path: string, i: number): number {
  if (path[i] === '.') return 1;
  return path[i] === '%' && path[i + 1] === '2' && (path[i + 2] === 'e' || path[i + 2] === 'E') ? 3 : 0;
}

const isSlash = (c: string | undefined) => c === '/' || c === '\\';

/** `out` (ending in '/') cut back to the slash before its last segment; never above the root. */
function upOneSegment(out: string): string {
  if (out === '/') return out;
  return out.slice(0, out.lastIndexOf('/', out.length - 2) + 1);
}

/**
 * The path part of a request as Envoy's `normalize_path` (Istio's default
 * path normalisation, BASE) hands it to every filter: Envoy's copy of
 * Chromium's path canonicaliser (`source/common/chromium_url/url_canon_path.cc`).
 *
 * - A percent-encoded letter, digit, `-`, `_` or `~` is decoded (`/%61dmin`
 *   is `/admin`); other encodings are kept exactly as sent.
 * - `.` and `%2e` are dots alike in dot segments, which are removed
 *   (`/a/%2e%2e/b` is `/b`); a `..` never climbs above the root.
 * - A backslash becomes a slash.
 * - Characters a path may not hold literally (`"`, `#`, `<`, `>`, `^`, a
 *   backtick, `{`, `|`, `}`, a space, a control character, and every
 *   non-ASCII byte) are percent-encoded, upper case: a request can only
 *   carry them encoded (`%20`), and Envoy keeps that form.
 *
 * Undefined for a `%` not followed by two hex digits: what the canonicaliser
 * does with it next to later escapes is not modelled.
 */
export function canonicalPath(path: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const dot = dotAt(path, i);
    if (dot > 0) {
      if (out.endsWith('/')) {
        const after = i + dot;
        // "." as a whole segment: the current folder.
        if (after === path.length || isSlash(path[after])) {
          i = after === path.length ? after : after + 1;
          continue;
        }
        // ".." as a whole segment: up one folder.
        const second = dotAt(path, after);
        if (second > 0 && (after + second === path.length || isSlash(path[after + second]))) {
          out = upOneSegment(out);
          i = after + second === path.length ? after + second : after + second + 1;
          continue;
        }
      }
      out += '.';
      i += dot;
      continue;
    }
    const c = path[i];
    if (c === '\\') {
      out += '/';
      i++;
    } else if (c === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX2.test(hex)) return undefined;
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += DECODED.test(decoded) ? decoded : `%${hex}`;
      i += 3;
    } else if (ENCODED.has(c) || c.charCodeAt(0) > 0x7e || c.charCodeAt(0) <= 0x20) {
      // A whole code point: non-ASCII characters are encoded byte by byte (UTF-8).
      const cp = String.fromCodePoint(path.codePointAt(i)!);
      for (const b of Buffer.from(cp, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      i += cp.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
