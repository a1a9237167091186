/**
 * The GitHub API for the session: REST under {@code /api/v3/...} and GraphQL at {@code POST /api/graphql},
 * in GitHub Enterprise Server's layout so that {@code gh} works with {@code GH_HOST=<git-warden>} and the
 * session token. Deny by default: an allowlist of reads of the granted repositories and of the writes that
 * open, update and comment on the session's own pull requests; everything else is refused and never
 * forwarded. See {@code docs/github-api.md}.
 */
package io.gitwarden.githubapi;
