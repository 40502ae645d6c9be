import { describe, expect, it } from "vitest";
import { encodeBodyWithFiles, toFormData } from "../src/core/form-data.js";

describe("encodeBodyWithFiles", () => {
  it("keeps a body without a file as a plain object (sent as JSON)", () => {
    const body = { first_name: "Alice", public_metadata: { role: "admin" } };
    expect(encodeBodyWithFiles(body)).toBe(body);
  });

  it("turns a body with a Blob into multipart fields the server understands", async () => {
    const image = new Blob([new Uint8Array([137, 80, 78, 71])], { type: "image/png" });
    const form = encodeBodyWithFiles({
      first_name: "Alice",
      skip_password_check: true,
      disabled: false,
      public_metadata: { role: "admin" },
      username: undefined,
      profile_image: image,
    });
    expect(form).toBeInstanceOf(FormData);
    const fields = form as FormData;
    expect(fields.get("first_name")).toBe("Alice");
    expect(fields.get("skip_password_check")).toBe("true");
    expect(fields.get("disabled")).toBe("false");
    expect(fields.get("public_metadata")).toBe('{"role":"admin"}');
    expect(fields.has("username")).toBe(false);
    const file = fields.get("profile_image") as File;
    expect(file.name).toBe("profile_image");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([137, 80, 78, 71]));
  });

  it("keeps a File's own name", () => {
    const form = toFormData({ profile_image: new File(["x"], "me.png", { type: "image/png" }) });
    expect((form.get("profile_image") as File).name).toBe("me.png");
  });
});
