import type { Signal } from '@preact/signals';
import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

/** Closes a popover (`open` set false) on a click outside `container` or on Escape. */
export function useDismiss(open: Signal<boolean>, container: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    if (!open.value) return;
    const onPointer = (event: PointerEvent) => {
      if (!container.current?.contains(event.target as Node)) open.value = false;
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') open.value = false;
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open.value]);
}
