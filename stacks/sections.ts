// The configuration sections of the workloads. A workload adds its keys by adding one entry here: the
// section reads and validates its own object (`web3-nodes:<key>`) and the typed result appears on StackConfig.
import { Cloud, Profile } from "../components/topology";
import { readIpfsClusterSettings } from "../components/ipfs-cluster/config";
import { readChainlinkSettings } from "../components/chainlink/config";
import { readCeramicSettings } from "../components/ceramic/config";
import { HOSTNAMES as IPFS_CLUSTER_HOSTNAMES } from "../components/ipfs-cluster";
import { HOSTNAME as CHAINLINK_HOSTNAME } from "../components/chainlink";
import { HOSTNAMES as CERAMIC_HOSTNAMES } from "../components/ceramic";
import { Reader } from "./validate";

export interface ConfigSection<T> {
    /** Reads the section's object; records problems on the reader rather than throwing. */
    read(reader: Reader, base: { cloud: Cloud; profile: Profile }): T;
    /** The labels the workload serves under the stack's domain when it is enabled (`<label>.<domain>`). */
    hostnames: readonly string[];
}

export const workloadSections = {
    ipfsCluster: { read: readIpfsClusterSettings, hostnames: Object.values(IPFS_CLUSTER_HOSTNAMES) },
    chainlink: { read: readChainlinkSettings, hostnames: [CHAINLINK_HOSTNAME] },
    ceramic: { read: readCeramicSettings, hostnames: Object.values(CERAMIC_HOSTNAMES) },
} satisfies Record<string, ConfigSection<unknown>>;

export type WorkloadConfigs = {
    [K in keyof typeof workloadSections]: (typeof workloadSections)[K] extends ConfigSection<infer T> ? T : never;
};
