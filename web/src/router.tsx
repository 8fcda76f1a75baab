// Client-side routing on real URLs with the history API. The Go server
// answers index.html for every path that is no file, so any address the
// portal shows can be bookmarked, shared and reloaded.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener("popstate", notify);

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The current path and query, `/offers/abc?x=1`. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribe, () => window.location.href);
  return new URL(href);
}

/** Goes to `to` within the portal; `replace` keeps the history entry (for filters as one types). */
export function navigate(to: string, { replace = false } = {}): void {
  const before = window.location.pathname;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  if (window.location.pathname !== before) window.scrollTo(0, 0);
  notify();
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An <a> that navigates without reloading; modified clicks open tabs as usual. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  function go(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={go} {...rest} />;
}

/** Matches `pattern` (`/offers/:id`) against `path`; the params, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  // Trailing slashes do not matter: "/offers/x/" is "/offers/x", "/" is "".
  const want = pattern.replace(/\/+$/, "").split("/");
  const have = path.replace(/\/+$/, "").split("/");
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(":")) {
      if (!h) return undefined;
      params[w.slice(1)] = decodeURIComponent(h);
    } else if (w !== h) return undefined;
  }
  return params;
}

/** The portal path of a listing name, `offers/abc` → `/offers/abc`. */
export function listingPath(name: string): string {
  return "/" + name.split("/").map(encodeURIComponent).join("/");
}
