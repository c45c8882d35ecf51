import type { ReactNode } from 'react';
import type { BridgeError } from '../../../electron/shared/bridge';
import { describeBridgeError } from '../format/error-message';

interface ErrorAlertProps {
  /** Fields point at this id with `aria-describedby` so the error is read with them. A screen may also move focus here. */
  id: string;
  error: BridgeError | null;
  /** Extra lines or actions shown inside the alert, below the message. */
  children?: ReactNode;
}

export function ErrorAlert({ id, error, children }: ErrorAlertProps) {
  if (error === null) {
    return null;
  }
  return (
    <div id={id} role="alert" className="alert" tabIndex={-1}>
      <p>{describeBridgeError(error)}</p>
      {children}
    </div>
  );
}
