import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage } from '../../../api-client.ts';
import { login, sessionError } from '../../shared/session-state.ts';

/** Username/password form; shows the server's message when the login is refused. */
export function LoginScreen() {
  const username = useSignal('');
  const password = useSignal('');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await login(username.value.trim(), password.value);
    } catch (failure) {
      error.value = errorMessage(failure);
      busy.value = false;
    }
  }

  const shown = error.value ?? sessionError.value;
  return (
    <div class="login-page">
      <form class="login-card" onSubmit={submit}>
        <h1 class="brand">Omnichat</h1>
        <p class="muted">Sign in to the agent console</p>
        <label>
          Username
          <input
            // biome-ignore lint/a11y/noAutofocus: the first field of a screen that is only this form, focused as it always was (issue 14 changes no behaviour)
            autoFocus
            name="username"
            autocomplete="username"
            value={username.value}
            onInput={(e) => (username.value = e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password.value}
            onInput={(e) => (password.value = e.currentTarget.value)}
          />
        </label>
        {shown && (
          <p class="form-error" data-testid="login-error" role="alert">
            {shown}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          {busy.value ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
