package io.gitwarden.auth;

/**
 * git-warden's own signing material for the tokens it mints: its asymmetric issuer key, the shared
 * HMAC secret, both, or neither (then only an external issuer can mint tokens).
 *
 * @param issuerKey {@code warden.issuer.private-key}, or {@code null}
 * @param hmac {@code warden.auth.hmac-secret} (or the demo mode's random secret), or {@code null}
 */
record SigningKeys(IssuerKey issuerKey, HmacVerificationKeys hmac) {

}
