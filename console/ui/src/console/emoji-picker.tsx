import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';

/** A short fixed list: enough for customer service, no dependency. */
const emojis = [
  '😀', '😊', '😉', '😂', '🙂', '😍', '🤔', '😅',
  '😢', '🙏', '👍', '👋', '👏', '🎉', '✅', '❌',
  '❤️', '⭐', '📞', '📦', '💳', '⏰', '📅', '🚚',
];

/** Button that opens a small grid of emojis; `onPick` receives the chosen one. */
export function EmojiPicker({ onPick, disabled }: { onPick: (emoji: string) => void; disabled: boolean }) {
  const open = useSignal(false);
  const container = useRef<HTMLDivElement>(null);

  // Close when clicking elsewhere or pressing Escape.
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

  return (
    <div class="emoji-picker" ref={container}>
      <button
        type="button"
        class="icon-button"
        data-testid="emoji-button"
        aria-label="Insert emoji"
        aria-expanded={open.value}
        disabled={disabled}
        onClick={() => (open.value = !open.value)}
      >
        😊
      </button>
      {open.value && (
        <div class="emoji-grid" role="listbox" aria-label="Emojis" data-testid="emoji-list">
          {emojis.map((emoji) => (
            <button
              key={emoji}
              type="button"
              role="option"
              aria-selected={false}
              onClick={() => {
                onPick(emoji);
                open.value = false;
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
