import type { Db } from "../storage/db.js";
import type { ProfileImageRow } from "../storage/tables.js";

export interface NewProfileImage {
  id: string;
  userId: string;
  contentType: string;
  bytes: Buffer;
  createdAt: number;
}

export async function insertProfileImage(db: Db, deploymentId: string, image: NewProfileImage): Promise<void> {
  const row: ProfileImageRow = {
    id: image.id,
    deployment_id: deploymentId,
    user_id: image.userId,
    content_type: image.contentType,
    bytes: image.bytes,
    created_at: image.createdAt,
  };
  await db.insertInto("profile_images").values(row).execute();
}

/** Public by design: the id is unguessable and the URL is handed out as the user's picture. */
export async function findProfileImage(db: Db, imageId: string): Promise<{ contentType: string; bytes: Buffer } | null> {
  const row = await db.selectFrom("profile_images").select(["content_type", "bytes"]).where("id", "=", imageId).executeTakeFirst();
  return row ? { contentType: row.content_type, bytes: Buffer.from(row.bytes) } : null;
}

export async function deleteProfileImagesOfUser(db: Db, deploymentId: string, userId: string): Promise<void> {
  await db.deleteFrom("profile_images").where("deployment_id", "=", deploymentId).where("user_id", "=", userId).execute();
}
