/**
 * Independent encoders for the tests: each format written out from its published algorithm with
 * node:crypto (or bcryptjs), sharing no code with src/passwords/hashers, so a test can tell a
 * verifier that agrees with the world from one that merely agrees with itself.
 */
import bcryptjs from "bcryptjs";
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";

/** Firebase's modified scrypt, as its README describes: the signer key AES-256-CTR-encrypted under scrypt(password, salt ‖ separator). */
export function firebaseScryptHash(
  password: string,
  config: { salt: Buffer; saltSeparator: Buffer; signerKey: Buffer; rounds: number; memCost: number },
): Buffer {
  const N = 2 ** config.memCost;
  const key = scryptSync(password, Buffer.concat([config.salt, config.saltSeparator]), 32, { N, r: config.rounds, p: 1, maxmem: 256 * N * config.rounds });
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(config.signerKey), cipher.final()]);
}

/** Better Auth's stored password: `<hex salt>:<hex key>`, the salt passed to scrypt as its hex text, the password NFKC. */
export function betterAuthHash(password: string, saltHex = randomBytes(16).toString("hex")): string {
  const key = scryptSync(password.normalize("NFKC"), saltHex, 64, { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 });
  return `${saltHex}:${key.toString("hex")}`;
}

/** Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`. */
export function djangoHash(password: string, salt: string, iterations: number): string {
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64")}`;
}

/** PHC `$pbkdf2-<digest>$i=…,l=…$<salt>$<hash>`, base64 unpadded (Auth0's import format). */
export function phcPbkdf2Hash(password: string, digest: "sha256" | "sha512", iterations: number, keyLength: number, salt = randomBytes(16)): string {
  const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");
  return `$pbkdf2-${digest}$i=${iterations},l=${keyLength}$${b64(salt)}$${b64(pbkdf2Sync(password, salt, iterations, keyLength, digest))}`;
}

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** phpass's encode64, transcribed from PasswordHash.php's do/while loop. */
function phpassEncode64(input: Buffer, count: number): string {
  let output = "";
  let i = 0;
  do {
    let value = input[i++]!;
    output += ITOA64[value & 0x3f];
    if (i < count) value |= input[i]! << 8;
    output += ITOA64[(value >> 6) & 0x3f];
    if (i++ >= count) break;
    if (i < count) value |= input[i]! << 16;
    output += ITOA64[(value >> 12) & 0x3f];
    if (i++ >= count) break;
    output += ITOA64[(value >> 18) & 0x3f];
  } while (i < count);
  return output;
}

/** phpass's crypt_private: md5(salt . password), then md5(hash . password) 2^log2Count times. */
export function phpassHash(password: string, log2Count: number, salt = "abcdefgh", id: "$P$" | "$H$" = "$P$"): string {
  let hash = createHash("md5")
    .update(salt + password)
    .digest();
  for (let count = 2 ** log2Count; count > 0; count--)
    hash = createHash("md5")
      .update(Buffer.concat([hash, Buffer.from(password)]))
      .digest();
  return `${id}${ITOA64[log2Count]}${salt}${phpassEncode64(hash, 16)}`;
}

/** WordPress 6.8's wp_hash_password: '$wp' . password_hash(base64_encode(hash_hmac('sha384', $password, 'wp-sha384', true)), PASSWORD_BCRYPT). */
export function wordpressBcryptHash(password: string, cost = 4): string {
  const preHashed = createHmac("sha384", "wp-sha384").update(password).digest("base64");
  return `$wp${bcryptjs.hashSync(preHashed, cost).replace(/^\$2b\$/, "$2y$")}`;
}
