import { useSignal } from '@preact/signals';
import { useDismiss } from '../../shared/use-dismiss.ts';
import { useRef } from 'preact/hooks';

/** A short fixed list: enough for customer service, no dependency. */
const emojis = ['😀', '😊', '😉', '😂', '🙂', '😍', '🤔', '😅', '😢', '🙏', '👍', '👋', '👏', '🎉', '✅', '❌', '❤️', '⭐', '📞', '📦', '💳', '⏰', '📅', '🚚'];

/** Button that opens a small grid of emojis; `onPick` receives the chosen one. */
export function EmojiPicker({ onPick, disabled }: { onPick: (emoji: string) => void; disabled: boolean }) {
  const open = useSignal(false);
  const container = useRef<HTMLDivElement>(null);

  useDismiss(open, container);

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
