import { useState, type FormEvent } from "react";
import { ErrorMessage, Notice } from "../components/ui";
import { messageOf } from "../lib/api-error";
import { useSession } from "../session";

/**
 * Paste an API key once: the server turns it into an HttpOnly session cookie for that key's
 * deployment, and the key itself is dropped from the page (never put in any browser storage).
 */
export function SignInPage() {
  const { signIn, notice } = useSession();
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!apiKey.trim()) return setError("Paste an API key of the deployment you want to manage.");
    setBusy(true);
    setError(null);
    try {
      await signIn(apiKey);
      setApiKey("");
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <h1>Wacht console</h1>
      <p className="lede">Sign in with an API key of the deployment you want to manage.</p>
      {notice && <Notice>{notice}</Notice>}
      <form onSubmit={submit} className="card" noValidate>
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            name="api_key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby="api-key-hint"
            required
          />
          <span className="hint" id="api-key-hint">
            The key is exchanged for a session cookie and is not stored in the browser. To manage another deployment, sign in with one of its keys.
          </span>
        </div>
        <ErrorMessage>{error}</ErrorMessage>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="hint">
        No key at hand? Run <code>wacht console-link</code> on the server for a one-time sign-in link.
      </p>
    </main>
  );
}
