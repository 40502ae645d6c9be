/** The token of an `Authorization: Bearer <token>` header (case-insensitive scheme), or null: the one reading of that header. */
export function bearerTokenOf(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
