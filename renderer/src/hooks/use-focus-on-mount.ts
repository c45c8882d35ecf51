import { useEffect, useRef } from 'react';

/**
 * Returns a ref whose element receives focus when the component mounts, so keyboard and
 * screen reader users land on the new screen instead of on a control that no longer exists.
 */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);

  useEffect(() => {
    ref.current?.focus();
  }, []);

  return ref;
}
