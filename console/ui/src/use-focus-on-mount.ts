import { useEffect, useRef } from 'preact/hooks';

/**
 * A ref whose element takes the focus when the component mounts: the first field of a form that is the
 * whole page (the console's login, the phone simulator's screens). Used in place of `autoFocus`.
 */
export function useFocusOnMount<T extends HTMLElement>() {
  const element = useRef<T>(null);
  useEffect(() => {
    element.current?.focus();
  }, []);
  return element;
}
