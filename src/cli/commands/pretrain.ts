// `pretrain --corpus FILE --preset tiny|small|gpt1 [...]`: pre-trains on a text file, evaluates on its
// held-out tail, and with `--out DIR` saves checkpoints as DIR/checkpoint-<step> folders (each also a Hugging
// Face openai-gpt folder): at the end, and every N steps with --save-every. `--resume DIR` continues a run
// from its latest checkpoint, bit for bit as if it had never stopped. `--init DIR` pre-trains a model further
// on a new corpus (domain adaptation: an imported GPT-1 on your own text) with its own size and tokenizer, a
// fresh optimizer and schedule. Defaults and bounds are the
// pre-training schema's (src/train/settings), the same as the app's; everything is checked before the GPU.
import { basename } from 'node:path';
import { readCorpus } from '../../data/corpus.ts';
import { splitTrainVal } from '../../data/lm-batches.ts';
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { type Gpt1Config, PRESETS, type PresetName, validateConfig } from '../../model/config.ts';
import { initParams, type ParamValues } from '../../model/weights.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import { type Checkpoint, readCheckpoint, writeCheckpoint } from '../../train/checkpoint.ts';
import { bodyWeights } from '../../train/from-model.ts';
import { LmTrainer, type LmTrainerOptions, planTraining, type StepResult } from '../../train/lm-trainer.ts';
import { resumedPretrainOptions } from '../../train/pretrain-resume.ts';
import { parseProbeFile } from '../../train/probes/probe-files.ts';
import { builtinProbeSets, type ProbeSet } from '../../train/probes/probe-sets.ts';
import { SequenceScorer } from '../../train/probes/sequence-scorer.ts';
import { type ProbePoint, runProbes } from '../../train/probes/zero-shot.ts';
import {
  DEFAULT_SEED,
  PRETRAIN_DEFAULTS,
  PRETRAIN_FIELDS,
  type PretrainSettings,
  pretrainRecipe,
  pretrainSettingsProblem,
} from '../../train/settings/pretrain-settings.ts';
import { RECIPE_DEFAULTS } from '../../train/settings/recipe-fields.ts';
import { StepDriver } from '../../train/step-driver.ts';
import { fieldOption, type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from '../args.ts';
import {
  CheckpointWriter,
  failOnDeviceLoss,
  inFolder,
  loadCheckpointFolder,
  prepareOutDir,
  runFolderOf,
  SAVE_EVERY_FIELD,
} from '../checkpoint-folders.ts';
import { loadPretrained } from '../finetune-options.ts';
import { readInputFile } from '../input-files.ts';
import { installTuner, tuneOptions } from '../kernel-tuning.ts';
import { progress } from '../progress.ts';
import { tokenizerFromOption } from '../tokenizer-option.ts';

const { tiny } = PRETRAIN_DEFAULTS;
export const pretrainOptions = {
  ...tuneOptions,
  corpus: { type: 'string', help: 'UTF-8 text file to pretrain on', required: true },
  preset: { type: 'string', help: 'tiny | small | gpt1 (default tiny)' },
  tokenizer: { type: 'string', help: 'char | bpe:N | gpt1:DIR (default char)' },
  steps: fieldOption(PRETRAIN_FIELDS.steps, `the preset's, tiny ${tiny.steps}`),
  batch: fieldOption(PRETRAIN_FIELDS.B, `the preset's, tiny ${tiny.B}`),
  context: fieldOption(PRETRAIN_FIELDS.T, "the preset's positions"),
  lr: fieldOption(PRETRAIN_FIELDS.lr, `the preset's, tiny ${tiny.lr}`),
  seed: fieldOption(PRETRAIN_FIELDS.seed, String(DEFAULT_SEED)),
  'eval-every': fieldOption(PRETRAIN_FIELDS.evalEvery, `the preset's, tiny ${tiny.evalEvery}`),
  accumulation: fieldOption(PRETRAIN_FIELDS.accumulation, String(RECIPE_DEFAULTS.accumulation)),
  warmup: fieldOption(PRETRAIN_FIELDS.warmupSteps, '1% of the steps'),
  'min-lr': fieldOption(PRETRAIN_FIELDS.minLr, String(RECIPE_DEFAULTS.minLr)),
  dropout: fieldOption(PRETRAIN_FIELDS.dropout, `the preset's, ${RECIPE_DEFAULTS.dropout}`),
  'weight-decay': fieldOption(PRETRAIN_FIELDS.weightDecay, String(RECIPE_DEFAULTS.weightDecay)),
  probes: {
    type: 'string',
    help: 'zero-shot probe sets, comma-separated: files (SST-2/CoLA TSV, COPA JSONL, Story Cloze CSV, Winograd JSONL) or "builtin"',
  },
  'probe-every': fieldOption(PRETRAIN_FIELDS.probeEvery, 'with --probes: at the start and the end only'),
  out: { type: 'string', help: 'run folder: each checkpoint is written as a sub-folder checkpoint-<step>' },
  'save-every': fieldOption(SAVE_EVERY_FIELD, 'only at the end'),
  resume: {
    type: 'string',
    help: 'continue a run: its folder (the latest checkpoint) or one checkpoint-<step> folder',
  },
  init: {
    type: 'string',
    help: 'pre-train this model further (a checkpoint folder: ours, or Hugging Face openai-gpt) with its own tokenizer',
  },
} satisfies OptionSpecs;

type PretrainArgs = ParsedOptions<typeof pretrainOptions>;

/** The probe sets named by --probes: files, or "builtin" for the app's own. */
function readProbeSets(list: string): ProbeSet[] {
  return list.split(',').flatMap((entry) => {
    const path = entry.trim();
    if (path === 'builtin') return builtinProbeSets();
    const bytes = readInputFile(path, '--probes');
    try {
      return [parseProbeFile(basename(path), bytes)];
    } catch (error) {
      throw new UsageError(`--probes ${path}: ${(error as Error).message}`);
    }
  });
}

/** What a resumed run takes from its checkpoint, and so may not be given again. */
const FIXED_BY_CHECKPOINT = [
  'preset',
  'tokenizer',
  'steps',
  'batch',
  'context',
  'lr',
  'seed',
  'warmup',
  'min-lr',
  'dropout',
  'weight-decay',
] as const;
/** What a run started from a model (--init) takes from it. */
const FIXED_BY_MODEL = ['preset', 'tokenizer'] as const;

/** The model, tokenizer, trainer options and evaluation interval of the run, checked before the GPU. */
interface RunPlan {
  name: string;
  tokenizer: Tokenizer;
  options: LmTrainerOptions;
  steps: number;
  evalEvery: number;
  /** The checkpoint to continue, if resuming. */
  resume?: Checkpoint;
  /** The weights to start from (--init), if not random. */
  initial?: ParamValues;
}

function parsePreset(name: string | undefined): PresetName {
  const preset = name ?? 'tiny';
  if (!(preset in PRESETS)) throw new UsageError(`--preset must be tiny, small or gpt1, not "${name}"`);
  return preset as PresetName;
}

/** The recipe options given (absent ones stay absent: today's recipe). */
function recipeOptions(o: PretrainArgs): Partial<PretrainSettings> {
  const given = {
    accumulation: o.accumulation,
    warmupSteps: o.warmup,
    minLr: o['min-lr'],
    weightDecay: o['weight-decay'],
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** The run's settings from the options, over a preset's defaults, checked before any GPU work. */
function runSettings(
  o: PretrainArgs,
  preset: PresetName,
  config: Gpt1Config,
  T: number,
  vocabSize: number,
  where = '',
) {
  const defaults = PRETRAIN_DEFAULTS[preset];
  const settings = {
    preset,
    config,
    B: o.batch ?? defaults.B,
    T,
    steps: o.steps ?? defaults.steps,
    lr: o.lr ?? defaults.lr,
    seed: o.seed ?? DEFAULT_SEED,
    evalEvery: o['eval-every'] ?? defaults.evalEvery,
    sampleEvery: 0,
    samplePrompt: '',
    ...recipeOptions(o),
  };
  const problem = pretrainSettingsProblem(settings, vocabSize);
  if (problem) throw new UsageError(`${where}${problem.message}`);
  const trainer: LmTrainerOptions = { config, B: settings.B, T, seed: settings.seed, ...pretrainRecipe(settings) };
  return { trainer, steps: settings.steps, evalEvery: settings.evalEvery };
}

/** Dropout from --dropout, when given, on embeddings, attention and residuals alike. */
function withDropout(config: Gpt1Config, dropout: number | undefined): Gpt1Config {
  return dropout === undefined ? config : { ...config, embdPdrop: dropout, attnPdrop: dropout, residPdrop: dropout };
}

async function newRun(o: PretrainArgs, corpusText: string): Promise<RunPlan> {
  const presetName = parsePreset(o.preset);
  const preset = PRESETS[presetName];
  const tokenizer = await tokenizerFromOption(o.tokenizer ?? 'char', corpusText);
  const T = o.context ?? preset.nPositions;
  const config = validateConfig(
    withDropout({ ...preset, vocabSize: tokenizer.vocabSize, nPositions: Math.max(T, preset.nPositions) }, o.dropout),
  );
  const { trainer: options, steps, evalEvery } = runSettings(o, presetName, config, T, tokenizer.vocabSize);
  return { name: presetName, tokenizer, options, steps, evalEvery };
}

/** The preset whose defaults (batch, learning rate, steps) suit a model: its own shape, else the nearest. */
function presetForShape(config: Gpt1Config): PresetName {
  const same = (Object.keys(PRESETS) as PresetName[]).find(
    (name) => PRESETS[name].nLayer === config.nLayer && PRESETS[name].nEmbd === config.nEmbd,
  );
  return same ?? (config.nEmbd >= PRESETS.gpt1.nEmbd ? 'gpt1' : config.nEmbd >= PRESETS.small.nEmbd ? 'small' : 'tiny');
}

/** A run that starts from a model's weights and tokenizer (its heads, if any, are left out). */
async function initialisedRun(o: PretrainArgs, dir: string): Promise<RunPlan> {
  const given = FIXED_BY_MODEL.filter((key) => o[key] !== undefined);
  if (given.length) {
    const list = given.map((key) => `--${key}`).join(', ');
    throw new UsageError(`${list}: a model given with --init keeps its own size and tokenizer; drop them`);
  }
  const model = await loadPretrained(dir);
  const config = withDropout(model.config, o.dropout);
  const tokenizer = 'toJSON' in model.tokenizer ? model.tokenizer : tokenizerFromJSON(model.tokenizer);
  const T = o.context ?? config.nPositions;
  const run = runSettings(o, presetForShape(config), config, T, tokenizer.vocabSize, `--init ${dir}: `);
  return {
    name: model.name ?? basename(dir),
    tokenizer,
    options: run.trainer,
    steps: run.steps,
    evalEvery: run.evalEvery,
    initial: bodyWeights(model),
  };
}

async function resumedRun(o: PretrainArgs, path: string, files: Map<string, Uint8Array>): Promise<RunPlan> {
  const given = FIXED_BY_CHECKPOINT.filter((key) => o[key] !== undefined);
  if (given.length) {
    const list = given.map((key) => `--${key}`).join(', ');
    throw new UsageError(`${list}: a resumed run continues with its checkpoint's settings; drop them`);
  }
  const ckpt = await inFolder(path, () => readCheckpoint(files));
  const { state } = ckpt;
  if (state.kind !== 'pretrain') {
    throw new UsageError(`${path} is a fine-tuning checkpoint: continue it with finetune --resume`);
  }
  const accumulation = o.accumulation;
  const options = {
    ...resumedPretrainOptions(ckpt),
    ...(accumulation === undefined ? {} : { accumulation }),
  };
  const evalEvery = o['eval-every'] ?? 0;
  const name = `resumed at step ${state.step}`;
  return {
    name,
    tokenizer: tokenizerFromJSON(state.tokenizer),
    options,
    steps: state.schedule.totalSteps,
    evalEvery,
    resume: ckpt,
  };
}

export async function pretrainCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, pretrainOptions);
  const saveEvery = o['save-every'] ?? 0;
  if (o.init && o.resume) {
    throw new UsageError('--init starts a new run from a model, --resume continues a run: give one of them');
  }
  if (saveEvery && !o.out && !o.resume) throw new UsageError('--save-every needs --out DIR (where the checkpoints go)');
  const from = o.resume ? await loadCheckpointFolder(o.resume) : undefined;
  const out = o.out ?? (from ? runFolderOf(from.path) : undefined);
  if (out) await prepareOutDir(out, from !== undefined && out === runFolderOf(from.path));
  const corpus = readCorpus(o.corpus!, readInputFile(o.corpus!, '--corpus'));
  const probeSets = o.probes ? readProbeSets(o.probes) : [];
  const probeEvery = o['probe-every'] ?? 0;
  if (probeEvery && !probeSets.length) throw new UsageError('--probe-every needs --probes (the sets to score)');
  progress(`corpus ${corpus.name}: ${corpus.chars} characters, ${corpus.lines} lines`);
  const run = from
    ? await resumedRun(o, from.path, from.files)
    : o.init
      ? await initialisedRun(o, o.init)
      : await newRun(o, corpus.text);
  const { tokenizer, options, steps, evalEvery } = run;
  const { config, B, T } = options;
  const ids = Uint32Array.from(tokenizer.encode(corpus.text));
  const split = splitTrainVal(ids, T);
  progress(
    `tokenizer ${tokenizer.kind}: ${tokenizer.vocabSize} tokens; ${ids.length} tokens (${split.train.length} train, ${split.val.length} validation)`,
  );
  const { plan, needs } = planTraining(options);
  progress(
    `model ${run.name}: ${config.nLayer} x ${config.nEmbd}, batch ${B} x ${T}; GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `pretraining ${run.name}` });
  installTuner(ctx, o);
  const trainer = await LmTrainer.create(
    ctx,
    options,
    split,
    run.resume?.params ?? run.initial ?? initParams(config, options.seed),
  );
  const checkpoints = await CheckpointWriter.open(out);
  const scorer = probeSets.length
    ? await SequenceScorer.create(
        ctx,
        config,
        { shared: { program: trainer.program, params: trainer.model.params } },
        8,
        T,
      )
    : undefined;
  const probeRounds: ProbePoint[] = [];
  const probe = async (step: number) => {
    if (!scorer) return;
    const started = performance.now();
    const results = await runProbes(probeSets, tokenizer, (sequences) => scorer.score(sequences));
    probeRounds.push({ step, results });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const line = results
      .map((r) => `${r.name} ${r.metric} ${r.value.toFixed(3)} (${r.normalized.toFixed(2)})`)
      .join(', ');
    progress(`step ${step}: probes ${line}; ${seconds} s`);
  };
  let stopListening = () => {};
  try {
    if (run.resume) trainer.restoreCheckpoint(run.resume);
    const initialValLoss = await trainer.evaluate();
    progress(`step ${trainer.step}: val loss ${initialValLoss.toFixed(4)}`);
    await probe(trainer.step);
    const start = performance.now();
    let last: StepResult | undefined;
    let finalValLoss = Number.NaN;
    const save = (step: number) =>
      checkpoints.save(step, async () => {
        const notes: Record<string, string | number> = { corpus: corpus.name, ...(o.init ? { init: o.init } : {}) };
        // The end's checkpoint also records the validation losses (its model card shows the last).
        if (step === steps) Object.assign(notes, { finalValLoss, initialValLoss });
        return writeCheckpoint(await trainer.checkpoint(tokenizer.toJSON(), notes));
      });
    const driver = new StepDriver(trainer, {
      totalSteps: steps,
      point: (r: StepResult) => r,
      report: (points) => {
        for (const r of points) {
          if (r.step % 10 !== 0 && r.step !== steps) continue;
          const seconds = (performance.now() - start) / 1000;
          const tokensPerSecond = (r.tokens - (run.resume?.state.tokens ?? 0)) / seconds;
          progress(
            `step ${r.step}: loss ${r.loss.toFixed(4)}, grad norm ${r.gradNorm.toFixed(3)}, lr ${r.lr.toExponential(2)}, ${tokensPerSecond.toFixed(0)} tokens/s`,
          );
        }
        last = points.at(-1) ?? last;
      },
      work: [
        {
          // Validation every N steps and always at the end.
          due: (step, end) => end || (evalEvery > 0 && step % evalEvery === 0),
          run: async (step) => {
            const valLoss = await trainer.evaluate();
            if (step === steps) finalValLoss = valLoss;
            progress(`step ${step}: val loss ${valLoss.toFixed(4)}`);
          },
        },
        {
          // Probes every N steps and at the end (the start's round ran before the first step).
          due: (step, end) => scorer !== undefined && (end || (probeEvery > 0 && step % probeEvery === 0)),
          run: probe,
        },
        { due: (step, end) => end || (saveEvery > 0 && step % saveEvery === 0), run: save },
      ],
    });
    stopListening = failOnDeviceLoss(ctx, (message) => driver.fail(message));
    try {
      await driver.run();
    } catch (error) {
      throw checkpoints.failure(error);
    }
    const seconds = (performance.now() - start) / 1000;
    const tokens = (last?.tokens ?? 0) - (run.resume?.state.tokens ?? 0);
    return {
      steps,
      tokens: last?.tokens ?? 0,
      initialValLoss,
      finalValLoss,
      finalTrainLoss: last?.loss ?? Number.NaN,
      tokensPerSecond: tokens / seconds,
      plannedBytes: plan.totalBytes,
      adapter: ctx.adapter.name,
      ...(out ? { out } : {}),
      ...(probeRounds.length ? { probes: probeRounds } : {}),
    };
  } finally {
    stopListening();
    scorer?.destroy();
    trainer.destroy();
    ctx.destroy();
  }
}
