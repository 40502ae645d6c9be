import { useQueryClient } from "@tanstack/react-query";
import { segment } from "../../api/client";
import type { UserDetails } from "../../api/types";
import { ErrorMessage, Notice } from "../../components/ui";

/** The cache key of a user's details, shared by every section of the page (one request per user). */
export const userDetailsKey = (userId: string) => ["user", userId];

export const userPath = (user: UserDetails, rest = "") => `/users/${segment(user.id)}${rest}`;

/** After a write that answers the new details, show them at once. */
export function useStoreDetails() {
  const queryClient = useQueryClient();
  return (details: UserDetails): void => void queryClient.setQueryData(userDetailsKey(details.id), details);
}

export function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Outcome({ action }: { action: { error: string | null; notice: string | null } }) {
  return (
    <>
      <ErrorMessage>{action.error}</ErrorMessage>
      <Notice>{action.notice}</Notice>
    </>
  );
}
