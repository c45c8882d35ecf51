import { useEffect, useState, type FormEvent } from 'react';
import type { PracticeUserSummary } from '../../../electron/shared/api';
import type { UpdatedPracticeUser, UpdatePracticeUserInput } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { createFieldError, readErrorField } from '../format/error-field';
import { describeBridgeError } from '../format/error-message';
import { describeSavedUserChange } from '../format/user-administration-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { focusElement } from '../hooks/use-focus-after-render';
import { FormResult } from './FormResult';

interface UserDetailsFormProps {
  user: PracticeUserSummary;
  onSaved(user: UpdatedPracticeUser, notice: string): void;
  onCancel(): void;
}

/**
 * Edits a practice user's name, email and mobile for an administrator. The list shows contact
 * details masked, so the contact fields start empty and only a typed value replaces the one on file.
 */
export function UserDetailsForm({ user, onSaved, onCancel }: UserDetailsFormProps) {
  const { run, isBusy, error, setError } = useBridgeAction();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [email, setEmail] = useState('');
  const [mobile, setMobile] = useState('');
  const [isRemovingMobile, setIsRemovingMobile] = useState(false);
  const idPrefix = `edit-${user.id}`;
  const errorId = `${idPrefix}-error`;
  const errorField = readErrorField(error);
  // A field the server names is flagged and gets the message beside it, and any other problem shows above Save.
  const problemField = errorField !== null && editableFields.has(errorField) ? errorField : null;
  const problem = error === null ? null : describeBridgeError(error);

  useEffect(() => {
    if (error !== null) {
      focusElement(problemField === null ? errorId : `${idPrefix}-${problemField}`);
    }
  }, [error, problemField, errorId, idPrefix]);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (displayName.trim() === '') {
      setError(createFieldError('displayName', "Enter the person's name, 1 to 100 characters."));
      return;
    }
    const change: UpdatePracticeUserInput = { userId: user.id };
    if (displayName.trim() !== user.displayName) {
      change.displayName = displayName;
    }
    if (email.trim() !== '') {
      change.email = email;
    }
    if (isRemovingMobile) {
      change.mobile = null;
    } else if (mobile.trim() !== '') {
      change.mobile = mobile;
    }

    const updated = await run(() => getBridge().updatePracticeUser(change));
    if (updated !== null) {
      onSaved(updated, describeSavedUserChange(updated, change));
    }
  }

  function describeFieldWithHint(field: 'email' | 'mobile'): string {
    const hintId = `${idPrefix}-${field}-hint`;
    return problemField === field ? `${idPrefix}-${field}-problem ${hintId}` : hintId;
  }

  function renderFieldProblem(field: string) {
    return problemField === field && problem !== null ? (
      <p id={`${idPrefix}-${field}-problem`} className="hint hint-problem">
        {problem}
      </p>
    ) : null;
  }

  return (
    <form noValidate onSubmit={(event) => void handleSubmit(event)} aria-labelledby={`${idPrefix}-heading`}>
      <h3 id={`${idPrefix}-heading`}>Edit {user.displayName}</h3>
      <div className="field">
        <label htmlFor={`${idPrefix}-displayName`}>Name</label>
        <input
          id={`${idPrefix}-displayName`}
          value={displayName}
          maxLength={100}
          aria-invalid={problemField === 'displayName'}
          aria-describedby={problemField === 'displayName' ? `${idPrefix}-displayName-problem` : undefined}
          onChange={(event) => setDisplayName(event.target.value)}
        />
        {renderFieldProblem('displayName')}
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-email`}>New email</label>
        <input
          id={`${idPrefix}-email`}
          type="email"
          value={email}
          maxLength={254}
          aria-invalid={problemField === 'email'}
          aria-describedby={describeFieldWithHint('email')}
          onChange={(event) => setEmail(event.target.value)}
        />
        {renderFieldProblem('email')}
        <p id={`${idPrefix}-email-hint`} className="hint">
          Currently {user.email ?? 'none'}. Leave it empty to keep it.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-mobile`}>New mobile</label>
        <input
          id={`${idPrefix}-mobile`}
          type="tel"
          value={mobile}
          maxLength={20}
          disabled={isRemovingMobile}
          aria-invalid={problemField === 'mobile'}
          aria-describedby={describeFieldWithHint('mobile')}
          onChange={(event) => setMobile(event.target.value)}
        />
        {renderFieldProblem('mobile')}
        <p id={`${idPrefix}-mobile-hint`} className="hint">
          Currently {user.mobile ?? 'none'}. In international form, like +15035550142. Leave it empty to keep it.
        </p>
      </div>
      {user.mobile !== null && (
        <div className="checkbox-field">
          <input
            id={`${idPrefix}-remove-mobile`}
            type="checkbox"
            checked={isRemovingMobile}
            onChange={(event) => setIsRemovingMobile(event.target.checked)}
          />
          <label htmlFor={`${idPrefix}-remove-mobile`}>Remove the mobile number (codes then go by email)</label>
        </div>
      )}
      <p className="hint">
        A new email or mobile receives sign-in codes at once, without a code to confirm it first, so check it with the person. The previous
        email address and mobile number get a notice about the change.
        {user.isSetupPending === true && ' A new email also receives a new setup code, and the setup code sent to the old address stops working.'}
      </p>
      <FormResult id={errorId} problem={problemField === null ? problem : null} notice={null} />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={isBusy}>
          Save changes
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const editableFields: ReadonlySet<string> = new Set(['displayName', 'email', 'mobile']);
