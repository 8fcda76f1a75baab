// Asking for an introduction to the poster of a linked listing: its
// contact details stay at its home market, so the request travels there
// and the answer comes back (IntroductionService). The message rule is the
// server's, 1–1000 characters; the portal checks it as one types and shows
// the server's own field violations beside the field as well.
import { useState, type FormEvent } from "react";
import { introductions as introClient } from "../api/clients";
import { Code, ConnectError, fieldViolations, violationsByField } from "../api/errors";
import { useLang, useT } from "../i18n";
import { Link } from "../router";
import { useSession } from "../session";
import { violationText } from "../violations";
import { Field } from "./Field";
import { ErrorNotice } from "./status";

const MAX = 1000;

export function IntroductionForm({ listing, market }: { listing: string; market: string }) {
  const t = useT();
  const lang = useLang();
  const { signedIn } = useSession();
  const [message, setMessage] = useState("");
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  // Characters as the server counts them: code points, not UTF-16 units.
  const length = [...message].length;
  const own = length > MAX ? [t("intro.messageTooLong")] : tried && !message.trim() ? [t("intro.messageEmpty")] : [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    setServerErrors([]);
    setError(undefined);
    if (!message.trim() || length > MAX) return;
    setBusy(true);
    try {
      await introClient.requestIntroduction({ listing, message });
      setSent(true);
      setMessage("");
      setTried(false);
    } catch (err) {
      const vs = fieldViolations(err);
      if (ConnectError.from(err).code === Code.InvalidArgument && vs.length) {
        setServerErrors((violationsByField(vs, []).get("message") ?? vs.map((v) => v.description)).map((d) => violationText(d, lang)));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="intro-heading" className="panel">
      <h2 id="intro-heading">{t("intro.askTitle")}</h2>
      {!signedIn ? (
        <p>{t("intro.signIn")} <Link to="/signin">{t("account.signIn")}</Link></p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">{t("intro.askLede", { market })}</p>
          {sent && <p className="notice notice-ok" role="status">{t("intro.asked")} <Link to="/introductions">{t("nav.introductions")}</Link></p>}
          <Field id="intro-message" label={t("intro.message")} required requiredLabel={t("form.required")}
            hint={`${t("intro.messageHint")} ${length}/${MAX}`} errors={[...own, ...serverErrors]}>
            {(a) => <textarea {...a} rows={4} value={message} onChange={(e) => { setMessage(e.target.value); setServerErrors([]); }} />}
          </Field>
          {error !== undefined && <ErrorNotice error={error} />}
          <button type="submit" className="btn btn-primary" disabled={busy}>{t("intro.ask")}</button>
        </form>
      )}
    </section>
  );
}
