package io.gitwarden.upstream;

/**
 * What one forwarded request relayed.
 *
 * @param upstreamStatus the upstream's HTTP status
 * @param bytesToUpstream request body bytes sent
 * @param bytesToClient response body bytes relayed
 * @param upstreamNanos time from sending the request to the end of the response
 */
public record ForwardResult(int upstreamStatus, long bytesToUpstream, long bytesToClient, long upstreamNanos) {

}
