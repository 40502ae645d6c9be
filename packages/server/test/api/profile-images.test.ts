import { describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers/api.js";
import { DIALECTS } from "../helpers/dialects.js";
import { GOOD_PASSWORD, buildPng, countRowsOfUser, createUser, fileBlob, getDetails } from "../helpers/fixtures.js";
import { useServer } from "../helpers/use-server.js";

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** The published SDK's multipart body with a file attached. */
function formWithImage(fields: Record<string, string>, image: Buffer, fileName = "me.png", type = "image/png"): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("profile_image", fileBlob(image, type), fileName);
  return form;
}

describe.each(DIALECTS)("profile images on %s", (dialect) => {
  const server = useServer(dialect);
  const call = server.call;

  const newUserFields = () => ({ first_name: "Pic", last_name: "Ture", email_address: uniqueEmail("pic"), password: GOOD_PASSWORD });

  async function fetchPublic(url: string) {
    // No Authorization header: a browser loads the picture on its own.
    const response = await fetch(url);
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  it("serves the picture given at create publicly, with its content type and a long-lived cache-control", async () => {
    const png = buildPng(3, 2, [10, 200, 30]);
    const created = await call("POST", "/users", formWithImage(newUserFields(), png));
    expect(created.status).toBe(200);
    const url = created.body.profile_picture_url;
    expect(url).toMatch(new RegExp(`^${server.baseUrl}/profile-images/img_[0-9a-z]+$`));
    expect((await getDetails(call, created.body.id)).profile_picture_url).toBe(url);
    expect((await call("GET", `/users?user_id=${created.body.id}`)).body.data[0].profile_picture_url).toBe(url);

    const image = await fetchPublic(url);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    const cacheControl = image.headers.get("cache-control") ?? "";
    expect(cacheControl).toContain("public");
    expect(Number(/max-age=(\d+)/.exec(cacheControl)?.[1])).toBeGreaterThanOrEqual(30 * 24 * 60 * 60);
    expect(image.bytes.equals(png)).toBe(true);
  });

  it("replaces the picture on update: a new URL, and the old one is gone", async () => {
    const created = await call("POST", "/users", formWithImage(newUserFields(), buildPng(1, 1, [1, 2, 3])));
    const oldUrl = created.body.profile_picture_url;
    const replacement = buildPng(4, 4, [250, 250, 0]);
    const updated = await call("PATCH", `/users/${created.body.id}`, formWithImage({ first_name: "Renamed" }, replacement, "new.png"));
    expect(updated.status).toBe(200);
    expect(updated.body.first_name).toBe("Renamed");
    const newUrl = updated.body.profile_picture_url;
    expect(newUrl).toMatch(/\/profile-images\/img_/);
    expect(newUrl).not.toBe(oldUrl);
    expect((await fetchPublic(newUrl)).bytes.equals(replacement)).toBe(true);
    const old = await fetchPublic(oldUrl);
    expect(old.status).toBe(404);
    expect(JSON.parse(old.bytes.toString()).code).toBe("profile_image_not_found");
    expect(await countRowsOfUser(server.db, "profile_images", created.body.id)).toBe(1);
  });

  it("adds a picture to a user who had none", async () => {
    const user = await createUser(call);
    expect(user.profile_picture_url).toBeNull();
    const png = buildPng();
    const updated = await call("PATCH", `/users/${user.id}`, formWithImage({}, png));
    expect(updated.status).toBe(200);
    expect((await fetchPublic(updated.body.profile_picture_url)).bytes.equals(png)).toBe(true);
  });

  it("refuses a text file named .png with 400 naming profile_image, creating nothing", async () => {
    const fields = newUserFields();
    const response = await call("POST", "/users", formWithImage(fields, Buffer.from("just some text, not a picture\n"), "fake.png"));
    expect(response.status).toBe(400);
    expect(response.body.details).toHaveProperty("profile_image");
    expect((await call("GET", `/users?email_address=${encodeURIComponent(fields.email_address)}`)).body.total).toBe(0);

    const user = await createUser(call);
    const update = await call("PATCH", `/users/${user.id}`, formWithImage({ first_name: "Nope" }, Buffer.from("<svg></svg>"), "x.png"));
    expect(update.status).toBe(400);
    expect(update.body.details).toHaveProperty("profile_image");
    expect((await getDetails(call, user.id)).first_name).toBe("Test");
  });

  it("refuses a picture over 2 MiB with 413, creating nothing", async () => {
    const fields = newUserFields();
    const big = Buffer.concat([buildPng(), Buffer.alloc(MAX_IMAGE_BYTES, 7)]);
    const response = await call("POST", "/users", formWithImage(fields, big));
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: "profile_image_too_large", details: { profile_image: expect.stringContaining("2 MiB") } });
    expect((await call("GET", `/users?email_address=${encodeURIComponent(fields.email_address)}`)).body.total).toBe(0);

    const exactlyMax = Buffer.concat([buildPng(), Buffer.alloc(MAX_IMAGE_BYTES - buildPng().length, 7)]);
    expect(exactlyMax.length).toBe(MAX_IMAGE_BYTES);
    const atLimit = await call("POST", "/users", formWithImage(newUserFields(), exactlyMax));
    expect(atLimit.status).toBe(200);

    // Far over the limit (and over the whole-body limit), on update: the same answer, nothing changed.
    const user = await createUser(call);
    const huge = Buffer.concat([buildPng(), Buffer.alloc(5 * 1024 * 1024, 1)]);
    const update = await call("PATCH", `/users/${user.id}`, formWithImage({ first_name: "Huge" }, huge));
    expect(update.status).toBe(413);
    expect(update.body.details).toHaveProperty("profile_image");
    expect(await getDetails(call, user.id)).toMatchObject({ first_name: "Test", profile_picture_url: null });
  });

  it("remove_profile_image: true clears the URL and the old URL answers 404", async () => {
    const created = await call("POST", "/users", formWithImage(newUserFields(), buildPng()));
    const url = created.body.profile_picture_url;
    const form = new FormData();
    form.append("remove_profile_image", "true");
    const removed = await call("PATCH", `/users/${created.body.id}`, form);
    expect(removed.status).toBe(200);
    expect(removed.body.profile_picture_url).toBeNull();
    expect((await getDetails(call, created.body.id)).profile_picture_url).toBeNull();
    expect((await fetchPublic(url)).status).toBe(404);
    expect(await countRowsOfUser(server.db, "profile_images", created.body.id)).toBe(0);

    // JSON works too, and removing when there is none is fine.
    const again = await call("PATCH", `/users/${created.body.id}`, { remove_profile_image: true });
    expect(again.status).toBe(200);
    expect(again.body.profile_picture_url).toBeNull();
  });

  it("answers 404 for an unknown image id without a key", async () => {
    const response = await fetchPublic(`${server.baseUrl}/profile-images/img_doesnotexist`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
  });
});
