// BERT's BasicTokenizer, the text rules of GPT-1's "fast path" (what Hugging Face's tokenizer.json encodes):
// drop NUL, U+FFFD and control characters, map whitespace to a space, put spaces around CJK ideographs,
// lower-case, strip accents (NFD, drop Mn), split off every punctuation character, split on whitespace.
//
// "Control" follows Hugging Face, whose ids we match: both its Python BasicTokenizer (`cat.startswith("C")`)
// and its Rust BertNormalizer (`char::is_other`) drop every character of category C (Cc, Cf, Cs, Co, Cn),
// not only Google BERT's Cc and Cf. So private-use characters, although GPT-1's vocabulary has 25 of
// them, are dropped, as AutoTokenizer drops them.
//
// JS Unicode property escapes stand in for Python's unicodedata. Compared over all 1,114,112 code points
// (Node 22: Unicode 17; Python 3.11: Unicode 14), \p{P}, \p{Mn}, \p{C}, \p{Cc}, \p{Cf} and \p{Zs} agree with
// Python's categories on every code point assigned in both versions; they differ only on code points
// that Unicode 14 leaves unassigned.

/** Characters dropped: category C except \t \n \r (whitespace), and U+FFFD. C includes NUL and lone surrogates. */
const DROPPED = /[^\P{C}\t\n\r]|\uFFFD/gu;
/** Whitespace: \t \n \r and Zs, plus the line/paragraph separators that Python's str.split() splits on. */
const WHITESPACE = /[\t\n\r\p{Zs}\u2028\u2029]/gu;
/** BERT's _is_chinese_char ranges (CJK Unified Ideographs and extensions, compatibility ideographs). */
const CJK =
  /[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/gu;
const COMBINING_MARK = /\p{Mn}/gu;
/**
 * One punctuation character (BERT's _is_punctuation: category P*, or ASCII 33-47, 58-64, 91-96, 123-126,
 * whose non-P members are $ + < = > ^ ` | ~), or a run of anything that is neither punctuation nor space.
 */
const WORD_OR_PUNCT = /[\p{P}$+<=>^`|~]|[^\s\p{P}$+<=>^`|~]+/gu;

/** Clean-up, CJK spacing, lower-casing and accent stripping (everything before the split). */
export function bertNormalize(text: string): string {
  return text
    .replace(DROPPED, '')
    .replace(WHITESPACE, ' ')
    .replace(CJK, ' $& ')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARK, '');
}

/** The words of `text` after BERT basic tokenization (each punctuation character is its own word). */
export function bertBasicSplit(text: string): string[] {
  return bertNormalize(text).match(WORD_OR_PUNCT) ?? [];
}
