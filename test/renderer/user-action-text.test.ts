import { describe, expect, it } from 'vitest';
import { describeEmptyUserList, describeUserActionResult } from '../../renderer/src/format/user-administration-text';

describe('user action results', () => {
  it.each([
    ['deactivate', 2, 'Kim Clinician is deactivated and can no longer sign in. 2 sessions ended.'],
    ['deactivate', 0, 'Kim Clinician is deactivated and can no longer sign in.'],
    ['reactivate', 0, 'Kim Clinician is active again and can sign in.'],
    ['unlock', 0, 'Kim Clinician is unlocked and can sign in again.'],
    ['revoke-sessions', 1, 'Kim Clinician is signed out everywhere, and their next sign-in on any workstation needs a code. 1 session ended.'],
  ] as const)('describes %s with %i sessions ended', (action, sessionsEnded, expected) => {
    expect(describeUserActionResult(action, 'Kim Clinician', sessionsEnded)).toBe(expected);
  });
});

describe('empty user list', () => {
  it('names the search without matches', () => {
    expect(describeEmptyUserList(' zed ')).toBe('No users match "zed". The search looks at names and usernames.');
  });

  it('says the practice has no users', () => {
    expect(describeEmptyUserList('')).toBe('The practice has no users yet.');
  });
});
