import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../errors.js";
import { Id } from "../http/common.schemas.js";
import { findProfileImage } from "./profile-images.service.js";

/** Public: profile_picture_url must load in a browser without an API key. */
export const profileImagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/profile-images/:imageId",
    { schema: { tags: ["users"], summary: "A user's profile picture", params: Type.Object({ imageId: Id }) } },
    async (request, reply) => {
      const image = await findProfileImage(app.db, request.params.imageId);
      if (!image) throw errors.profile_image_not_found();
      // A new picture gets a new id, so a URL's bytes never change: cache them for a year.
      return (
        reply
          .header("cache-control", "public, max-age=31536000, immutable")
          .header("x-content-type-options", "nosniff")
          // Opened directly, the picture is a document of our origin: it may run nothing and load nothing.
          .header("content-security-policy", "default-src 'none'; sandbox")
          .header("content-disposition", "inline")
          .type(image.contentType)
          .send(image.bytes)
      );
    },
  );
};
