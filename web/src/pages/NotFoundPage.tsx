import { useTitle } from "../hooks";
import { useT } from "../i18n";
import { Link } from "../router";

export function NotFoundPage() {
  const t = useT();
  useTitle(t("notFound.title"), t("site.name"));
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>{t("notFound.title")}</h1>
      <p>{t("notFound.text")}</p>
      <Link className="btn btn-primary" to="/">{t("nav.market")}</Link>
    </div>
  );
}
