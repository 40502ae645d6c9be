import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { onSessionEnded, request, setCsrfToken } from "./api/client";
import type { ConsoleSession } from "./api/types";
import { ApiError } from "./lib/api-error";

interface SessionState {
  session: ConsoleSession | null;
  isLoading: boolean;
  /** Why the console is signed out, shown on the sign-in page (expired, revoked, link refused). */
  notice: string | null;
  signIn(apiKey: string): Promise<void>;
  /** Ends the session on the server; `notice` is what the sign-in page then says. */
  signOut(notice?: string): Promise<void>;
  /** The session ended under us (e.g. its own key was revoked): back to sign-in with this message. */
  end(reason: string): void;
}

const SessionContext = createContext<SessionState | null>(null);
const SESSION_KEY = ["console-session"];

/** Drops every cached answer of the previous session (another deployment's users must never show), keeping the session query itself, which the page observes. */
function forgetServerData(queryClient: ReturnType<typeof useQueryClient>) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
}

const LINK_ERRORS: Record<string, string> = {
  link_invalid:
    "That sign-in link is not valid: it was already used, has expired, or its key was revoked. Ask for a new one with 'wacht console-link', or paste an API key.",
};

/** A `?error=` the server's one-time link redirect put in the URL, read once and removed. */
function takeLinkError(): string | null {
  const url = new URL(window.location.href);
  const code = url.searchParams.get("error");
  if (!code) return null;
  url.searchParams.delete("error");
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  return LINK_ERRORS[code] ?? `Sign-in failed (${code}).`;
}

// Read once when the console loads (not in a render, which StrictMode may repeat).
const linkError = takeLinkError();

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(linkError);
  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      try {
        return await request<ConsoleSession>("GET", "/console/api/session", undefined, { quiet401: true });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
  const session = query.data ?? null;
  setCsrfToken(session?.csrf_token ?? null);

  const end = useCallback(
    (reason: string) => {
      setCsrfToken(null);
      forgetServerData(queryClient);
      queryClient.setQueryData(SESSION_KEY, null);
      setNotice(reason);
    },
    [queryClient],
  );

  useEffect(() => {
    onSessionEnded((message) => end(`You were signed out: ${message} Sign in again.`));
    return () => onSessionEnded(null);
  }, [end]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      isLoading: query.isLoading,
      notice: query.isError ? `Could not reach the server: ${(query.error as Error).message}` : notice,
      async signIn(apiKey) {
        const opened = await request<ConsoleSession>("POST", "/console/api/session", { api_key: apiKey.trim() }, { quiet401: true });
        setCsrfToken(opened.csrf_token);
        setNotice(null);
        forgetServerData(queryClient);
        queryClient.setQueryData(SESSION_KEY, opened);
      },
      async signOut(notice = "You signed out.") {
        try {
          await request("DELETE", "/console/api/session", undefined, { quiet401: true });
        } finally {
          end(notice);
        }
      },
      end,
    }),
    [session, query.isLoading, query.isError, query.error, notice, queryClient, end],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}

/** The signed-in session; only for pages under the shell, which renders them signed in. */
export function useSignedInSession(): ConsoleSession {
  const { session } = useSession();
  if (!session) throw new Error("useSignedInSession while signed out");
  return session;
}
