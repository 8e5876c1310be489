import { describe, expect, it } from 'vitest';
import { formatDuration } from '../src/i18n';

describe('formatDuration', () => {
  it('writes running times as a clock', () => {
    expect(formatDuration(6.665)).toBe('0:07');
    expect(formatDuration(20)).toBe('0:20');
    expect(formatDuration(725)).toBe('12:05');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(-1)).toBe('0:00');
  });
});
