// The portal's frame: header with navigation, language switch and who is
// signed in; the page for the current address; focus moved to the new
// page's heading after each navigation, for keyboard and screen readers.
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { AlertsProvider, useAlerts } from "./alerts";
import { setLang, useLang, useT } from "./i18n";
import { roleLabel } from "./labels";
import { Link, match, useLocation } from "./router";
import { Role, SessionProvider, useSession } from "./session";
import { MarketPage } from "./pages/MarketPage";
import { ListingPage } from "./pages/ListingPage";
import { SignInPage } from "./pages/SignInPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { Loading } from "./components/status";

// What every visitor needs (the market, listings, sign-in) comes with the
// first load; the pages of signed-in callers and operators load when opened.
const PostPage = lazy(() => import("./pages/PostPage").then((m) => ({ default: m.PostPage })));
const MinePage = lazy(() => import("./pages/MinePage").then((m) => ({ default: m.MinePage })));
const ReviewPage = lazy(() => import("./pages/ReviewPage").then((m) => ({ default: m.ReviewPage })));
const EventsPage = lazy(() => import("./pages/EventsPage").then((m) => ({ default: m.EventsPage })));
const EventPage = lazy(() => import("./pages/EventPage").then((m) => ({ default: m.EventPage })));
const DealsPage = lazy(() => import("./pages/DealsPage").then((m) => ({ default: m.DealsPage })));
const StatsPage = lazy(() => import("./pages/StatsPage").then((m) => ({ default: m.StatsPage })));
const IntroductionsPage = lazy(() => import("./pages/IntroductionsPage").then((m) => ({ default: m.IntroductionsPage })));
const LinksPage = lazy(() => import("./pages/LinksPage").then((m) => ({ default: m.LinksPage })));
const TokensPage = lazy(() => import("./pages/TokensPage").then((m) => ({ default: m.TokensPage })));

export function App() {
  return (
    <SessionProvider>
      <AlertsProvider>
        <Frame />
      </AlertsProvider>
    </SessionProvider>
  );
}

function Page({ path }: { path: string }) {
  let p: Record<string, string> | undefined;
  if (match("/", path)) return <MarketPage />;
  if ((p = match("/offers/:id", path))) return <ListingPage kind="offers" id={p.id!} />;
  if ((p = match("/demands/:id", path))) return <ListingPage kind="demands" id={p.id!} />;
  if ((p = match("/offers/:id/edit", path))) return <PostPage kind="offers" editId={p.id!} />;
  if ((p = match("/demands/:id/edit", path))) return <PostPage kind="demands" editId={p.id!} />;
  if (match("/post/offer", path)) return <PostPage kind="offers" />;
  if (match("/post/demand", path)) return <PostPage kind="demands" />;
  if (match("/post", path)) return <PostPage />;
  if (match("/signin", path)) return <SignInPage />;
  if (match("/mine", path)) return <MinePage />;
  if (match("/review", path)) return <ReviewPage />;
  if (match("/events", path)) return <EventsPage />;
  if ((p = match("/events/:id", path))) return <EventPage id={p.id!} />;
  if (match("/deals", path)) return <DealsPage />;
  if (match("/stats", path)) return <StatsPage />;
  if (match("/tokens", path)) return <TokensPage />;
  if (match("/introductions", path)) return <IntroductionsPage />;
  if (match("/links", path)) return <LinksPage />;
  return <NotFoundPage />;
}

function Frame() {
  const t = useT();
  const { pathname } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    // The new page's heading, or the page itself while its code is loading.
    const heading = mainRef.current?.querySelector<HTMLElement>("h1");
    (heading ?? mainRef.current)?.focus();
  }, [pathname]);

  return (
    <>
      <a className="skip" href="#main">{t("nav.skip")}</a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span>{t("site.name")}</span>
          </Link>
          <button type="button" className="btn menu-toggle" aria-expanded={menuOpen} aria-controls="site-nav"
            onClick={() => setMenuOpen((o) => !o)}>
            {t("nav.menu")}
          </button>
          <div id="site-nav" className={menuOpen ? "nav-wrap open" : "nav-wrap"}>
            <Nav pathname={pathname} />
            <Account />
          </div>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Page path={pathname} />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>{t("site.footer")}</p>
      </footer>
    </>
  );
}

function Nav({ pathname }: { pathname: string }) {
  const t = useT();
  const { caller, signedIn } = useSession();
  const { unseen } = useAlerts();
  const role = caller?.role ?? Role.UNSPECIFIED;
  const items: { to: string; label: string; show: boolean; badge?: number }[] = [
    { to: "/", label: t("nav.market"), show: true },
    { to: "/post", label: t("nav.post"), show: signedIn },
    { to: "/mine", label: t("nav.mine"), show: signedIn, badge: unseen },
    { to: "/review", label: t("nav.review"), show: role === Role.OPERATOR },
    { to: "/events", label: t("nav.events"), show: true },
    { to: "/deals", label: t("nav.deals"), show: signedIn },
    { to: "/introductions", label: t("nav.introductions"), show: signedIn },
    { to: "/stats", label: t("nav.stats"), show: role === Role.OPERATOR },
    { to: "/tokens", label: t("nav.tokens"), show: role === Role.OPERATOR },
    { to: "/links", label: t("nav.links"), show: role === Role.OPERATOR },
  ];
  const current = (to: string) => (to === "/" ? pathname === "/" : pathname.startsWith(to));
  return (
    <nav aria-label={t("nav.label")}>
      <ul className="nav">
        {items.filter((i) => i.show).map((i) => (
          <li key={i.to}>
            <Link to={i.to} aria-current={current(i.to) ? "page" : undefined}>
              {i.label}
              {!!i.badge && <span className="badge" aria-label={t("nav.newAlerts", { n: i.badge })}>{i.badge}</span>}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Account() {
  const t = useT();
  const lang = useLang();
  const { caller, signedIn, signOut } = useSession();
  return (
    <div className="account">
      <button type="button" className="btn btn-quiet" lang={lang === "zh" ? "en" : "zh-CN"}
        onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
        {lang === "zh" ? "English" : "中文"}
      </button>
      {signedIn && caller ? (
        <>
          <Link to="/signin" className="who" title={t("account.details")}>
            <span className="who-org">{caller.organization}</span>
            <span className="who-role">{roleLabel(t, caller.role)}</span>
          </Link>
          <button type="button" className="btn btn-quiet" onClick={signOut}>{t("account.signOut")}</button>
        </>
      ) : (
        <Link to="/signin" className="btn">{t("account.signIn")}</Link>
      )}
    </div>
  );
}
