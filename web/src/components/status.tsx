// How a page says it is loading, failed, or has nothing to show.
import { Code, ConnectError } from "../api/errors";
import { useT, type MessageKey } from "../i18n";

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return <p className="status" role="status">{label ?? t("status.loading")}</p>;
}

const codeMessages: Partial<Record<Code, MessageKey>> = {
  [Code.Unauthenticated]: "error.unauthenticated",
  [Code.PermissionDenied]: "error.permissionDenied",
  [Code.NotFound]: "error.notFound",
  [Code.ResourceExhausted]: "error.busy",
  [Code.Unavailable]: "error.unavailable",
  [Code.Aborted]: "error.stale",
  [Code.FailedPrecondition]: "error.precondition",
  [Code.InvalidArgument]: "error.invalid",
  [Code.DeadlineExceeded]: "error.timeout",
};

/** A failed call in words a person can act on, with the server's own message for detail. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const err = ConnectError.from(error);
  const key = codeMessages[err.code];
  return (
    <div className="notice notice-error" role="alert">
      <p><strong>{key ? t(key) : t("error.generic")}</strong></p>
      {err.rawMessage && <p className="muted">{err.rawMessage}</p>}
      {onRetry && <button type="button" className="btn" onClick={onRetry}>{t("action.retry")}</button>}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}
