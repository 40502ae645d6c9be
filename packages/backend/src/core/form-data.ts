/**
 * createUser/updateUser send JSON unless the request carries a file, which only
 * multipart can transport. The server reads multipart text fields the way the
 * published SDK writes them: booleans as "true"/"false", metadata as JSON text.
 */
export function encodeBodyWithFiles(body: object): object | FormData {
  return Object.values(body).some(isBlob) ? toFormData(body) : body;
}

export function toFormData(body: object): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    if (isBlob(value)) form.append(key, value, fileNameOf(value));
    else if (typeof value === "object") form.append(key, JSON.stringify(value));
    else form.append(key, String(value));
  }
  return form;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

// A File keeps its own name; a bare Blob gets one, because multipart parsers
// only treat a part as a file when it has a filename.
function fileNameOf(blob: Blob): string {
  const name = (blob as { name?: unknown }).name;
  return typeof name === "string" && name ? name : "profile_image";
}
