// The Pretrain tab's data: the corpus (a dropped file or the built-in demo) and the tokenizer prepared for
// it (characters, a BPE trained on it, GPT-1's from its files, or an imported model's own), with progress while
// a BPE trains. A new
// corpus or tokenizer supersedes one still being prepared. A bad file is refused with an 'error' naming it,
// and the previous corpus stays.
import { type Corpus, readCorpus } from '../../data/corpus.ts';
import { DEMO_CORPUS_NAME, demoCorpusBytes } from '../../data/demo-corpus.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import type { PretrainedModel } from '../../train/finetune-prepare.ts';
import type { CorpusStats, EmitFn, PretrainTokenizerChoice } from '../protocol.ts';
import { type PreparedTokenizer, prepareTokenizer, tokenizerStats } from './tokenizer-prep.ts';

const PREVIEW_CHARS = 2000;
/** Tokenizer progress events at most this often. */
const PROGRESS_MS = 50;

export function corpusStats(corpus: Corpus): CorpusStats {
  return {
    name: corpus.name,
    bytes: corpus.bytes,
    chars: corpus.chars,
    lines: corpus.lines,
    distinctChars: corpus.distinctChars,
    preview: [...corpus.text.slice(0, PREVIEW_CHARS * 2)].slice(0, PREVIEW_CHARS).join(''),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CorpusCommands {
  private loaded: Corpus | undefined;
  private tokenizer: PreparedTokenizer | undefined;
  private abort: AbortController | undefined;

  constructor(
    private readonly emit: EmitFn,
    /** The imported model (for the tokenizer choice 'model'), if any. */
    private readonly importedModel: () => PretrainedModel | undefined = () => undefined,
  ) {}

  get corpus(): Corpus | undefined {
    return this.loaded;
  }

  /** The tokenizer prepared for the current corpus, with the corpus encoded. */
  get prepared(): PreparedTokenizer | undefined {
    return this.tokenizer;
  }

  private fail(where: string, error: unknown): void {
    this.emit({ type: 'error', where, message: messageOf(error) });
  }

  load(name: string, bytes: Uint8Array): void {
    try {
      this.use(readCorpus(name, bytes));
    } catch (error) {
      this.fail(name, error);
    }
  }

  loadDemo(): void {
    this.load(DEMO_CORPUS_NAME, demoCorpusBytes());
  }

  private use(corpus: Corpus): void {
    this.abort?.abort();
    this.loaded = corpus;
    this.tokenizer = undefined;
    this.emit({ type: 'corpus-loaded', stats: corpusStats(corpus) });
  }

  async prepareTokenizer(choice: PretrainTokenizerChoice, files?: { name: string; text: string }[]): Promise<void> {
    const corpus = this.loaded;
    if (!corpus) {
      this.fail('tokenizer', new Error('Load a corpus first: the tokenizer is built from it.'));
      return;
    }
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    let lastProgress = 0;
    const onProgress = (done: number, total: number) => {
      const now = performance.now();
      if (done < total && now - lastProgress < PROGRESS_MS) return;
      lastProgress = now;
      this.emit({ type: 'tokenizer-progress', done, total });
    };
    try {
      const model = this.importedModel();
      const prepared = await prepareTokenizer(choice, corpus, { files, model, onProgress, signal: abort.signal });
      if (abort.signal.aborted || this.loaded !== corpus) return; // superseded
      this.tokenizer = prepared;
      this.emit({ type: 'tokenizer-ready', stats: prepared.stats });
    } catch (error) {
      if (abort.signal.aborted) return;
      this.fail('tokenizer', error);
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  /** A resumed run's corpus and tokenizer become the tab's, so the UI shows what it trains on. */
  adopt(corpus: { name: string; text: string }, tokenizer: Tokenizer, ids: Uint32Array): void {
    const read = readCorpus(corpus.name, new TextEncoder().encode(corpus.text));
    this.use(read);
    this.tokenizer = { tokenizer, ids, stats: tokenizerStats(tokenizer, read.text, ids, read.chars) };
    this.emit({ type: 'tokenizer-ready', stats: this.tokenizer.stats });
  }

  /** Stops a tokenizer being prepared. */
  dispose(): void {
    this.abort?.abort();
  }
}
