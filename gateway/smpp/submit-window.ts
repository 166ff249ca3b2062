/**
 * The SMPP window: how many requests may await their response at once. An SMSC answers those beyond
 * its window with ESME_RTHROTTLED or stops reading, so the bind itself must hold them back.
 */
export function submitWindow(size: number) {
  let inUse = 0;
  const waiting: (() => void)[] = [];
  const grant = () => {
    inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      waiting.shift()?.();
    };
  };
  return {
    /** Resolves with the function that gives the slot back, once a slot is free. */
    acquire(): Promise<() => void> {
      if (inUse < size) return Promise.resolve(grant());
      return new Promise((resolve) => waiting.push(() => resolve(grant())));
    },
    get inUse() {
      return inUse;
    },
  };
}
