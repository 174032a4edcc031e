/**
 * Which release of an istio-ecosystem/wasm-extensions module a URL names,
 * against the tag whose source the catalogue, the analysis and the simulator
 * were written from.
 */

import { withoutDigest } from '../internal/module-url';

/** The tag whose source was read (wasm-extensions 1.12.0; basic_auth's plugin.cc is unchanged through master 1ebcbdde, 2025-04-01). */
export const CATALOGUE_SOURCE_TAG = '1.12.0';

/** The tag of a module URL, if it has one (a digest is not a tag). */
export function moduleTag(url: string): string | undefined {
  const last = withoutDigest(url).split('/').pop() ?? '';
  const colon = last.indexOf(':');
  return colon >= 0 ? last.slice(colon + 1) : undefined;
}

const [MAJOR, MINOR, PATCH] = CATALOGUE_SOURCE_TAG.split('.').map(Number);

/**
 * Whether a `x.y.z` tag is a release before the source that was read: the
 * modules were built per Istio minor (1.9.x to 1.11.x) from other code,
 * which nothing here reproduces.
 */
export function isOlderRelease(tag: string): boolean {
  const v = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!v) return false;
  const [a, b, c] = v.slice(1).map(Number);
  return a !== MAJOR ? a < MAJOR : b !== MINOR ? b < MINOR : c < PATCH;
}
