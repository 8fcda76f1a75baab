// The bearer token lives in sessionStorage only: it is gone when the tab
// closes, and never written where another site or a later visitor of a
// shared computer could read it.
const KEY = "techmarket.token";

export function readToken(): string {
  try {
    return sessionStorage.getItem(KEY) ?? "";
  } catch {
    return ""; // storage disabled: the portal still reads the market anonymously
  }
}

export function writeToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Without storage the token lasts only as long as this page.
  }
  memory = token;
}

let memory = readToken();

/** The token the next call carries. */
export function currentToken(): string {
  return memory;
}
