import { useEffect, useState, type FormEvent } from 'react';
import type { OtpChannel, PracticeUserSummary, Role } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { createFieldError, readErrorField } from '../format/error-field';
import { describeBridgeError } from '../format/error-message';
import { describeRole } from '../format/sign-in-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { focusElement, useFocusAfterRender } from '../hooks/use-focus-after-render';
import { FormResult } from './FormResult';

const roles: readonly Role[] = ['clinician', 'front_desk', 'billing', 'practice_admin'];
const resultId = 'new-user-result';

type TextField = 'username' | 'displayName' | 'email' | 'mobile';

/** Message for each required field left blank. The server checks the format of what was entered. */
const blankFieldProblems: ReadonlyArray<[TextField, string]> = [
  ['username', 'Enter a username of 1 to 64 letters, digits, dots, dashes, underscores or @.'],
  ['displayName', "Enter the person's name, 1 to 100 characters."],
  ['email', 'Enter an email address like name@clinic.example. The setup code for choosing a password goes there.'],
];

const emptyForm = { username: '', displayName: '', email: '', mobile: '', role: 'front_desk' as Role, preferredChannel: 'email' as OtpChannel };

interface NewUserFormProps {
  onCreated(user: PracticeUserSummary): void;
}

/**
 * "Add a user": creates an account whose owner chooses a password with an emailed setup code. A
 * blank required field is caught before sending, and a field the server rejects is flagged too.
 */
export function NewUserForm({ onCreated }: NewUserFormProps) {
  const { run, isBusy, error, setError } = useBridgeAction();
  const [form, setForm] = useState(emptyForm);
  const [notice, setNotice] = useState<string | null>(null);
  const focusAfterRender = useFocusAfterRender();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const inputProblem = findInputProblem(form);
    if (inputProblem !== null) {
      setError(createFieldError(inputProblem.field, inputProblem.problem));
      return;
    }

    const mobile = form.mobile.trim() === '' ? null : form.mobile.trim();
    const created = await run(() => getBridge().createPracticeUser({ ...form, mobile }));
    if (created === null) {
      return;
    }
    onCreated(created);
    setForm(emptyForm);
    setNotice(
      created.setupEmailSent
        ? `${created.displayName} was created. A welcome email with a setup code for choosing their password is on its way; the code works for 72 hours.`
        : `${created.displayName} was created, but the welcome email could not be sent. Check the server's email settings, then choose "Send a new setup code".`,
    );
    focusAfterRender(resultId);
  }

  const errorField = readErrorField(error);
  const problem = error === null ? null : describeBridgeError(error);
  // A field the form shows gets the message beside it, and any other problem shows above the button.
  const problemField = errorField !== null && fieldIds.has(errorField) ? errorField : null;

  useEffect(() => {
    if (error !== null) {
      focusElement(problemField === null ? resultId : `new-user-${problemField}`);
    }
  }, [error, problemField]);

  function describeField(field: string, hintId?: string): { 'aria-invalid': boolean; 'aria-describedby'?: string } {
    const isInvalid = problemField === field;
    const describedBy = [isInvalid ? `new-user-${field}-problem` : null, hintId ?? null].filter((id) => id !== null).join(' ');
    return { 'aria-invalid': isInvalid, 'aria-describedby': describedBy === '' ? undefined : describedBy };
  }

  function renderFieldProblem(field: string) {
    return problemField === field && problem !== null ? (
      <p id={`new-user-${field}-problem`} className="hint hint-problem">
        {problem}
      </p>
    ) : null;
  }

  const textField = (field: TextField, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`new-user-${field}`}>{label}</label>
      <input
        id={`new-user-${field}`}
        value={form[field]}
        {...describeField(field, hint === undefined ? undefined : `new-user-${field}-hint`)}
        onChange={(event) => setForm({ ...form, [field]: event.target.value })}
      />
      {renderFieldProblem(field)}
      {hint !== undefined && (
        <p id={`new-user-${field}-hint`} className="hint">
          {hint}
        </p>
      )}
    </div>
  );

  return (
    <form noValidate onSubmit={(event) => void handleSubmit(event)} aria-labelledby="new-user-heading">
      <h2 id="new-user-heading">Add a user</h2>
      {textField('username', 'Username')}
      {textField('displayName', 'Name')}
      {textField('email', 'Email', 'The person chooses their own password through this address.')}
      {textField('mobile', 'Mobile (optional)', 'In international form, like +15035550142.')}
      <div className="field">
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" value={form.role} {...describeField('role')} onChange={(event) => setForm({ ...form, role: event.target.value as Role })}>
          {roles.map((role) => (
            <option key={role} value={role}>
              {describeRole(role)}
            </option>
          ))}
        </select>
        {renderFieldProblem('role')}
      </div>
      <div className="field">
        <label htmlFor="new-user-preferredChannel">Codes go by</label>
        <select
          id="new-user-preferredChannel"
          value={form.preferredChannel}
          {...describeField('preferredChannel')}
          onChange={(event) => setForm({ ...form, preferredChannel: event.target.value as OtpChannel })}
        >
          <option value="email">Email</option>
          <option value="sms">Text message</option>
        </select>
        {renderFieldProblem('preferredChannel')}
      </div>
      <FormResult id={resultId} problem={problemField === null ? problem : null} notice={notice} />
      <button type="submit" className="button-primary" disabled={isBusy}>
        Add user
      </button>
    </form>
  );
}

const fieldIds: ReadonlySet<string> = new Set(['username', 'displayName', 'email', 'mobile', 'role', 'preferredChannel']);

function findInputProblem(form: typeof emptyForm): { field: string; problem: string } | null {
  for (const [field, problem] of blankFieldProblems) {
    if (form[field].trim() === '') {
      return { field, problem };
    }
  }
  if (form.preferredChannel === 'sms' && form.mobile.trim() === '') {
    return { field: 'preferredChannel', problem: 'Text messages need a mobile number. Add one or choose email.' };
  }
  return null;
}
