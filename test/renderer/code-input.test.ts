import { describe, expect, it } from 'vitest';
import { describeDigitCount, isCompleteCode, normalizeCodeInput } from '../../renderer/src/format/code-input';

describe('normalizeCodeInput', () => {
  it.each([
    [' 012-345 ', '012345'],
    ['012345', '012345'],
    ['000 001', '000001'],
    ['012\u00a0345', '012345'],
    ['012\u2013345', '012345'],
    ['\uff10\uff11\uff12\uff13\uff14\uff15', '012345'],
    ['', ''],
    ['01', '01'],
  ])('turns %j into %j', (text, digits) => {
    const result = normalizeCodeInput(text);

    expect(result).toBe(digits);
  });

  it.each(['12a456', 'O12345', '12.345', '+12345', '1234567', '١٢٣٤٥٦'])('rejects %j', (text) => {
    const result = normalizeCodeInput(text);

    expect(result).toBeNull();
  });
});

describe('isCompleteCode', () => {
  it('accepts six digits with a leading zero', () => {
    expect(isCompleteCode('012345')).toBe(true);
  });

  it.each(['01234', '0123456', ''])('rejects %j', (digits) => {
    expect(isCompleteCode(digits)).toBe(false);
  });
});

describe('describeDigitCount', () => {
  it.each([
    [6, 'a 6-digit'],
    [8, 'an 8-digit'],
    [11, 'an 11-digit'],
    [12, 'a 12-digit'],
    [18, 'an 18-digit'],
    [80, 'an 80-digit'],
  ])('reads %i as %j', (length, expected) => {
    expect(describeDigitCount(length)).toBe(expected);
  });
});
