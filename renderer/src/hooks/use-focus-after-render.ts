import { useCallback, useEffect, useState } from 'react';

/**
 * Returns a function that moves focus to the element with the given id after the next render, such
 * as a message the render adds next to a form. Without it, focus is lost to the page when the
 * control that had it, such as a Save button, becomes disabled or goes away.
 */
export function useFocusAfterRender(): (elementId: string) => void {
  const [request, setRequest] = useState<{ elementId: string } | null>(null);

  useEffect(() => {
    if (request !== null) {
      focusElement(request.elementId);
    }
  }, [request]);

  // A new object for every call, so focusing the same element twice still runs the effect.
  return useCallback((elementId: string) => setRequest({ elementId }), []);
}

/**
 * Focuses the element with the given id and scrolls its `.field` group into view, so that a
 * message shown beside a field is visible with it. Does nothing when no such element exists.
 */
export function focusElement(elementId: string): void {
  const element = document.getElementById(elementId);
  if (element === null) {
    return;
  }
  element.focus({ preventScroll: true });
  (element.closest('.field') ?? element).scrollIntoView({ block: 'nearest' });
}
