import type { Rule } from '../rule';
import { pluginConfig } from './plugin-config';

/** Every analysis rule, in documentation order. */
export const RULES: readonly Rule[] = [pluginConfig];
