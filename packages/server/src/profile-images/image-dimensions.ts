/**
 * Pixel dimensions read from an image's header, without decoding it: enough to refuse a small
 * file that would decode to gigabytes in every browser that shows it (a decompression bomb).
 * Null when the header cannot be read.
 */
export interface ImageDimensions {
  width: number;
  height: number;
}

export function readImageDimensions(contentType: string, bytes: Buffer): ImageDimensions | null {
  try {
    switch (contentType) {
      case "image/png":
        return readPng(bytes);
      case "image/gif":
        return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
      case "image/jpeg":
        return readJpeg(bytes);
      case "image/webp":
        return readWebp(bytes);
      default:
        return null;
    }
  } catch {
    // A header cut short (a RangeError from a read past the end).
    return null;
  }
}

function readPng(bytes: Buffer): ImageDimensions | null {
  if (bytes.subarray(12, 16).toString("latin1") !== "IHDR") return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The first start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC) carries the frame's size. */
function readJpeg(bytes: Buffer): ImageDimensions | null {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    if (length < 2) return null;
    offset += 2 + length;
  }
  return null;
}

function readWebp(bytes: Buffer): ImageDimensions | null {
  const chunk = bytes.subarray(12, 16).toString("latin1");
  if (chunk === "VP8 ") return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  if (chunk === "VP8L") {
    const bits = bytes.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  return null;
}
