// The word-list editor's logic: reading the hub's lists, adding typed words (split, trimmed,
// kept once, refused when the hub would refuse them), removing, naming and checking before save.
import { describe, expect, it } from 'vitest';
import { addWords, listName, listsProblem, MAX_WORDS, readWordLists, removeWord, splitInput, toPayload, wordProblem } from '../src/words';

describe('reading', () => {
  it('reads the hub lists and survives junk', () => {
    const [l] = readWordLists({ lists: [{ name: 'politics', kind: 'block', words: ['禁词'], updated_at: 5, updated_by: 'mod-a' }] });
    expect(l).toEqual({ name: 'politics', kind: 'block', words: ['禁词'], updatedAt: 5, updatedBy: 'mod-a' });
    expect(readWordLists(null)).toEqual([]);
    expect(readWordLists({ lists: [{ name: 'x', kind: 'shout' }] })[0]).toMatchObject({ kind: 'mask', words: [] });
  });
});

describe('adding and removing', () => {
  it('splits on new lines and commas of every width', () => {
    expect(splitInput(' 禁词，敏感、bad, worse\n\n  ')).toEqual(['禁词', '敏感', 'bad', 'worse']);
  });
  it('keeps each word once and refuses what the hub refuses', () => {
    const long = 'x'.repeat(33);
    const r = addWords(['a'], `a,b,b,${long},c\u0007d`);
    expect(r.words).toEqual(['a', 'b']);
    expect(r.added).toEqual(['b']);
    expect(r.rejected).toEqual([
      { word: long, problem: 'tooLong' },
      { word: 'c\u0007d', problem: 'control' },
    ]);
    // 32 Chinese characters fit: the limit counts characters, not bytes.
    expect(wordProblem('字'.repeat(32))).toBe('');
    expect(wordProblem('字'.repeat(33))).toBe('tooLong');
    expect(wordProblem('')).toBe('empty');
  });
  it('stops at the limit of words a list', () => {
    const full = Array.from({ length: MAX_WORDS }, (_, i) => `w${i}`);
    const r = addWords(full, 'one-more');
    expect(r.words.length).toBe(MAX_WORDS);
    expect(r.rejected).toEqual([{ word: 'one-more', problem: 'full' }]);
  });
  it('removes a word', () => {
    expect(removeWord(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
  });
});

describe('lists', () => {
  const mk = (name: string, words: string[] = []) => ({ name, kind: 'mask' as const, words, updatedAt: 0, updatedBy: '' });
  it('names new lists the way the hub accepts', () => {
    expect(listName('  Rude Words! ')).toBe('rude-words');
    expect(listName('政治')).toBe('');
  });
  it('finds the first problem before saving', () => {
    expect(listsProblem([mk('a', ['x']), mk('b')])).toBe('');
    expect(listsProblem([mk('a'), mk('a')])).toBe('wordsDuplicateName');
    expect(listsProblem([mk('A')])).toBe('wordsBadName');
    expect(listsProblem([mk('a', [''])])).toBe('wordsBadWord');
    expect(listsProblem(Array.from({ length: 17 }, (_, i) => mk(`l${i}`)))).toBe('wordsTooManyLists');
  });
  it('sends only what the hub reads', () => {
    expect(toPayload([{ name: 'a', kind: 'block', words: ['x'], updatedAt: 9, updatedBy: 'z' }])).toEqual({
      lists: [{ name: 'a', kind: 'block', words: ['x'] }],
    });
  });
});
