/** A timestamp for tables: the reader's locale, minute precision; "—" for none. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** A user's name as a person reads it, falling back to what identifies them. */
export function displayName(user: {
  first_name: string;
  last_name: string;
  username: string | null;
  primary_email_address: string | null;
  id: string;
}): string {
  const name = `${user.first_name} ${user.last_name}`.trim();
  return name || user.username || user.primary_email_address || user.id;
}
