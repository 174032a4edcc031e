import { isIPv6 } from 'node:net';

/**
 * Go's `net/url.ParseRequestURI`, reduced to what the WasmPlugin url rule
 * needs: whether the text parses, and its scheme. Both the CRD's CEL rule
 * (Kubernetes' `isURL`/`url()`) and istiod's webhook (`strictParseURL`) use
 * it, so this decides exactly which module URLs a cluster accepts.
 */
export type GoUrl = { readonly ok: true; readonly scheme: string } | { readonly ok: false; readonly error: string };

const fail = (error: string): GoUrl => ({ ok: false, error });
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

export function parseRequestUri(raw: string): GoUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) return fail('invalid control character in URL');
  if (raw === '') return fail('empty url');
  if (raw === '*') return { ok: true, scheme: '' };

  // getScheme: letters, then letters/digits/+-. until ':'; any other character first means no scheme.
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return fail('missing protocol scheme');
      scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }

  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) {
    // A rootless path after a scheme is opaque (`mailto:x`); without a scheme a request URI must be absolute.
    return scheme ? { ok: true, scheme } : fail('invalid URI for request');
  }
  if (scheme && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const bad = authorityError(authority);
    if (bad) return fail(bad);
  }
  const bad = unescapeError(rest, 'path');
  return bad ? fail(bad) : { ok: true, scheme };
}

type Mode = 'path' | 'userinfo' | 'host' | 'zone';

/** Characters Go allows unescaped in a host (unreserved, sub-delims, and a few it tolerates). */
function hostCharOk(c: string): boolean {
  return isAlnum(c) || "-_.~!$&'()*+,;=:[]<>\"".includes(c);
}

/** Go's `unescape` in one mode: the error it returns, if any. */
function unescapeError(s: string, mode: Mode): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return `invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`;
      const escaped = s.slice(i, i + 3);
      const byte = parseInt(s.slice(i + 1, i + 3), 16);
      // In a host, %-escapes are only for non-ASCII bytes (and %25 in an IPv6 zone).
      if (mode === 'host' && byte < 0x80 && escaped !== '%25') return `invalid URL escape ${JSON.stringify(escaped)}`;
      // In a zone, an escape may only stand for a character a host could hold as is (or a space).
      if (mode === 'zone' && escaped !== '%25' && byte !== 0x20 && !(byte < 0x80 && hostCharOk(String.fromCharCode(byte)))) {
        return `invalid URL escape ${JSON.stringify(escaped)}`;
      }
      i += 2;
    } else if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && !hostCharOk(c)) {
      return `invalid character ${JSON.stringify(c)} in host name`;
    }
  }
  return undefined;
}

const validOptionalPort = (p: string): boolean => p === '' || /^:[0-9]*$/.test(p);

function authorityError(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const bad = hostError(at < 0 ? authority : authority.slice(at + 1));
  if (bad || at < 0) return bad;
  const userinfo = authority.slice(0, at);
  if (![...userinfo].every((c) => isAlnum(c) || "-._:~!$&'()*+,;=%@".includes(c))) return 'net/url: invalid userinfo';
  return unescapeError(userinfo, 'userinfo');
}

function hostError(host: string): string | undefined {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return "missing ']' in host";
    if (!validOptionalPort(host.slice(close + 1))) return `invalid port ${JSON.stringify(host.slice(close + 1))} after host`;
    const inside = host.slice(1, close);
    const zoneAt = inside.indexOf('%25');
    const address = zoneAt < 0 ? inside : inside.slice(0, zoneAt);
    // Go 1.25.2 and later accept only an IPv6 address between the brackets.
    if (address.includes('%') || !isIPv6(address)) return `invalid IPv6 host ${JSON.stringify(address)}`;
    return zoneAt < 0 ? undefined : unescapeError(inside.slice(zoneAt), 'zone');
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !validOptionalPort(host.slice(colon))) return `invalid port ${JSON.stringify(host.slice(colon))} after host`;
  return unescapeError(host, 'host');
}

/** The schemes a WasmPlugin url may have (`""` means no scheme: Istio reads it as oci). */
export const WASM_URL_SCHEMES: readonly string[] = ['', 'http', 'https', 'oci', 'file'];

