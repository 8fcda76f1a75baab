// Who the portal speaks for: the token pasted at sign-in (sessionStorage
// only) and what TokenService.GetCaller says it is.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { tokens } from "./api/clients";
import { currentToken, writeToken } from "./api/token";
import { Code, ConnectError } from "./api/errors";
import { Role } from "./gen/techmarket/v1/token_service_pb";

export interface Caller {
  organization: string;
  role: Role;
  tokenName: string;
}

export interface Session {
  /** Undefined while the stored token is being checked. */
  caller: Caller | undefined;
  signedIn: boolean;
  /** Checks the token with the server and keeps it when it speaks for someone. */
  signIn: (token: string) => Promise<Caller>;
  signOut: () => void;
}

const anonymous: Caller = { organization: "", role: Role.UNSPECIFIED, tokenName: "" };
const SessionContext = createContext<Session | undefined>(undefined);

async function whoAmI(): Promise<Caller> {
  const c = await tokens.getCaller({});
  return { organization: c.organization, role: c.role, tokenName: c.token };
}

export class InvalidTokenError extends Error {}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [caller, setCaller] = useState<Caller | undefined>(currentToken() ? undefined : anonymous);

  useEffect(() => {
    if (!currentToken()) return;
    whoAmI().then(setCaller, () => {
      // The stored token no longer works (revoked, or the market was reset).
      writeToken("");
      setCaller(anonymous);
    });
  }, []);

  const signIn = useCallback(async (token: string) => {
    const previous = currentToken();
    writeToken(token.trim());
    try {
      const c = await whoAmI();
      if (c.role === Role.UNSPECIFIED) throw new InvalidTokenError();
      setCaller(c);
      return c;
    } catch (e) {
      writeToken(previous);
      if (e instanceof ConnectError && e.code === Code.Unauthenticated) throw new InvalidTokenError();
      throw e;
    }
  }, []);

  const signOut = useCallback(() => {
    writeToken("");
    setCaller(anonymous);
  }, []);

  const value = useMemo<Session>(
    () => ({ caller, signedIn: !!caller && caller.role !== Role.UNSPECIFIED, signIn, signOut }),
    [caller, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

export { Role };
