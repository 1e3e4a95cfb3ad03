// Types of layers.js for the tests that check the rule (eslint.config.js itself is plain JS).
import type { Linter, Rule } from 'eslint';

export const LAYERS: readonly string[];
export function layerRestrictions(): Linter.Config[];
export const noImportCycle: Rule.RuleModule;