/**
 * The CRD's url rule: the url parses with one of the allowed schemes, or it
 * has none and parses once `http://` is put in front. Returns why not, or
 * undefined when the url is accepted.
 */
export function wasmUrlProblem(url: string): string | undefined {
  // A mesh repeats a handful of module URLs thousands of times, and each is
  // checked at construction and again at analysis.
  const known = urlProblems.get(url);
  if (known !== undefined) return known ?? undefined;
  const problem = urlProblemOf(url);
  if (urlProblems.size < URL_CACHE_ENTRIES) urlProblems.set(url, problem ?? null);
  return problem;
}

const urlProblems = new Map<string, string | null>();
const URL_CACHE_ENTRIES = 10_000;

function urlProblemOf(url: string): string | undefined {
  const direct = parseRequestUri(url);
  if (direct.ok) {
    if (WASM_URL_SCHEMES.includes(direct.scheme)) return undefined;
    return `Istio reads ${JSON.stringify(direct.scheme)} as its scheme, which is not one of oci://, https://, http://, file://` +
      (/^[0-9]/.test(url.slice(url.indexOf(':') + 1)) ? ' (a registry port needs an explicit oci:// in front)' : '');
  }
  const prefixed = parseRequestUri(`http://${url}`);
  if (prefixed.ok) return undefined;
  return `it is not a valid URL (${prefixed.error})`;
}

/**
 * Where a URL's `user:password` is: from after the scheme to the last `@`
 * that is not a digest (`@sha256:`), not to the first `/`, `?` or `#`: an
 * unencoded password may hold those, and masking a path too is safe.
 */
function userinfoSpan(url: string): { start: number; end: number } | undefined {
  const start = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)?.[0].length ?? 0;
  const at = url.slice(start).replace(/@sha256:[0-9a-fA-F]*$/, '').lastIndexOf('@');
  return at < 0 ? undefined : { start, end: start + at };
}

/**
 * `url` with every query value and any fragment replaced by `mask(value)`.
 * A presigned URL carries its signature there (`X-Amz-Signature=`), a
 * mirror its `token=`, under names no list foresees; the names stay readable.
 */
function maskQueryValues(url: string, mask: (value: string) => string): string {
  const q = url.indexOf('?');
  const hash = url.indexOf('#', q < 0 ? 0 : q);
  if (q < 0 && hash < 0) return url;
  const end = hash < 0 ? url.length : hash;
  const query = q < 0 ? '' : `?${maskPairs(url.slice(q + 1, end), mask)}`;
  return `${url.slice(0, q < 0 ? end : q)}${query}${hash < 0 ? '' : `#${mask(url.slice(hash + 1))}`}`;
}

function maskPairs(query: string, mask: (value: string) => string): string {
  return query
    .split('&')
    .map((part) => {
      if (part === '') return part;
      const eq = part.indexOf('=');
      return eq < 0 ? mask(part) : `${part.slice(0, eq)}=${mask(part.slice(eq + 1))}`;
    })
    .join('&');
}

/**
 * A URL safe to print: its `user:password@` masked (`***@`), and every query
 * value and any fragment replaced by `mask(value)`. Which `@` ends a
 * user:password cannot always be told: an unencoded password may hold `?`
 * or `#`, a query value an `@` (`owner=ci@acme.io&token=...`). When the
 * masked part holds a `?` or `#`, everything after the `@` may be query, so
 * it is masked as query: a host is lost from view, never a secret.
 */
export function maskedUrl(url: string, mask: (value: string) => string): string {
  const u = userinfoSpan(url);
  if (!u) return maskQueryValues(url, mask);
  const head = `${url.slice(0, u.start)}***@`;
  const tail = url.slice(u.end + 1);
  return /[?#]/.test(url.slice(u.start, u.end)) ? head + maskPairs(tail.replace(/[?#]/g, '&'), mask) : head + maskQueryValues(tail, mask);
}

/** A URL as findings and traces print it: `maskedUrl` with values shown as `***`. */
export function printableUrl(url: string): string {
  return maskedUrl(url, () => '***');
}
