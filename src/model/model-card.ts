// README.md model card for an exported Hugging Face folder: YAML front matter the Hub reads (library, pipeline,
// license, tags, datasets, base model) and a text body: what was trained, on what, how far, and how to load it.
import type { Gpt1Config } from './config.ts';
import { architectureFor } from './hf-config.ts';
import type { HeadSpec } from './params.ts';
import { parameterCount, parameterTable } from './params.ts';

export interface ModelCardInfo {
  config: Gpt1Config;
  heads?: HeadSpec;
  /** Title; defaults to "GPT-1 (gpt1-lab)". */
  name?: string;
  /** SPDX id; defaults to "mit" (the license of OpenAI's GPT-1 release). */
  license?: string;
  language?: string[];
  /** Hub id of the model this was fine-tuned from, e.g. "openai-community/openai-gpt". */
  baseModel?: string;
  datasets?: string[];
  tags?: string[];
  /** What the model was pretrained on, in words. */
  corpus?: string;
  /** The fine-tuning task, in words. */
  task?: string;
  /** The task head, in words. */
  head?: string;
  /** How an example becomes token sequences (the fine-tuning input transformation), in words. */
  inputTransformation?: string;
  labels?: readonly string[];
  steps?: number;
  tokensSeen?: number;
  finalLoss?: number;
  /** Evaluation results, e.g. { accuracy: 0.81 }. */
  metrics?: Record<string, number>;
  /** Which tokenizer path produced the ids (e.g. the BERT-style fast path of OpenAIGPTTokenizer). */
  tokenizer?: string;
  /** Extra limitations, one per entry. */
  limitations?: string[];
}

const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar

function yamlList(key: string, items: readonly string[] | undefined): string[] {
  return items?.length ? [`${key}:`, ...items.map((i) => `- ${yamlString(i)}`)] : [];
}

function pipelineTag(heads: HeadSpec): string {
  if (heads.multipleChoice) return 'multiple-choice';
  if (heads.classifierLabels) return 'text-classification';
  return 'text-generation';
}

/** The README.md text (YAML front matter + markdown). */
export function modelCard(info: ModelCardInfo): string {
  const heads = info.heads ?? {};
  const c = info.config;
  const arch = architectureFor(heads);
  const front = [
    '---',
    'library_name: transformers',
    `pipeline_tag: ${pipelineTag(heads)}`,
    `license: ${yamlString(info.license ?? 'mit')}`,
    ...yamlList('language', info.language ?? ['en']),
    ...yamlList('tags', ['gpt1-lab', 'openai-gpt', 'gpt-1', ...(info.tags ?? [])]),
    ...(info.baseModel ? [`base_model: ${yamlString(info.baseModel)}`] : []),
    ...yamlList('datasets', info.datasets),
    '---',
  ];
  const count = parameterCount(parameterTable(c, heads));
  const facts: [string, string | undefined][] = [
    ['Architecture', `${arch} (GPT-1: post-LN decoder, tanh GELU, learned positions, tied output layer)`],
    [
      'Size',
      `${c.nLayer} layers × ${c.nEmbd} dims, ${c.nHead} heads, context ${c.nPositions}, vocabulary ${c.vocabSize}`,
    ],
    ['Parameters', count.toLocaleString('en-US')],
    ['Base model', info.baseModel],
    ['Pre-training corpus', info.corpus],
    ['Fine-tuning task', info.task],
    ['Head', info.head],
    ['Input transformation', info.inputTransformation],
    ['Labels', info.labels?.join(', ')],
    ['Steps', info.steps?.toLocaleString('en-US')],
    ['Tokens seen', info.tokensSeen?.toLocaleString('en-US')],
    ['Final training loss', info.finalLoss?.toFixed(4)],
    ...Object.entries(info.metrics ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ['Tokenizer', info.tokenizer],
  ];
  const rows = facts.filter((f): f is [string, string] => f[1] !== undefined);
  const loader = heads.multipleChoice
    ? 'OpenAIGPTDoubleHeadsModel'
    : heads.classifierLabels
      ? 'OpenAIGPTForSequenceClassification'
      : 'OpenAIGPTLMHeadModel';
  const body = [
    `# ${info.name ?? 'GPT-1 (gpt1-lab)'}`,
    '',
    'Trained in the browser with gpt1-lab on WebGPU, and exported in the Hugging Face',
    '`openai-gpt` layout: `config.json`, `model.safetensors` (float32), and the tokenizer files.',
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v.replaceAll('|', '\\|')} |`),
    '',
    '## Use',
    '',
    '```python',
    `from transformers import AutoTokenizer, ${loader}`,
    '',
    'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")',
    `model = ${loader}.from_pretrained("path/to/this/folder")`,
    '```',
    '',
    'Training can continue on GPUs with transformers + Accelerate or torchrun: the weights load unchanged.',
    '',
    '## Limitations',
    '',
    '- A small model trained briefly on the data above: it reflects that data, its biases and its gaps, and it',
    '  is not suitable for decisions about people or for factual answers.',
    '- Token ids follow the fast tokenizer path (BERT-style basic splitting, lower-casing, accent stripping, BPE);',
    "  OpenAI's original path (ftfy + spaCy) can split some texts differently.",
    ...(info.limitations ?? []).map((l) => `- ${l}`),
    '',
  ];
  return [...front, '', ...body].join('\n');
}
