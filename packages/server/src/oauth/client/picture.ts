import type { ProviderKind } from "../../oauth-providers/provider-kinds.js";
import { MAX_PROFILE_IMAGE_BYTES, checkProfileImage } from "../../profile-images/profile-images.service.js";
import { fetchProviderFile } from "./outbound.js";
import type { ProviderEndpoints } from "./provider-directory.js";

const isHostOrSubdomain = (host: string, allowed: string) => host === allowed || host.endsWith(`.${allowed}`);

/**
 * The picture a provider names for a new user, when it is served from the provider itself (its
 * endpoints' origins, or the kind's known picture hosts such as googleusercontent.com) and is a
 * real image of at most 2 MiB. Anything else is null: the user is created without a picture.
 */
export async function fetchProviderPicture(
  pictureUrl: string | null,
  kind: ProviderKind,
  endpoints: ProviderEndpoints,
  timeoutMs: number,
): Promise<Buffer | null> {
  if (pictureUrl === null) return null;
  const bytes = await fetchProviderFile(pictureUrl, {
    timeoutMs,
    maxBytes: MAX_PROFILE_IMAGE_BYTES,
    isAllowed: (url) =>
      endpoints.allowedOrigins.has(url.origin) || (url.protocol === "https:" && kind.pictureHosts.some((host) => isHostOrSubdomain(url.hostname, host))),
  });
  if (!bytes) return null;
  try {
    checkProfileImage({ bytes });
    return bytes;
  } catch {
    return null;
  }
}
