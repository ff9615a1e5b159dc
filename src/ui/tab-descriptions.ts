// What each tab is for, shown until its feature is built and as the tab's lead paragraph.
import type { TabId } from './store/ui-slice.ts';

export const TAB_DESCRIPTIONS: Record<TabId, string> = {
  pretrain: 'Drop a text corpus and pretrain a GPT-1 decoder on it, with live loss, samples and throughput.',
  classification: 'Fine-tune on single-text labels (SST-2, CoLA): <start> text <extract> → linear head.',
  entailment: 'Fine-tune on premise/hypothesis pairs (RTE, SNLI): <start> premise <delim> hypothesis <extract>.',
  similarity: 'Fine-tune on sentence pairs (MRPC, STS-B), summing both orderings before the head.',
  'multiple-choice': 'Fine-tune on context + choices (COPA, Story Cloze): one score per choice, softmax over choices.',
  attention: 'Inspect attention: a layers × heads grid, one head enlarged, and a token-to-token line view.',
  runs: 'Every run with its config, seed and curves; overlay and compare them.',
};
