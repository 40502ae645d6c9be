import { NotFoundError, PayloadTooLargeError, ValidationError } from "./classes.js";
import { defineErrors, entry, fieldErrors } from "./define.js";

export const profileImagesErrors = defineErrors({
  profile_image_not_found: entry(NotFoundError, () => "No such profile image."),
  profile_image_too_large: entry(PayloadTooLargeError, (maxSize: string) => fieldErrors({ profile_image: `must be at most ${maxSize}` })),
  profile_image_invalid: entry(ValidationError, (rule = "must be a PNG, JPEG, GIF or WEBP image") => fieldErrors({ profile_image: rule })),
  profile_image_dimensions_too_large: entry(ValidationError, (limit: number, got: { width: number; height: number }) =>
    fieldErrors({ profile_image: `must be at most ${limit}×${limit} pixels (got ${got.width}×${got.height})` }),
  ),
});
