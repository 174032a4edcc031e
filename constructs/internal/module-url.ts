/** A module URL without its `@sha256:` digest, which pins a build but names no tag. */
export function withoutDigest(url: string): string {
  return url.replace(/@sha256:[a-f0-9]+$/, '');
}

/**
 * The scheme of a module URL as Istio reads it: a scheme counts only when a
 * `/` follows its colon (`ghcr.io:5000/x` has none); no scheme means `oci`.
 */
export function urlScheme(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\//.exec(url);
  return m && !/^[^:]+:\d/.test(url) ? m[1].toLowerCase() : 'oci';
}
