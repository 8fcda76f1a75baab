// The live side of the posting form. Once the poster pauses typing, the
// draft is checked by the server (a validate-only create), matched as an
// unsaved draft (MatchService takes one), and, while it is a draft,
// saved, so that its quality report (which the service makes only for a
// stored listing) can be shown. Each round supersedes the previous one.
import { useCallback, useEffect, useRef, useState } from "react";
import { demands as demandClient, matches as matchClient, offers as offerClient, review as reviewClient } from "../api/clients";
import { Code, ConnectError, fieldViolations, isAbort, type FieldViolation } from "../api/errors";
import { ListingState, type Demand, type Offer } from "../gen/techmarket/v1/listing_pb";
import type { Match } from "../gen/techmarket/v1/match_service_pb";
import type { QualityReport } from "../gen/techmarket/v1/review_service_pb";
import { toDemand, toOffer, type FormState, type Kind } from "./model";

export interface Saved {
  name: string;
  etag: string;
  state: ListingState;
  /** When this page saved it; undefined for a listing opened as stored. */
  time?: Date;
}

export interface DraftCheck {
  checking: boolean;
  violations: FieldViolation[];
  /** A failure that is no field's: the server unreachable, a stale version. */
  error: unknown;
  matches: Match[] | undefined;
  report: QualityReport | undefined;
  saved: Saved | undefined;
  /** Saves now (as a draft, or the changes of a published listing). */
  save: (form: FormState) => Promise<Saved | undefined>;
  /** Saves, then publishes (or submits for review); the listing as stored after. */
  publish: (form: FormState) => Promise<Offer | Demand | undefined>;
}

type Stored = Offer | Demand;

export function useDraftCheck(kind: Kind, settled: FormState, initial: Saved | undefined): DraftCheck {
  const [checking, setChecking] = useState(false);
  const [violations, setViolations] = useState<FieldViolation[]>([]);
  const [error, setError] = useState<unknown>();
  const [draftMatches, setMatches] = useState<Match[]>();
  const [report, setReport] = useState<QualityReport>();
  const [saved, setSaved] = useState<Saved | undefined>(initial);
  const savedRef = useRef(saved);
  savedRef.current = saved;
  // What the stored listing holds, so an unchanged form is not written again
  // (opening a draft to edit it, or typing a word and deleting it).
  const storedForm = useRef(initial ? JSON.stringify(settled) : "");
  useEffect(() => setSaved(initial), [initial]);
  // One write at a time: a save started while another runs waits for it,
  // so it carries the etag the first one got back.
  const writing = useRef<Promise<unknown>>(Promise.resolve());

  const listingOf = useCallback((f: FormState, s?: Saved) => (kind === "offers" ? toOffer(f, s?.name, s?.etag) : toDemand(f, s?.name, s?.etag)), [kind]);

  const write = useCallback((f: FormState, publish: boolean): Promise<Stored> => {
    const run = async () => {
      const s = savedRef.current;
      let stored: Stored;
      if (!s) {
        stored = kind === "offers"
          ? (await offerClient.createOffer({ offer: toOffer(f), publish })).offer!
          : (await demandClient.createDemand({ demand: toDemand(f), publish })).demand!;
      } else {
        stored = kind === "offers"
          ? (await offerClient.updateOffer({ offer: toOffer(f, s.name, s.etag) })).offer!
          : (await demandClient.updateDemand({ demand: toDemand(f, s.name, s.etag) })).demand!;
        if (publish) {
          const req = { name: stored.name, etag: stored.etag };
          stored = kind === "offers" ? (await offerClient.publishOffer(req)).offer! : (await demandClient.publishDemand(req)).demand!;
        }
      }
      const next = { name: stored.name, etag: stored.etag, state: stored.state, time: new Date() };
      storedForm.current = JSON.stringify(f);
      savedRef.current = next;
      setSaved(next);
      return stored;
    };
    const p = writing.current.then(run, run);
    writing.current = p.catch(() => undefined);
    return p;
  }, [kind]);

  const refreshReport = useCallback(async (name: string, signal?: AbortSignal) => {
    const r = await reviewClient.getQualityReport({ name }, { signal });
    setReport(r.report);
  }, []);

  // The round for the settled form.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!settled.title && !settled.industries.length) return; // nothing typed yet
    }
    const ctl = new AbortController();
    const signal = ctl.signal;
    (async () => {
      setChecking(true);
      try {
        const listing = listingOf(settled);
        try {
          if (kind === "offers") await offerClient.createOffer({ offer: listing as Offer, validateOnly: true }, { signal });
          else await demandClient.createDemand({ demand: listing as Demand, validateOnly: true }, { signal });
        } catch (e) {
          if (ConnectError.from(e).code !== Code.InvalidArgument) throw e;
          setViolations(fieldViolations(e));
          return;
        }
        setViolations([]);
        setError(undefined);
        const found = kind === "offers"
          ? matchClient.matchDemands({ draft: listing as Offer, limit: 5 }, { signal })
          : matchClient.matchOffers({ draft: listing as Demand, limit: 5 }, { signal });
        // Autosave drafts only: a published listing changes when its poster says so.
        const s = savedRef.current;
        const autosave = (!s || s.state === ListingState.DRAFT) && JSON.stringify(settled) !== storedForm.current;
        const stored = autosave ? write(settled, false) : undefined;
        setMatches((await found).matches);
        if (stored) await refreshReport((await stored).name, signal);
        else if (s && !report) await refreshReport(s.name, signal);
      } catch (e) {
        if (!isAbort(e)) setError(e);
      } finally {
        if (!signal.aborted) setChecking(false);
      }
    })();
    return () => ctl.abort();
    // `report` is read only to know whether one was ever shown.
  }, [settled, kind, listingOf, write, refreshReport]);

  const guarded = async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setError(undefined);
    try {
      const out = await f();
      setViolations([]);
      return out;
    } catch (e) {
      if (ConnectError.from(e).code === Code.InvalidArgument && fieldViolations(e).length) setViolations(fieldViolations(e));
      else setError(e);
      return undefined;
    }
  };

  const save = (f: FormState) => guarded(async () => {
    const stored = await write(f, false);
    await refreshReport(stored.name);
    return savedRef.current;
  });

  const publish = (f: FormState) => guarded(() => write(f, true));

  return { checking, violations, error, matches: draftMatches, report, saved, save, publish };
}
