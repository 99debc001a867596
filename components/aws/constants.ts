// Facts of the AWS back-end that more than one primitive relies on. Each lives here once.

/** EFS speaks NFS on this port; mount targets accept it from volume clients only. */
export const NFS_PORT = 2049;

export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;

/** TLS 1.3 with TLS 1.2 as the floor: what current clients speak, nothing older. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export const ANY_IPV4 = "0.0.0.0/0";
export const ANY_IPV6 = "::/0";

/** Lets ECS pull images and write logs for a task; secrets are granted separately, one ARN at a time. */
export const TASK_EXECUTION_MANAGED_POLICY = "service-role/AmazonECSTaskExecutionRolePolicy";

/**
 * Each service runs one task. Waiting the default 300 s to drain a task that is already being replaced only
 * lengthens the outage.
 */
export const DEREGISTRATION_DELAY_SECONDS = 30;

/** The longest health check grace period ECS accepts (about 68 years): in effect, never. */
export const ECS_MAX_HEALTH_CHECK_GRACE_SECONDS = 2_147_483_647;

/** Route 53 and Cloudflare TTL when a record does not name one. */
export const DEFAULT_DNS_TTL = 300;

/** How long a deleted secret can be restored. Prod keeps the longest window Secrets Manager allows. */
export const SECRET_RECOVERY_WINDOW_DAYS = { dev: 7, prod: 30 } as const;

/** The recovery window of a profile's secrets: prod's, or the shorter one for every other profile. */
export function secretRecoveryWindowDays(profile: string): number {
    return profile === "prod" ? SECRET_RECOVERY_WINDOW_DAYS.prod : SECRET_RECOVERY_WINDOW_DAYS.dev;
}

/** An ECS service may be attached to at most this many target groups. */
export const MAX_TARGET_GROUPS_PER_SERVICE = 5;
