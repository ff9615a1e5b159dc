// Checks a task tab's fine-tuning settings before anything starts; each problem names its field, so the UI can
// point at it. The paper's defaults (§4.1) are what the tabs start from.

import type { FinetuneSettings } from '../../engine/protocol.ts';
import { PRESETS } from '../../model/config.ts';
import { FINETUNE_DEFAULTS } from '../finetune-run.ts';
import type { SettingsProblem } from './pretrain-settings.ts';

/** Warm-up over 0.2 % of the steps (paper §4.1). */
export const PAPER_WARMUP = 0.002;

export function paperFinetuneSettings(family: FinetuneSettings['family']): FinetuneSettings {
  return {
    family,
    init: 'current',
    preset: 'tiny',
    transferLayers: null,
    auxLm: FINETUNE_DEFAULTS.auxLm,
    epochs: FINETUNE_DEFAULTS.epochs,
    batch: FINETUNE_DEFAULTS.batch,
    lr: FINETUNE_DEFAULTS.lr,
    warmup: PAPER_WARMUP,
    clip: FINETUNE_DEFAULTS.maxGradNorm,
    seed: 0,
    context: null,
  };
}

const FAMILIES = new Set(['classification', 'entailment', 'similarity', 'multiple-choice']);
const INITS = new Set(['current', 'imported', 'scratch']);

function integer(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function positive(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

export function finetuneSettingsProblem(s: FinetuneSettings): SettingsProblem | undefined {
  if (!FAMILIES.has(s.family)) return { where: 'family', message: `unknown task family "${s.family}"` };
  if (!INITS.has(s.init)) return { where: 'init', message: `unknown start "${s.init}"` };
  if (s.init === 'scratch' && !(s.preset in PRESETS)) {
    return { where: 'preset', message: `the model size must be one of ${Object.keys(PRESETS).join(', ')}` };
  }
  if (!(positive(s.epochs) && s.epochs <= 1000)) {
    return { where: 'epochs', message: `epochs must be above 0 and at most 1000 (got ${s.epochs})` };
  }
  if (!integer(s.batch, 1, 4096))
    return { where: 'batch', message: `the batch must be 1 to 4096 examples (got ${s.batch})` };
  if (!positive(s.lr)) return { where: 'lr', message: `the learning rate must be positive (got ${s.lr})` };
  if (!(typeof s.auxLm === 'number' && Number.isFinite(s.auxLm) && s.auxLm >= 0)) {
    return { where: 'auxLm', message: `λ must be 0 (no auxiliary LM) or positive (got ${s.auxLm})` };
  }
  if (!(typeof s.warmup === 'number' && s.warmup >= 0 && s.warmup < 1)) {
    return { where: 'warmup', message: `the warm-up must be a fraction from 0 to below 1 (got ${s.warmup})` };
  }
  if (!positive(s.clip)) return { where: 'clip', message: `the gradient clip must be positive (got ${s.clip})` };
  if (!integer(s.seed, 0, 0xffffffff)) {
    return { where: 'seed', message: `the seed must be an integer 0 to 4294967295 (got ${s.seed})` };
  }
  if (s.transferLayers !== null && !integer(s.transferLayers, 0, 1000)) {
    return { where: 'transferLayers', message: `transferred layers must be a whole number (got ${s.transferLayers})` };
  }
  if (s.init === 'scratch' && s.transferLayers !== null) {
    return { where: 'transferLayers', message: 'a run from scratch transfers no layers: choose a pretrained start' };
  }
  if (s.context !== null && !integer(s.context, 4, 1 << 16)) {
    return { where: 'context', message: `the context must be at least 4 tokens (got ${s.context})` };
  }
  return undefined;
}
