// Type tokens of the cloud resources the rules inspect, as the providers register them (checked against
// @pulumi/aws 7, @pulumi/gcp 9 and @pulumi/docker 5). The pack compares tokens instead of importing the
// provider SDKs, so it installs and loads with @pulumi/policy alone.
export const T = {
    // AWS storage and databases
    efsFileSystem: "aws:efs/fileSystem:FileSystem",
    efsBackupPolicy: "aws:efs/backupPolicy:BackupPolicy",
    efsAccessPoint: "aws:efs/accessPoint:AccessPoint",
    s3Bucket: "aws:s3/bucket:Bucket",
    s3BucketV2: "aws:s3/bucketV2:BucketV2",
    s3Versioning: "aws:s3/bucketVersioning:BucketVersioning",
    s3VersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    s3Encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    s3EncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsInstance: "aws:rds/instance:Instance",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    ebsVolume: "aws:ebs/volume:Volume",
    ec2Instance: "aws:ec2/instance:Instance",
    ec2LaunchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    // AWS network
    subnet: "aws:ec2/subnet:Subnet",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    lbLoadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    albLoadBalancer: "aws:alb/loadBalancer:LoadBalancer",
    lbListener: "aws:lb/listener:Listener",
    albListener: "aws:alb/listener:Listener",
    lbListenerRule: "aws:lb/listenerRule:ListenerRule",
    albListenerRule: "aws:alb/listenerRule:ListenerRule",
    // AWS compute and logs
    ecsTaskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    ecsService: "aws:ecs/service:Service",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    // GCP storage and databases
    gceDisk: "gcp:compute/disk:Disk",
    gceRegionDisk: "gcp:compute/regionDisk:RegionDisk",
    gceDiskPolicyAttachment: "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment",
    gceRegionDiskPolicyAttachment: "gcp:compute/regionDiskResourcePolicyAttachment:RegionDiskResourcePolicyAttachment",
    gceResourcePolicy: "gcp:compute/resourcePolicy:ResourcePolicy",
    gcsBucket: "gcp:storage/bucket:Bucket",
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
    // GCP network
    firewall: "gcp:compute/firewall:Firewall",
    forwardingRule: "gcp:compute/forwardingRule:ForwardingRule",
    globalForwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    targetHttpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
    regionTargetHttpProxy: "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy",
    urlMap: "gcp:compute/uRLMap:URLMap",
    regionUrlMap: "gcp:compute/regionUrlMap:RegionUrlMap",
    // GCP compute and logs
    gceInstanceTemplate: "gcp:compute/instanceTemplate:InstanceTemplate",
    gceRegionInstanceTemplate: "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
    gceInstance: "gcp:compute/instance:Instance",
    gceInstanceGroupManager: "gcp:compute/instanceGroupManager:InstanceGroupManager",
    gceRegionInstanceGroupManager: "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
    gcePerInstanceConfig: "gcp:compute/perInstanceConfig:PerInstanceConfig",
    gceRegionPerInstanceConfig: "gcp:compute/regionPerInstanceConfig:RegionPerInstanceConfig",
    logBucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    cloudRunJob: "gcp:cloudrunv2/job:Job",
    cloudRunService: "gcp:cloudrunv2/service:Service",
    // Registry mirrors
    ecrPullThroughCacheRule: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
    artifactRegistryRepository: "gcp:artifactregistry/repository:Repository",
    // Docker
    dockerContainer: "docker:index/container:Container",
    dockerRemoteImage: "docker:index/remoteImage:RemoteImage",
    dockerVolume: "docker:index/volume:Volume",
    // The project's zonal service: a component that publishes its containers as its inputs (containers.ts
    // PublishedServiceShape; tests/container-specs.test.ts binds it to components/topology COMPONENT_TYPES.service).
    zonalService: "web3-nodes:topology:ZonalService",
} as const;

export const S3_BUCKETS = [T.s3Bucket, T.s3BucketV2];
export const AWS_LOAD_BALANCERS = [T.lbLoadBalancer, T.albLoadBalancer];
export const AWS_LISTENERS = [T.lbListener, T.albListener];
export const AWS_SECURITY_GROUPS = [T.securityGroup, T.defaultSecurityGroup];
export const GCE_VM_TYPES = [T.gceInstanceTemplate, T.gceRegionInstanceTemplate, T.gceInstance];
/**
 * Resources that run containers: ECS task definitions, GCE VMs running `docker run` at boot, docker containers,
 * and the zonal service whose published specs those task definitions and VMs run.
 */
export const CONTAINER_TYPES = [T.ecsTaskDefinition, ...GCE_VM_TYPES, T.dockerContainer, T.zonalService];
export const AWS_DATABASES = [T.rdsCluster, T.rdsInstance];

/** The resources that hold data: each must be protected from deletion, backed up and encrypted. */
export const STATEFUL_TYPES = [
    T.efsFileSystem, ...S3_BUCKETS, ...AWS_DATABASES, T.gceDisk, T.gceRegionDisk, T.gcsBucket, T.cloudSql, T.dockerVolume,
];

/**
 * Configuration around a volume, bucket or disk: replaced or removed on its own, never kept. Protected, its
 * replacement fails; retained, a destroy leaves it in the cloud (a mount target's network interface, a
 * schedule's name that the next deployment then cannot take).
 */
export const DATA_CONFIGURATION_TYPES = [
    "aws:efs/mountTarget:MountTarget",
    T.efsBackupPolicy,
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    T.efsAccessPoint,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    T.s3Versioning,
    T.s3Encryption,
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    T.gceResourcePolicy,
    T.gceDiskPolicyAttachment,
    T.gceRegionDiskPolicyAttachment,
];
