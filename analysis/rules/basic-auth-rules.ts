import { pluginDefinitionFor } from '../../constructs/define-plugin';
import { isPlainObject } from '../schema/issue';
import type { PluginView } from './plugin-spec';

/** Whether a plugin runs the basic_auth module (its url, or a mirror the catalogue knows). */
export function runsBasicAuth(p: PluginView): boolean {
  return !!p.url && pluginDefinitionFor(p.url)?.name === 'basic-auth';
}

/**
 * The rule objects of a plugin's `basic_auth_rules`, as written: nothing is
 * validated here (plugin/config reports a malformed config), and non-objects
 * are kept so that each rule keeps its index.
 */
export function basicAuthRuleObjects(p: PluginView): unknown[] {
  const config = (p.object.manifest.spec as { pluginConfig?: unknown } | undefined)?.pluginConfig;
  return isPlainObject(config) && Array.isArray(config.basic_auth_rules) ? config.basic_auth_rules : [];
}

/** The strings of a list as written (anything else left out). */
export function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
