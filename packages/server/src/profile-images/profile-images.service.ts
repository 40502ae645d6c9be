import { errors, type PayloadTooLargeError } from "../errors.js";
import { generateId } from "../ids.js";
import type { Db } from "../storage/db.js";
import { readImageDimensions } from "./image-dimensions.js";
import { deleteProfileImagesOfUser, findProfileImage, insertProfileImage } from "./profile-images.storage.js";

export { findProfileImage };

export const MAX_PROFILE_IMAGE_BYTES = 2 * 1024 * 1024;
/** Width and height at most: a picture shown as an avatar needs far fewer, and 2 MiB of PNG can claim billions of pixels. */
export const MAX_PROFILE_IMAGE_PIXELS_PER_SIDE = 4096;

export interface UploadedImage {
  bytes: Buffer;
}

// The declared content type is the client's word; the first bytes are the file's.
const signatures: Array<[contentType: string, matches: (bytes: Buffer) => boolean]> = [
  ["image/png", (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ["image/jpeg", (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ["image/gif", (b) => ["GIF87a", "GIF89a"].includes(b.subarray(0, 6).toString("latin1"))],
  ["image/webp", (b) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP"],
];

/** The 413 of a picture over the limit, whether the multipart reader or checkProfileImage notices first. */
export function profileImageTooLarge(): PayloadTooLargeError {
  return errors.profile_image_too_large("2 MiB");
}

/** The image's real content type, or a 4xx naming the rule it breaks. */
export function checkProfileImage(image: UploadedImage): string {
  if (image.bytes.length > MAX_PROFILE_IMAGE_BYTES) throw profileImageTooLarge();
  const match = signatures.find(([, matches]) => matches(image.bytes));
  if (!match) throw errors.profile_image_invalid();
  const dimensions = readImageDimensions(match[0], image.bytes);
  if (!dimensions || dimensions.width === 0 || dimensions.height === 0) {
    throw errors.profile_image_invalid("must be an image whose width and height can be read from its header");
  }
  const limit = MAX_PROFILE_IMAGE_PIXELS_PER_SIDE;
  if (dimensions.width > limit || dimensions.height > limit) {
    throw errors.profile_image_dimensions_too_large(limit, dimensions);
  }
  return match[0];
}

/** Replaces the user's picture (inside the caller's transaction); returns the new image id. */
export async function replaceProfileImage(db: Db, deploymentId: string, userId: string, image: UploadedImage, nowMs: number): Promise<string> {
  const contentType = checkProfileImage(image);
  await deleteProfileImagesOfUser(db, deploymentId, userId);
  const id = generateId("img");
  await insertProfileImage(db, deploymentId, { id, userId, contentType, bytes: image.bytes, createdAt: nowMs });
  return id;
}

export const removeProfileImages = deleteProfileImagesOfUser;
