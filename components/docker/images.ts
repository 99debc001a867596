// The images the Docker back-end runs of its own, each pinned here once with the user it runs as. The
// workloads' images are theirs (components/*/images.ts); these hold a service together on one engine.
import type { RunAs } from "../topology";
import { POSTGRES_VERSIONS } from "../topology/postgres";

/**
 * busybox, the stable line (docker-library/official-images library/busybox: 1.38 is tagged `unstable`, 1.37.0
 * the newest stable): holds a service's network namespace and its memory volumes (`sleep`), delivers secrets,
 * and prepares a new volume's directory. Its /tmp is root's, mode 1777 (docker-library/busybox
 * Dockerfile.builder applies buildroot's system/device_table.txt: /tmp d 1777 0 0), which a new volume mounted
 * there copies.
 * `nobody` (65534:65534) runs it wherever the directory it prepares does not need another owner.
 */
export const BUSYBOX_IMAGE = "busybox:1.37.0";
export const HOLDER_USER: RunAs = { uid: 65534, gid: 65534 };

/**
 * Caddy, the HTTPS entry point: its local CA (`tls internal`) signs every <label>.localhost name. 2.11.4 is the
 * newest release of the official image (docker-library/official-images library/caddy, caddyserver/caddy-docker
 * 2.11/alpine). The image runs as root by default; here as an unprivileged user, since the directories it writes
 * (/config/caddy, /data/caddy) are mode 1777 in the image.
 */
export const CADDY_IMAGE = "caddy:2.11.4-alpine";
export const CADDY_USER: RunAs = { uid: 10001, gid: 10001 };

/**
 * HAProxy, the pass-through addresses: TCP proxying with a TCP connect check per server, what a cloud's network
 * load balancer does. 3.4.3 is the newest LTS (library/haproxy: `3.4.3, 3.4, latest, lts`); the image creates
 * and runs as `haproxy`, uid and gid 99 (docker-library/haproxy 3.4/alpine/Dockerfile: addgroup --gid 99,
 * adduser --uid 99, USER haproxy).
 */
export const HAPROXY_IMAGE = "haproxy:3.4.3-alpine";
export const HAPROXY_USER: RunAs = { uid: 99, gid: 99 };

/**
 * Postgres by major version: each line's newest release (library/postgres, the Debian bookworm variants), whose
 * `postgres` user is uid and gid 999 (docker-library/postgres Dockerfile: groupadd -r postgres --gid=999,
 * useradd -r -g postgres --uid=999). The entrypoint runs initdb as that user when PGDATA is its own.
 */
export const POSTGRES_IMAGES: Record<number, string> = {
    14: "postgres:14.24-bookworm",
    15: "postgres:15.19-bookworm",
    16: "postgres:16.15-bookworm",
    17: "postgres:17.11-bookworm",
};
export const POSTGRES_USER: RunAs = { uid: 999, gid: 999 };

export function postgresImage(version: number): string {
    const image = POSTGRES_IMAGES[version];
    if (image === undefined) throw new Error(`postgres version ${version}: the local back-end runs ${Object.keys(POSTGRES_IMAGES).join(", ")} (${POSTGRES_VERSIONS.min} to ${POSTGRES_VERSIONS.max})`);
    return image;
}
