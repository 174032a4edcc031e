/** A module URL without its `@sha256:` digest, which pins a build but names no tag. */
export function withoutDigest(url: string): string {
  return url.replace(/@sha256:[a-f0-9]+$/, '');
}
