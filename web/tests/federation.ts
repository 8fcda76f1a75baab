// The two demo markets linked: the reviewed market follows the open one
// through a link named kaifang, made once through the API (whichever test
// gets there first; AddLink of a name that exists answers ALREADY_EXISTS,
// which is as good). Tests about links themselves make their own.
import { expect } from "@playwright/test";
import { open, reviewed, rpc, type Market } from "./market";

export const LINK = "kaifang";

interface LinkJson { name: string; caughtUp?: boolean; applied?: string }

/** The open market's host:port, as a link's address. */
export const addrOf = (m: Market) => new URL(m.url).host;

/** A peer token of the open market for an organisation of the reviewed one. */
export async function peerToken(organization: string, peerScope?: unknown): Promise<string> {
  const { secret } = await rpc<{ secret: string }>(open(), "TokenService/CreateToken", { organization, role: "ROLE_PEER", peerScope }, "operator");
  return secret;
}

async function listLinks(m: Market): Promise<LinkJson[]> {
  return (await rpc<{ links?: LinkJson[] }>(m, "LinkService/ListLinks", {}, "operator")).links ?? [];
}

/** Links reviewed → open as kaifang if need be, and waits until the link has caught up. */
export async function linkMarkets(): Promise<{ home: Market; here: Market }> {
  const home = open();
  const here = reviewed();
  if (!(await listLinks(here)).some((l) => l.name === `links/${LINK}`)) {
    const token = await peerToken("乌海科技大市场（审核版）");
    try {
      await rpc(here, "LinkService/AddLink", { linkId: LINK, addr: addrOf(home), token }, "operator");
    } catch (e) {
      if (!String(e).includes("already_exists")) throw e;
    }
  }
  await expect.poll(async () => {
    const l = (await listLinks(here)).find((x) => x.name === `links/${LINK}`);
    return !!l?.caughtUp && Number(l.applied ?? 0) > 0;
  }, { message: "the reviewed market catches up with the open one" }).toBe(true);
  return { home, here };
}

type Hit = { name: string; title: string; homeMarket?: string };

/**
 * The hits of the open market's listings the reviewed market finds for
 * `query`, once there are some: a link is caught up when its events are
 * stored, and the search index takes them in a moment later.
 */
export async function linkedHits(here: Market, kind: "offers" | "demands", query: string): Promise<Hit[]> {
  const method = kind === "offers" ? "MatchService/SearchOffers" : "MatchService/SearchDemands";
  let hits: Hit[] = [];
  await expect.poll(async () => {
    hits = (await rpc<{ hits?: Hit[] }>(here, method, { query, filters: { origin: LINK }, pageSize: 5 })).hits ?? [];
    return hits.filter((h) => h.homeMarket === LINK).length;
  }, { message: `the reviewed market finds linked ${kind} for ${query}` }).toBeGreaterThan(0);
  return hits.filter((h) => h.homeMarket === LINK);
}

/** A published offer of the open market as the reviewed market shows it, found by its words. */
export async function linkedOffer(here: Market, query: string): Promise<Hit> {
  return (await linkedHits(here, "offers", query))[0]!;
}
