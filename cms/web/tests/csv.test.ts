import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/csv';

describe('toCsv', () => {
  it('quotes only what needs it and ends every line with CRLF', () => {
    expect(toCsv([['账号', 'published'], ['甲市微博', 3]])).toBe('账号,published\r\n甲市微博,3\r\n');
    expect(toCsv([['a,b', 'say "hi"', 'two\nlines', ' pad', null, undefined, 0]])).toBe(
      '"a,b","say ""hi""","two\nlines"," pad",,,0\r\n',
    );
  });
});
