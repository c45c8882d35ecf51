import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import zxcvbnCommon from '@zxcvbn-ts/language-common';
import type { PasswordStrength } from '../shared/bridge';

/** Maximum password length the estimate reads, because zxcvbn's matching slows down sharply on longer input. */
const maxEstimatedLength = 100;

// zxcvbn-ts returns translation keys; these are ClinicGate's own sentences for them.
const warningText: Record<string, string> = {
  straightRow: 'A row of keys on the keyboard is easy to guess.',
  keyPattern: 'A short keyboard pattern is easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated groups like "abcabc" are easy to guess.',
  sequences: 'Sequences like "abc" or "1234" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is one of the most used passwords.',
  topHundred: 'This is a very commonly used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is close to a commonly used password.',
  wordByItself: 'A single word is easy to guess.',
  namesByThemselves: 'Names on their own are easy to guess.',
  commonNames: 'Common names and surnames are easy to guess.',
  userInputs: 'It contains your own name or details.',
  pwned: 'This password appeared in a data breach.',
};

const suggestionText: Record<string, string> = {
  l33t: 'Swapping letters for look-alike symbols, like "@" for "a", does not help much.',
  reverseWords: 'Spelling a common word backwards does not help much.',
  allUppercase: 'Capitalize some letters, not all of them.',
  capitalization: 'Capitalizing only the first letter does not help much.',
  dates: 'Avoid dates and years that are linked to you.',
  recentYears: 'Avoid recent years.',
  associatedYears: 'Avoid years that are linked to you.',
  sequences: 'Avoid common character sequences.',
  repeated: 'Avoid repeated words and characters.',
  longerKeyboardPattern: 'Use longer keyboard patterns and change direction several times.',
  anotherWord: 'Add more words that are less common.',
  useWords: 'Use several words, but avoid common phrases.',
  noNeed: 'You can make strong passwords without symbols, numbers or uppercase letters.',
  pwned: 'If you use this password elsewhere, change it there too.',
};

let estimator: ZxcvbnFactory | null = null;

/**
 * Estimates how hard a password is to guess, as a hint while typing. It uses zxcvbn-ts with the
 * same common-password list as the server's blocklist, plus the words the person is known by. The
 * estimator and its dictionaries load on first use, in the agent, so the renderer never carries them.
 */
export function estimatePasswordStrength(password: string, personalWords: readonly string[]): PasswordStrength {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  const result = estimator.check(password.normalize('NFKC').slice(0, maxEstimatedLength), personalWords.filter((word) => word !== ''));
  const warning = result.feedback.warning === null ? null : (warningText[result.feedback.warning] ?? null);
  const suggestions = result.feedback.suggestions.map((key) => suggestionText[key]).filter((text): text is string => text !== undefined);
  return { score: result.score, warning, suggestions };
}
