import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

/**
 * A software WebAuthn authenticator for tests: a P-256 key made with node:crypto, "none"
 * attestation, and the attestation object and authenticator data written byte by byte (with the
 * small CBOR encoder below), as a platform authenticator would produce them. It answers the
 * options our server hands out exactly as navigator.credentials.create()/get() would, as JSON.
 */

// ---- a tiny CBOR encoder (RFC 8949): just the types WebAuthn uses --------------------------

type CborValue = number | string | Uint8Array | CborValue[] | Map<number | string, CborValue>;

function cborHead(majorType: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(majorType << 5) | length]);
  if (length < 0x100) return Buffer.from([(majorType << 5) | 24, length]);
  if (length < 0x10000) {
    const head = Buffer.alloc(3);
    head[0] = (majorType << 5) | 25;
    head.writeUInt16BE(length, 1);
    return head;
  }
  const head = Buffer.alloc(5);
  head[0] = (majorType << 5) | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
  const entries = [...value.entries()];
  return Buffer.concat([cborHead(5, entries.length), ...entries.flatMap(([key, entry]) => [encodeCbor(key), encodeCbor(entry)])]);
}

// ---- the authenticator -------------------------------------------------------------------

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const b64url = (bytes: Buffer | Uint8Array) => Buffer.from(bytes).toString("base64url");

/** One credential the authenticator holds (a resident key: it remembers the user handle). */
export interface SoftCredential {
  credentialId: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  rpId: string;
  userHandle: string;
  signCount: number;
}

export interface SoftAuthenticatorOptions {
  /** Whether the credential says it is synced (backup eligible and backed up): a "multiDevice" passkey. */
  backedUp?: boolean;
  /** The origin the "browser" puts in clientDataJSON; tests change it to play a phishing site. */
  origin: string;
}

/** The COSE_Key of a P-256 public key: {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}. */
function coseKeyOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  return encodeCbor(
    new Map<number, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, "base64url")],
      [-3, Buffer.from(jwk.y!, "base64url")],
    ]),
  );
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  constructor(readonly options: SoftAuthenticatorOptions) {}

  private flags(extra: number): number {
    const backup = this.options.backedUp ? FLAG_BACKUP_ELIGIBLE | FLAG_BACKED_UP : 0;
    return FLAG_USER_PRESENT | FLAG_USER_VERIFIED | backup | extra;
  }

  private clientData(type: "webauthn.create" | "webauthn.get", challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.options.origin, crossOrigin: false }), "utf8");
  }

  /** navigator.credentials.create({publicKey: options}) → the credential as JSON. */
  createCredential(options: any): any {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const credentialId = randomBytes(32);
    const rpId: string = options.rp.id;
    const credential: SoftCredential = { credentialId, privateKey, publicKey, rpId, userHandle: options.user.id, signCount: 0 };
    this.credentials.push(credential);

    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.signCount);
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(credentialId.length);
    const authenticatorData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(FLAG_ATTESTED_CREDENTIAL)]),
      counter,
      Buffer.alloc(16), // AAGUID: all zeros, as a "none" attestation may send
      credentialIdLength,
      credentialId,
      coseKeyOf(publicKey),
    ]);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authenticatorData],
      ]),
    );
    return {
      id: b64url(credentialId),
      rawId: b64url(credentialId),
      type: "public-key",
      response: {
        clientDataJSON: b64url(this.clientData("webauthn.create", options.challenge)),
        attestationObject: b64url(attestationObject),
        transports: ["internal", "hybrid"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * navigator.credentials.get({publicKey: options}) with a discoverable credential → the
   * assertion as JSON. Each use moves the counter forward, as a real authenticator does.
   */
  getAssertion(options: any, credential: SoftCredential = this.credentials[0]!): any {
    credential.signCount += 1;
    return this.assertWith(options, credential, credential.signCount);
  }

  /** An assertion with a chosen counter: what a clone of the key, with its own counter, would send. */
  assertWith(options: any, credential: SoftCredential, signCount: number): any {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(signCount);
    const authenticatorData = Buffer.concat([sha256(options.rpId ?? credential.rpId), Buffer.from([this.flags(0)]), counter]);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge);
    // ES256: ECDSA over authenticatorData ‖ SHA-256(clientDataJSON), DER-encoded (node's default).
    const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.credentialId),
      rawId: b64url(credential.credentialId),
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
