import type { Rule } from '../rule';
import { pluginConfig } from './plugin-config';
import { digestMismatch, insecureUrl, pullSecret, unpinnedModule } from './supply-chain';

/** Every analysis rule, in documentation order. */
export const RULES: readonly Rule[] = [pluginConfig, unpinnedModule, digestMismatch, insecureUrl, pullSecret];
