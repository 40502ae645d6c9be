import type { Db } from "./db.js";

/**
 * Subqueries for "the users owning any of these identifiers", shared by the users list filters and
 * sign-in. Reads only: user_emails and user_phones are written by identifiers.storage.ts alone.
 */
interface OwnerOptions {
  /** Only identifiers the user has proven (sign-in accepts no others). */
  verifiedOnly?: boolean;
}

export function emailOwnersQuery(db: Db, deploymentId: string, normalizedEmails: string[], options: OwnerOptions = {}) {
  const query = db.selectFrom("user_emails").select("user_id").where("deployment_id", "=", deploymentId).where("email_normalized", "in", normalizedEmails);
  return options.verifiedOnly ? query.where("verified", "=", true) : query;
}

export function phoneOwnersQuery(db: Db, deploymentId: string, phoneNumbers: string[], options: OwnerOptions = {}) {
  const query = db.selectFrom("user_phones").select("user_id").where("deployment_id", "=", deploymentId).where("phone_number", "in", phoneNumbers);
  return options.verifiedOnly ? query.where("verified", "=", true) : query;
}
