import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { decrypt, encrypt } from '../gusto/seal.js';
import type { Config } from './config.js';
import type { PayloadKey } from './config-variables.js';

/**
 * Payload encryption (AES-256-GCM). Pay amounts, names and bank details travel in workflow inputs and
 * results, which Temporal stores; encrypted, its database and UI show only ciphertext. The key id is
 * kept in the payload's metadata so keys can rotate: the first configured key encrypts, every
 * configured key decrypts.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const text = new TextEncoder();
const fromText = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: PayloadKey[]) {
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((payload) => ({
      metadata: { encoding: text.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text.encode(id) },
      data: encrypt(key, id, serialize(payload)),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before encryption was switched on stay readable.
      if (decodeText(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = decodeText(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.byId.get(id);
      if (!key)
        throw new Error(`payload encrypted with key "${id}", which PAYLOAD_ENCRYPTION_KEY does not hold`);
      return deserialize(decrypt(key, id, payload.data ?? new Uint8Array()));
    });
  }
}

/** The data converter both workers and clients must use when PAYLOAD_ENCRYPTION_KEY is set. */
export function dataConverterFromConfig(config: Pick<Config, 'payloadKeys'>): DataConverter | undefined {
  return config.payloadKeys.length > 0
    ? { payloadCodecs: [new AesGcmPayloadCodec(config.payloadKeys)] }
    : undefined;
}

/** The whole original payload (metadata included) is what gets encrypted. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  );
  const data = Buffer.from(payload.data ?? new Uint8Array()).toString('base64');
  return Buffer.from(JSON.stringify({ metadata, data }));
}

function deserialize(plain: Buffer): Payload {
  const parsed = JSON.parse(plain.toString()) as { metadata: Record<string, string>; data: string };
  return {
    metadata: Object.fromEntries(
      Object.entries(parsed.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(parsed.data, 'base64'),
  };
}

function decodeText(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? fromText.decode(bytes) : undefined;
}
