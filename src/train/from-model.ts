// A pre-training run that starts from an imported model (pre-training it further on a new corpus, the paper's
// recipe with the model's own tokenizer): the model's config as trained (its vocabulary and positions), the
// run's dropout, and the model's body weights (a head it may carry is left out). The run's shape must be the
// model's; the form shows it, and a settings message names what differs. The app's "Imported model" tokenizer
// and the CLI's `pretrain --init` both start this way.
import type { Gpt1Config } from '../model/config.ts';
import { parameterTable } from '../model/params.ts';
import type { ParamValues } from '../model/weights.ts';
import type { PretrainedModel } from './finetune-prepare.ts';
import type { PretrainSettings } from './settings/pretrain-settings.ts';

const SHAPE = ['nLayer', 'nEmbd', 'nHead', 'nInner'] as const;

/** What in `settings` differs from the model's shape, or undefined when the run can start from it. */
export function shapeMismatch(settings: PretrainSettings, model: PretrainedModel): string | undefined {
  const differ = SHAPE.filter((key) => settings.config[key] !== model.config[key]);
  const problems = differ.map((key) => `${key} ${settings.config[key]} (the model's: ${model.config[key]})`);
  if (settings.T > model.config.nPositions) {
    problems.push(`context ${settings.T} (the model has ${model.config.nPositions} positions)`);
  }
  if (!problems.length) return undefined;
  return `The run starts from ${model.name ?? 'the imported model'}, whose shape is fixed: ${problems.join(', ')}.`;
}

/** The config the run trains: the model's, with the run's dropout. */
export function configFromModel(settings: PretrainSettings, model: PretrainedModel): Gpt1Config {
  const { embdPdrop, attnPdrop, residPdrop } = settings.config;
  return { ...model.config, embdPdrop, attnPdrop, residPdrop };
}

/**
 * The model's body weights, shared rather than copied: a run only uploads them (it trains its GPU copy), so the
 * imported model stays as it was and a GPT-1-size model is not held twice on its way to the GPU.
 */
export function bodyWeights(model: PretrainedModel): ParamValues {
  const body = new Set(parameterTable(model.config).map((spec) => spec.name));
  const weights: ParamValues = new Map();
  for (const [name, values] of model.params) if (body.has(name)) weights.set(name, values as Float32Array<ArrayBuffer>);
  return weights;
}
