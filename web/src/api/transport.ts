// One Connect transport for the whole portal: the Connect protocol with
// JSON to the server that served the page, the caller's token on every
// call, and unary calls retried when the server sheds load.
import { createConnectTransport } from "@connectrpc/connect-web";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { retryDelayMs } from "./errors";
import { currentToken } from "./token";

const authorize: Interceptor = (next) => (req) => {
  const token = currentToken();
  if (token) req.header.set("Authorization", `Bearer ${token}`);
  return next(req);
};

/** Retries after RESOURCE_EXHAUSTED at most this often. */
export const MAX_RETRIES = 3;
/** A RetryInfo delay longer than this is not worth a person's wait. */
const LONGEST_WAIT_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

// The server refuses calls over a caller's rate with RESOURCE_EXHAUSTED
// and a RetryInfo saying when to come back. A unary call is retried after
// that delay (a stream is not: it resumes by its own cursor).
const retryWhenExhausted: Interceptor = (next) => async (req) => {
  if (req.stream) return next(req);
  for (let attempt = 0; ; attempt++) {
    try {
      return await next(req);
    } catch (e) {
      const err = ConnectError.from(e);
      const delay = err.code === Code.ResourceExhausted ? retryDelayMs(err) : undefined;
      if (delay === undefined || delay > LONGEST_WAIT_MS || attempt >= MAX_RETRIES || req.signal.aborted) throw err;
      await sleep(delay, req.signal);
    }
  }
};

export const transport = createConnectTransport({
  baseUrl: window.location.origin,
  useBinaryFormat: false,
  interceptors: [retryWhenExhausted, authorize],
});
