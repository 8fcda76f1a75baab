// Sign-in by pasting a bearer token (operators issue them). The token is
// kept in sessionStorage only; the page shows who it speaks for.
import { useState, type FormEvent } from "react";
import { useTitle } from "../hooks";
import { useT } from "../i18n";
import { roleLabel } from "../labels";
import { Link, navigate } from "../router";
import { InvalidTokenError, Role, useSession } from "../session";
import { ErrorNotice } from "../components/status";

export function SignInPage() {
  const t = useT();
  const { caller, signedIn, signIn, signOut } = useSession();
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useTitle(t("signin.title"), t("site.name"));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!token.trim()) {
      setError(new InvalidTokenError());
      return;
    }
    setBusy(true);
    try {
      const c = await signIn(token);
      setToken("");
      navigate(c.role === Role.OPERATOR ? "/review" : "/mine");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1 tabIndex={-1}>{t("signin.title")}</h1>
      {signedIn && caller && (
        <section className="panel" aria-labelledby="whoami">
          <h2 id="whoami">{t("signin.current")}</h2>
          <dl className="details">
            <div className="kv"><dt>{t("signin.org")}</dt><dd>{caller.organization}</dd></div>
            <div className="kv"><dt>{t("signin.role")}</dt><dd>{roleLabel(t, caller.role)}</dd></div>
            <div className="kv"><dt>{t("signin.token")}</dt><dd><code>{caller.tokenName}</code></dd></div>
          </dl>
          <div className="button-row">
            <Link className="btn" to="/mine">{t("nav.mine")}</Link>
            <button type="button" className="btn" onClick={signOut}>{t("account.signOut")}</button>
          </div>
        </section>
      )}
      <form className="panel form" onSubmit={submit} noValidate>
        <h2>{signedIn ? t("signin.switch") : t("signin.paste")}</h2>
        <p className="hint">{t("signin.explain")}</p>
        <div className="field">
          <label htmlFor="token">{t("signin.tokenLabel")}</label>
          <input id="token" type="password" autoComplete="off" spellCheck={false} value={token}
            aria-invalid={error !== undefined} aria-describedby={error !== undefined ? "token-error" : undefined}
            onChange={(e) => setToken(e.target.value)} placeholder="tmk_…" />
          {error !== undefined && (
            error instanceof InvalidTokenError
              ? <p id="token-error" className="field-error">{t("signin.invalid")}</p>
              : <div id="token-error"><ErrorNotice error={error} /></div>
          )}
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>{t("account.signIn")}</button>
      </form>
    </div>
  );
}
