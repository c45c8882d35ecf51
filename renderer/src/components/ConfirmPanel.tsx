import { useEffect, useId, useRef, type ReactNode } from 'react';

interface ConfirmPanelProps {
  /** The question, read as the panel's name, like "Forget Front counter?". */
  title: string;
  /** Consequences for other people once the action is confirmed. */
  children: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  isBusy: boolean;
  /** Id of the element that gets focus back on cancel. Without it, the element that had focus when the panel opened gets it. */
  openerId?: string;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * Asks in the page, not in a browser dialog, before an action that affects other people at once.
 * Focus moves to the safe button when it opens and back to the control that opened it on cancel.
 */
export function ConfirmPanel({ title, children, confirmLabel, cancelLabel, isBusy, openerId, onConfirm, onCancel }: ConfirmPanelProps) {
  const messageId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLElement | null>(null);

  useEffect(() => {
    // React's development mode runs this effect twice, and by the second run focus is already on the cancel button.
    if (openerRef.current === null && document.activeElement instanceof HTMLElement) {
      openerRef.current = document.activeElement;
    }
    cancelRef.current?.focus();
  }, []);

  function cancel() {
    onCancel();
    const opener = openerId === undefined ? openerRef.current : document.getElementById(openerId);
    // The opener may have left the page since, and then focus stays where the browser puts it.
    window.setTimeout(() => {
      if (opener?.isConnected === true) {
        opener.focus();
      }
    }, 0);
  }

  return (
    <div role="alertdialog" aria-label={title} aria-describedby={messageId} className="warning">
      <div id={messageId}>{children}</div>
      <div className="actions">
        <button type="button" className="button-primary" disabled={isBusy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button ref={cancelRef} type="button" className="button-secondary" disabled={isBusy} onClick={cancel}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
