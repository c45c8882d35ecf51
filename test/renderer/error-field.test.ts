import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../electron/shared/error-codes';
import { createFieldError, readErrorField } from '../../renderer/src/format/error-field';

describe('readErrorField', () => {
  it.each([
    ['/displayName', 'displayName'],
    ['/networks/2', 'networks'],
    ['/a~1b', 'a/b'],
    ['/a~0b', 'a~b'],
    ['', null],
    ['/', null],
  ])('reads %j as %j', (field, expected) => {
    const name = readErrorField({ code: 'VALIDATION_FAILED', message: errorCatalogue.VALIDATION_FAILED.message, field });

    expect(name).toBe(expected);
  });

  it('returns null without a field', () => {
    expect(readErrorField({ code: 'USER_LAST_ADMIN', message: errorCatalogue.USER_LAST_ADMIN.message })).toBeNull();
  });

  it('returns null without an error', () => {
    expect(readErrorField(null)).toBeNull();
  });

  it('reads a field the form found blank', () => {
    const error = createFieldError('displayName', "Enter the person's name, 1 to 100 characters.");

    expect(readErrorField(error)).toBe('displayName');
    expect(error.problem).toBe("Enter the person's name, 1 to 100 characters.");
  });
});
