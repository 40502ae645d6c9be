import { listEmailsOfUsers, listPhonesOfUsers } from "../identifiers/identifiers.service.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { exportSecondFactorsOfUsers } from "../second-factors/second-factors.service.js";
import { listSocialConnectionsOfUsers } from "../social-connections/social-connections.service.js";
import type { Db } from "../storage/db.js";
import { findPasswordHashes, listUsersAfter, type User } from "../users/users.service.js";
import type { ImportUser } from "./import.schemas.js";
import { hasherNamedBy } from "./prepare.js";

export interface ExportOptions {
  /** Include each user's password hash (as password_digest): only for moving to a system you trust. */
  includePasswordHashes?: boolean;
  /** Include each user's TOTP secret (opened: in the clear) and backup code hashes: the same warning applies. */
  includeSecondFactors?: { secretBox: SecretBox };
  pageSize?: number;
}

type SecondFactorsOfUser = { totpSecret: string | null; backupCodeHashes: string[] };

const groupByUser = <T extends { userId: string }>(rows: T[]) => {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.userId, [...(groups.get(row.userId) ?? []), row]);
  return groups;
};

/**
 * Every user of the deployment as an import item (our JSONL: `wacht import --from jsonl` reads it
 * back), page by page in id order, four queries a page: memory holds one page.
 */
export async function* exportUsers(db: Db, deploymentId: string, options: ExportOptions = {}): AsyncGenerator<ImportUser> {
  const pageSize = options.pageSize ?? 500;
  let afterId: string | null = null;
  for (;;) {
    const users = await listUsersAfter(db, deploymentId, afterId, pageSize);
    if (users.length === 0) return;
    const ids = users.map((user) => user.id);
    const secondFactors = options.includeSecondFactors;
    const [emails, phones, connections, hashes, factors] = await Promise.all([
      listEmailsOfUsers(db, deploymentId, ids),
      listPhonesOfUsers(db, deploymentId, ids),
      listSocialConnectionsOfUsers(db, deploymentId, ids),
      options.includePasswordHashes ? findPasswordHashes(db, deploymentId, ids) : Promise.resolve(new Map<string, string>()),
      secondFactors ? exportSecondFactorsOfUsers(db, secondFactors.secretBox, deploymentId, ids) : Promise.resolve(new Map<string, SecondFactorsOfUser>()),
    ]);
    const emailsOf = groupByUser(emails);
    const phonesOf = groupByUser(phones);
    const connectionsOf = groupByUser(connections);
    for (const user of users) {
      const item = toExportItem(user, emailsOf.get(user.id) ?? [], phonesOf.get(user.id) ?? [], connectionsOf.get(user.id) ?? [], hashes.get(user.id));
      const factorsOfUser = factors.get(user.id);
      if (factorsOfUser?.totpSecret) item.totp_secret = factorsOfUser.totpSecret;
      if (factorsOfUser?.backupCodeHashes.length) item.backup_codes = factorsOfUser.backupCodeHashes;
      yield item;
    }
    afterId = ids[ids.length - 1]!;
  }
}

function toExportItem(
  user: User,
  emails: Awaited<ReturnType<typeof listEmailsOfUsers>>,
  phones: Awaited<ReturnType<typeof listPhonesOfUsers>>,
  connections: Awaited<ReturnType<typeof listSocialConnectionsOfUsers>>,
  passwordHash: string | undefined,
): ImportUser {
  return {
    external_id: user.externalId,
    first_name: user.firstName,
    last_name: user.lastName,
    username: user.username,
    email_addresses: emails.map((email) => ({ email: email.email, verified: email.verified, primary: email.isPrimary })),
    phone_numbers: phones.map((phone) => ({ phone_number: phone.phoneNumber, verified: phone.verified, primary: phone.isPrimary })),
    ...(passwordHash && { password_digest: passwordHash, password_hasher: hasherNamedBy(passwordHash) }),
    created_at: new Date(user.createdAt).toISOString(),
    disabled: user.disabled,
    public_metadata: user.publicMetadata,
    private_metadata: user.privateMetadata,
    social_connections: connections.map((connection) => ({
      provider: connection.provider,
      provider_user_id: connection.providerUserId,
      email_address: connection.emailAddress,
    })),
  };
}
