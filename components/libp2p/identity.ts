// libp2p peer identities made once from random bytes held (secret) in Pulumi state, so a peer keeps its ID
// when its volume is lost. The encoding is libp2p's: the private key is the protobuf
// { Type: Ed25519, Data: seed || publicKey } in base64, the peer ID the identity multihash of the protobuf
// public key in base58btc (12D3KooW...). kubo and ipfs-cluster read both forms.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import bs58 from "bs58";
import { DATA_PROTECTION } from "../topology";

const ED25519_KEY_TYPE = 1;
/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const IDENTITY_MULTIHASH = 0x00;

/** A protobuf message of the libp2p key shape: field 1 (varint key type), field 2 (bytes). */
function keyProtobuf(data: Buffer): Buffer {
    if (data.length > 127) throw new Error("key data too long for a one-byte length");
    return Buffer.concat([Buffer.from([0x08, ED25519_KEY_TYPE, 0x12, data.length]), data]);
}

export function ed25519PublicKey(seed: Buffer): Buffer {
    if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
    const privateKey = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
    const spki = crypto.createPublicKey(privateKey).export({ format: "der", type: "spki" });
    return spki.subarray(spki.length - 32);
}

export interface PeerKey {
    /** base64 of the protobuf private key: kubo's Identity.PrivKey, ipfs-cluster's private_key. */
    privateKey: string;
    /** The 12D3KooW... peer ID. */
    peerId: string;
}

export function peerKeyFromSeed(seed: Buffer): PeerKey {
    const publicKey = ed25519PublicKey(seed);
    const privateKey = keyProtobuf(Buffer.concat([seed, publicKey])).toString("base64");
    const publicProtobuf = keyProtobuf(publicKey);
    const multihash = Buffer.concat([Buffer.from([IDENTITY_MULTIHASH, publicProtobuf.length]), publicProtobuf]);
    return { privateKey, peerId: bs58.encode(multihash) };
}

/** A peer identity kept in Pulumi state: the private key is secret, the peer ID is not. */
export class PeerIdentity extends pulumi.ComponentResource {
    readonly privateKey: pulumi.Output<string>;
    readonly peerId: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("web3-nodes:libp2p:PeerIdentity", name, {}, opts);
        // Replacing these bytes changes the peer ID: protect them like the data the peer holds.
        const seed = new random.RandomBytes(`${name}-seed`, { length: 32 }, { parent: this, ...DATA_PROTECTION });
        const key = seed.base64.apply(b64 => peerKeyFromSeed(Buffer.from(b64, "base64")));
        this.privateKey = pulumi.secret(key.privateKey);
        this.peerId = pulumi.unsecret(key.peerId);
        this.registerOutputs({ peerId: this.peerId });
    }
}
