import * as assert from "assert";
import * as crypto from "crypto";
import { PeerIdentity, peerKeyFromSeed } from "../components/libp2p/identity";
import { synthesize } from "../tools/harness";
import { esm } from "./fixtures";
import { referenceKey } from "./support";


describe("libp2p peer identity", () => {
    it("derives the same peer ID and private key as the reference libp2p implementation", async () => {
        const { privateKeyFromProtobuf, privateKeyToProtobuf } = await esm("@libp2p/crypto/keys");
        const { peerIdFromPrivateKey } = await esm("@libp2p/peer-id");
        for (let i = 0; i < 20; i++) {
            const seed = crypto.randomBytes(32);
            const ours = peerKeyFromSeed(seed);
            const reference = await referenceKey(seed);
            assert.strictEqual(ours.peerId, peerIdFromPrivateKey(reference).toString());
            assert.strictEqual(ours.privateKey, Buffer.from(privateKeyToProtobuf(reference)).toString("base64"));
            // And the reference reads our encoding back to the same peer.
            const decoded = privateKeyFromProtobuf(Buffer.from(ours.privateKey, "base64"));
            assert.strictEqual(peerIdFromPrivateKey(decoded).toString(), ours.peerId);
            assert.match(ours.peerId, /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
        }
    });

    it("is stable across runs: the same state gives the same peer ID, and the key stays secret", async () => {
        const runOnce = () => synthesize({
            project: "web3-nodes",
            stack: "test",
            config: {},
            program: async () => {
                const identity = new PeerIdentity("peer-0");
                return { peerId: identity.peerId, privateKey: identity.privateKey };
            },
        });
        const first = await runOnce();
        const second = await runOnce();
        assert.match(String(first.outputs.peerId), /^12D3KooW/);
        assert.strictEqual(first.outputs.peerId, second.outputs.peerId);
        assert.strictEqual(first.outputs.privateKey, "[secret]");
        const seed = first.resources.find(r => r.type === "random:index/randomBytes:RandomBytes")!;
        assert.ok(seed.options.protect && seed.options.retainOnDelete, "the seed that is the identity must be protected");
    });
});
