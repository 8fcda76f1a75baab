// The caller's alerts, live. AlertService.WatchMatches is a server
// stream: it replays the alerts after a cursor, then sends new ones as
// they happen. The server sends the stream's headers only with its first
// message, so "connected" cannot be observed; the feed counts as
// listening from the moment the call is made. After an error it resumes
// from the last cursor received, backing off, so no alert is lost or
// shown twice.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { alerts as alertClient } from "./api/clients";
import { Code, ConnectError } from "./api/errors";
import type { Alert } from "./gen/techmarket/v1/alert_service_pb";
import { useSession } from "./session";

export type FeedStatus = "off" | "listening" | "retrying";

export interface AlertFeed {
  /** Newest first. */
  alerts: Alert[];
  status: FeedStatus;
  /** Alerts raised since the feed was last looked at. */
  unseen: number;
  markSeen: () => void;
}

const KEEP = 200;
const FeedContext = createContext<AlertFeed>({ alerts: [], status: "off", unseen: 0, markSeen: () => {} });

function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2); // jitter: many tabs don't come back at once
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

export function AlertsProvider({ children }: { children: ReactNode }) {
  const { caller, signedIn } = useSession();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [status, setStatus] = useState<FeedStatus>("off");
  const [seenAt, setSeenAt] = useState(() => Date.now());
  const who = signedIn ? caller?.tokenName : undefined;

  useEffect(() => {
    setAlerts([]);
    if (!who) {
      setStatus("off");
      return;
    }
    const ctl = new AbortController();
    let cursor = "";
    let attempt = 0;
    (async () => {
      while (!ctl.signal.aborted) {
        setStatus("listening");
        try {
          for await (const res of alertClient.watchMatches({ cursor }, { signal: ctl.signal })) {
            const alert = res.alert;
            attempt = 0;
            if (!alert) continue;
            cursor = alert.cursor;
            setAlerts((prev) => (prev.some((a) => a.cursor === alert.cursor) ? prev : [alert, ...prev].slice(0, KEEP)));
          }
        } catch (e) {
          if (ctl.signal.aborted) return;
          const code = ConnectError.from(e).code;
          if (code === Code.Unauthenticated || code === Code.PermissionDenied) {
            setStatus("off");
            return;
          }
        }
        if (ctl.signal.aborted) return;
        setStatus("retrying");
        await sleep(backoffMs(attempt++), ctl.signal);
      }
    })();
    return () => ctl.abort();
  }, [who]);

  const markSeen = useCallback(() => setSeenAt(Date.now()), []);
  const value = useMemo<AlertFeed>(() => ({
    alerts,
    status,
    unseen: alerts.filter((a) => a.createTime && timestampDate(a.createTime).getTime() > seenAt).length,
    markSeen,
  }), [alerts, status, seenAt, markSeen]);
  return <FeedContext.Provider value={value}>{children}</FeedContext.Provider>;
}

export function useAlerts(): AlertFeed {
  return useContext(FeedContext);
}
