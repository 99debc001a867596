// Every policy of the pack, listed once, in the order verdicts are reported. index.ts serves this list and
// evaluate.ts runs it offline. A new rule (a workload's stack rule: three zones for the IPFS cluster, failover
// for Chainlink) is one module in rules/ built with resourcePolicy or stackPolicy, and one line here.
import { Policies } from "@pulumi/policy";
import { s3EncryptionConfigured, storageEncrypted } from "./encryption";
import {
    databasesPrivate,
    httpListenersRedirectToHttps,
    httpProxiesRedirectToHttps,
    publicIngressOnlySwarmPorts,
    publicWebPortsOnlyOnLoadBalancers,
} from "./exposure";
import { imagesPinned, logRetentionSet, noBurstableDatabasesInProd } from "./hygiene";
import { ipfsClusterSpreadOverZones } from "./ipfsCluster";
import { chainlinkSurvivesZoneLoss } from "./chainlink";
import { ceramicSurvivesZoneLoss } from "./ceramic";
import { containersRunAsNonRoot } from "./nonRoot";
import {
    dataConfigurationNotKept,
    stateOnPersistentVolumes,
    statefulResourcesBackedUp,
    statefulResourcesBackupAttached,
    statefulResourcesProtected,
} from "./persistence";
import { noPlaintextSecrets } from "./secrets";
import { imagesPulledThroughMirror } from "./mirror";

/** The pack's name, as the engine reports and configures it. */
export const PACK_NAME = "web3-nodes";

export const policies: Policies = [
    // persistence
    statefulResourcesProtected,
    dataConfigurationNotKept,
    statefulResourcesBackedUp,
    statefulResourcesBackupAttached,
    stateOnPersistentVolumes,
    // non-root
    containersRunAsNonRoot,
    // exposure
    publicIngressOnlySwarmPorts,
    publicWebPortsOnlyOnLoadBalancers,
    databasesPrivate,
    httpListenersRedirectToHttps,
    httpProxiesRedirectToHttps,
    // secrets
    noPlaintextSecrets,
    // encryption at rest
    storageEncrypted,
    s3EncryptionConfigured,
    // images
    imagesPulledThroughMirror,
    // workloads
    ipfsClusterSpreadOverZones,
    chainlinkSurvivesZoneLoss,
    ceramicSurvivesZoneLoss,
    // advisory
    imagesPinned,
    logRetentionSet,
    noBurstableDatabasesInProd,
];
