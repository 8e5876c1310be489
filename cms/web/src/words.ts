// The sensitive-word lists as the control room's editor handles them: read from
// GET /api/v1/moderation/words, words added from what a moderator typed (one or many, split on
// new lines and commas, full-width ones included), removed, and checked against the hub's limits
// (core/service/word_lists.h) before PUT, so most mistakes are shown before a round trip. The hub
// checks again and answers words.invalid.

export type WordKind = 'block' | 'mask';

export interface WordList {
  name: string;
  kind: WordKind;
  words: string[];
  updatedAt: number;
  updatedBy: string;
}

export const MAX_LISTS = 16;
export const MAX_WORDS = 2000;
export const MAX_WORD_CHARS = 32;

// The hub's lists, whatever it sent (unknown kinds become mask, the milder one).
export function readWordLists(raw: unknown): WordList[] {
  const lists = raw && typeof raw === 'object' ? (raw as { lists?: unknown }).lists : null;
  if (!Array.isArray(lists)) return [];
  return lists.map((l) => {
    const o = (l ?? {}) as Record<string, unknown>;
    return {
      name: String(o.name ?? ''),
      kind: o.kind === 'block' ? 'block' : 'mask',
      words: Array.isArray(o.words) ? o.words.map(String) : [],
      updatedAt: Number(o.updated_at ?? 0),
      updatedBy: String(o.updated_by ?? ''),
    };
  });
}

// Characters as people count them (code points, like the hub).
export const charCount = (s: string) => Array.from(s).length;

// Why a word cannot be stored, or '' when it can: 'empty', 'tooLong', 'control'.
export function wordProblem(word: string): '' | 'empty' | 'tooLong' | 'control' {
  if (word.length === 0) return 'empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(word)) return 'control';
  if (charCount(word) > MAX_WORD_CHARS) return 'tooLong';
  return '';
}

// What a moderator typed into the add box: words split on new lines and commas (ASCII, full-width
// and ideographic), trimmed, empty pieces dropped.
export function splitInput(input: string): string[] {
  return input
    .split(/[\n\r,，、]/)
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
}

export interface AddResult {
  words: string[]; // the list's words after adding
  added: string[];
  rejected: { word: string; problem: 'tooLong' | 'control' | 'full' }[];
}

// Adds the typed words to `words` (kept once, in order), refusing those the hub would refuse.
export function addWords(words: string[], input: string): AddResult {
  const out = [...words];
  const have = new Set(out);
  const added: string[] = [];
  const rejected: AddResult['rejected'] = [];
  for (const w of splitInput(input)) {
    if (have.has(w)) continue;
    const p = wordProblem(w);
    if (p === 'tooLong' || p === 'control') {
      rejected.push({ word: w, problem: p });
      continue;
    }
    if (out.length >= MAX_WORDS) {
      rejected.push({ word: w, problem: 'full' });
      continue;
    }
    out.push(w);
    have.add(w);
    added.push(w);
  }
  return { words: out, added, rejected };
}

export function removeWord(words: string[], word: string): string[] {
  return words.filter((w) => w !== word);
}

// A new list's name from what was typed: lower case, a-z 0-9 _ -, at most 64; '' when nothing is left.
export function listName(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9_-]/g, '')
    .slice(0, 64);
}

// The first problem with the whole set, as an i18n key, or '' when it can be saved.
export function listsProblem(lists: WordList[]): '' | 'wordsTooManyLists' | 'wordsBadName' | 'wordsDuplicateName' | 'wordsTooManyWords' | 'wordsBadWord' {
  if (lists.length > MAX_LISTS) return 'wordsTooManyLists';
  const names = new Set<string>();
  for (const l of lists) {
    if (!/^[a-z0-9_-]{1,64}$/.test(l.name)) return 'wordsBadName';
    if (names.has(l.name)) return 'wordsDuplicateName';
    names.add(l.name);
    if (l.words.length > MAX_WORDS) return 'wordsTooManyWords';
    if (l.words.some((w) => wordProblem(w) !== '')) return 'wordsBadWord';
  }
  return '';
}

// The PUT body.
export function toPayload(lists: WordList[]): { lists: { name: string; kind: WordKind; words: string[] }[] } {
  return { lists: lists.map((l) => ({ name: l.name, kind: l.kind, words: [...l.words] })) };
}
