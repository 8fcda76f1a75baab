// Deals and events name listings; the portal shows their titles. Each
// title is asked for once per page load.
import { useEffect, useState } from "react";
import { demands as demandClient, offers as offerClient } from "./api/clients";

const cache = new Map<string, Promise<string>>();

function titleOf(name: string): Promise<string> {
  let p = cache.get(name);
  if (!p) {
    p = (name.startsWith("offers/")
      ? offerClient.getOffer({ name }).then((r) => r.offer?.title ?? name)
      : demandClient.getDemand({ name }).then((r) => r.demand?.title ?? name)
    ).catch(() => name);
    cache.set(name, p);
  }
  return p;
}

/** The listing's title once known; its name until then. */
export function useTitleOf(name: string): string {
  const [title, setTitle] = useState(name);
  useEffect(() => {
    let live = true;
    titleOf(name).then((t) => live && setTitle(t));
    return () => { live = false; };
  }, [name]);
  return title;
}
