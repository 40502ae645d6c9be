import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readImageDimensions } from "../../src/profile-images/image-dimensions.js";
import { apiClient, uniqueEmail, type ApiCall } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { buildPng, createUser, fileBlob } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/start-server.js";

/** Headers that claim a size: what a decompression bomb looks like to a server that does not decode it. */
function pngClaiming(width: number, height: number): Buffer {
  const png = buildPng(1, 1);
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  return png;
}
const gifClaiming = (width: number, height: number) => {
  const gif = Buffer.alloc(32);
  gif.write("GIF89a", 0, "latin1");
  gif.writeUInt16LE(width, 6);
  gif.writeUInt16LE(height, 8);
  return gif;
};
const jpegClaiming = (width: number, height: number) => {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
};
const webpClaiming = (width: number, height: number) => {
  const webp = Buffer.alloc(40);
  webp.write("RIFF", 0, "latin1");
  webp.writeUInt32LE(32, 4);
  webp.write("WEBPVP8X", 8, "latin1");
  webp.writeUIntLE(width - 1, 24, 3);
  webp.writeUIntLE(height - 1, 27, 3);
  return webp;
};

describe("image headers", () => {
  it("read each format's width and height", () => {
    expect(readImageDimensions("image/png", pngClaiming(640, 480))).toEqual({ width: 640, height: 480 });
    expect(readImageDimensions("image/gif", gifClaiming(320, 200))).toEqual({ width: 320, height: 200 });
    expect(readImageDimensions("image/jpeg", jpegClaiming(1024, 768))).toEqual({ width: 1024, height: 768 });
    expect(readImageDimensions("image/webp", webpClaiming(5000, 7))).toEqual({ width: 5000, height: 7 });
    expect(readImageDimensions("image/png", Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
  });
});

describe.each(DIALECTS)("profile images on %s", (dialect) => {
  let server: TestServer;
  let call: ApiCall;
  beforeAll(async () => {
    server = await startServer(dialect);
    call = apiClient(server.baseUrl, server.apiKey);
  });
  afterAll(async () => server?.close());

  it("refuses a picture whose header claims more than 4096×4096 pixels, in every format, writing nothing", async () => {
    for (const [bytes, type] of [
      [pngClaiming(100_000, 100_000), "image/png"],
      [pngClaiming(4097, 1), "image/png"],
      [gifClaiming(1, 5000), "image/gif"],
      [jpegClaiming(65_000, 65_000), "image/jpeg"],
      [webpClaiming(16_000, 16_000), "image/webp"],
    ] as const) {
      const form = new FormData();
      form.append("email_address", uniqueEmail());
      form.append("skip_password_check", "true");
      form.append("profile_image", fileBlob(bytes, type), "bomb");
      const answer = await call("POST", "/users", form);
      expect(answer.status, type).toBe(400);
      expect(answer.body.code, type).toBe("profile_image_dimensions_too_large");
      expect(answer.body.details.profile_image).toMatch(/^must be at most 4096×4096 pixels \(got \d+×\d+\)$/);
    }
    const count = await server.db
      .selectFrom("profile_images")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it("serves a picture so that, opened on its own, it can run and load nothing", async () => {
    const user = await createUser(call);
    const form = new FormData();
    form.append("profile_image", fileBlob(buildPng(4096, 1)), "wide.png");
    const updated = await call("PATCH", `/users/${user.id}`, form);
    expect(updated.status).toBe(200);
    const picture = await fetch(updated.body.profile_picture_url);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(picture.headers.get("content-disposition")).toBe("inline");
    expect(picture.headers.get("x-content-type-options")).toBe("nosniff");
    expect(picture.headers.get("content-type")).toBe("image/png");
  });
});
