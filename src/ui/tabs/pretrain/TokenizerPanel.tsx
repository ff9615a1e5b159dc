// Tokenizer: character, BPE trained on the corpus (vocabulary size), GPT-1's own (from its files), or the
// imported model's (whose weights the run then starts from); the worker builds it and reports stats and a
// sample line cut into tokens.
import { useId } from 'react';
import { loadGpt1Files, prepareTokenizer } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { NumberField } from '../../components/NumberField.tsx';
import { formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { type TokenizerKind, tokenizerChoice } from '../../store/tokenizer-slice.ts';

const GPT1_NOTE =
  "the paper's 40,478-token BPE; this app does not ship its files, so choose them from your disk " +
  '(vocab.json + merges.txt, or encoder_bpe_40000.json + vocab_40000.bpe)';

const OPTIONS: { kind: TokenizerKind; label: string; note: string }[] = [
  { kind: 'char', label: 'Characters', note: 'one token per character; vocabulary = distinct characters' },
  { kind: 'bpe', label: 'BPE', note: 'byte-pair merges learned from this corpus' },
  { kind: 'gpt1', label: 'GPT-1', note: GPT1_NOTE },
  {
    kind: 'model',
    label: 'Imported model',
    note: 'the tokenizer and weights of the model imported on a task tab ("Imported checkpoint"): pre-train it further on this corpus',
  },
];

/** Shows whitespace so token boundaries read clearly. */
export function visiblePiece(piece: string): string {
  return piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→') || '∅';
}

export function TokenizerPanel() {
  const tokenizer = useAppStore((s) => s.tokenizer);
  const corpusReady = useAppStore((s) => s.corpus.status === 'ready');
  const setKind = useAppStore((s) => s.setTokenizerKind);
  const setBpeVocab = useAppStore((s) => s.setBpeVocab);
  const imported = useAppStore((s) => s.imported.info?.name);
  const errors = useFieldErrors('tokenizer');
  const id = useId();
  const vocabChoice = tokenizerChoice('bpe', tokenizer.bpeVocab);
  const vocabProblem = tokenizer.kind === 'bpe' && typeof vocabChoice === 'string' ? vocabChoice : undefined;

  const choose = (kind: TokenizerKind) => {
    setKind(kind);
    prepareTokenizer();
  };

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>2 · Tokenizer</h3>
      <fieldset className="radio-group" aria-describedby={`${id}-errors`}>
        <legend className="visually-hidden">Tokenizer</legend>
        {OPTIONS.map((o) => (
          <label key={o.kind} className="radio">
            <input
              type="radio"
              name={`${id}-kind`}
              value={o.kind}
              checked={tokenizer.kind === o.kind}
              disabled={o.kind === 'model' && imported === undefined}
              onChange={() => choose(o.kind)}
              aria-describedby={`${id}-${o.kind}-note`}
            />
            <span className="radio-label">{o.label}</span>
            <span id={`${id}-${o.kind}-note`} className="hint">
              {o.kind === 'model' && imported !== undefined ? `${imported}: ${o.note}` : o.note}
            </span>
          </label>
        ))}
      </fieldset>
      {tokenizer.kind === 'bpe' && (
        <NumberField
          label="Vocabulary size"
          value={tokenizer.bpeVocab}
          onChange={setBpeVocab}
          problem={vocabProblem}
          hint="260 to 65,536; applied when you leave the field or press Enter"
          onCommit={() => {
            if (!vocabProblem) prepareTokenizer();
          }}
        />
      )}
      {tokenizer.kind === 'gpt1' && (
        <div className="field">
          <label htmlFor={`${id}-gpt1`}>GPT-1 tokenizer files</label>
          <input
            id={`${id}-gpt1`}
            type="file"
            multiple
            accept=".json,.txt,.bpe"
            aria-describedby={`${id}-gpt1-hint`}
            onChange={(e) => void loadGpt1Files(e.target.files)}
          />
          <span id={`${id}-gpt1-hint`} className="hint">
            {tokenizer.gpt1Files?.length
              ? `loaded: ${tokenizer.gpt1Files.map((f) => f.name).join(', ')}`
              : 'both files at once; they stay on this machine'}
          </span>
        </div>
      )}
      <FieldErrors id={`${id}-errors`} errors={errors} />
      <div aria-live="polite" className="status-line">
        {!corpusReady && <p className="hint">Load a corpus to build the tokenizer.</p>}
        {tokenizer.status === 'building' && (
          <p>
            Building the tokenizer…{' '}
            {tokenizer.progress && (
              <progress
                aria-label="Tokenizer progress"
                value={tokenizer.progress.done}
                max={Math.max(1, tokenizer.progress.total)}
              />
            )}
          </p>
        )}
      </div>
      {tokenizer.status === 'ready' && tokenizer.stats && (
        <>
          <dl className="facts stats" aria-label="Tokenizer statistics">
            <dt>Vocabulary</dt>
            <dd data-value={tokenizer.stats.vocabSize}>{formatInteger(tokenizer.stats.vocabSize)}</dd>
            <dt>Corpus tokens</dt>
            <dd data-value={tokenizer.stats.tokens}>{formatInteger(tokenizer.stats.tokens)}</dd>
            <dt>Characters / token</dt>
            <dd data-value={tokenizer.stats.charsPerToken}>{tokenizer.stats.charsPerToken.toFixed(2)}</dd>
          </dl>
          <p className="token-sample">
            <span className="visually-hidden">Sample line in {tokenizer.stats.sample.pieces.length} tokens: </span>
            {tokenizer.stats.sample.pieces.map((piece, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: pieces repeat; their position is their identity.
              <span key={i} className={`token t${i % 4}`}>
                {visiblePiece(piece)}
              </span>
            ))}
          </p>
        </>
      )}
    </section>
  );
}
