package com.company.database.schemaversion.engine;

import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * IAM database authentication tokens (RDS and Aurora PostgreSQL): a SigV4 presigned "connect" request for one
 * host, port and database user, service rds-db, valid 15 minutes, used as the password. What RdsUtilities'
 * generateAuthenticationToken makes, built on the SDK's SigV4 signer that the handler and the runner already
 * carry, rather than the RDS client (megabytes of API model for one signature).
 *
 * <p>The token is a login for exactly that host, port and user: a server elsewhere learns nothing it could use
 * against the real one, and no password exists anywhere to leak.
 */
public final class IamAuthTokens {
    public static final Duration LIFETIME = Duration.ofMinutes(15);
    /**
     * Tokens are signed as of the start of the current five-minute window: the same login for calls close
     * together, so a warm engine (keyed by its login) is reused; each token is still valid for ten minutes or
     * more after it is made, and a connection needs it only while it logs in.
     */
    static final Duration WINDOW = Duration.ofMinutes(5);

    private IamAuthTokens() {
    }

    /**
     * @param credentials whose role connects: the execution role's (Direct mode) or the runner role's
     * @param region      the region of the database (the request's, the runner's own)
     * @param clock       when the token is made
     */
    public static String token(AwsCredentialsIdentity credentials, String region, String host, int port, String user,
                               Clock clock) {
        SdkHttpFullRequest connect = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol("https")
                .host(host)
                .port(port)
                .encodedPath("/")
                .putRawQueryParameter("DBUser", user)
                .putRawQueryParameter("Action", "connect")
                .build();
        Instant now = clock.instant();
        Instant signedAt = Instant.ofEpochMilli(now.toEpochMilli() - Math.floorMod(now.toEpochMilli(), WINDOW.toMillis()));
        String url = AwsV4HttpSigner.create().sign(r -> r
                        .identity(credentials)
                        .request(connect)
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "rds-db")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, LIFETIME)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().getUri().toString();
        return url.startsWith("https://") ? url.substring("https://".length()) : url;
    }

    /** The decoded value of one query parameter of a token, or null (for scrubbing its secret parts). */
    static String queryValue(String token, String name) {
        if (token == null) {
            return null;
        }
        int query = token.indexOf('?');
        for (String pair : token.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                String raw = pair.substring(eq + 1);
                return raw.isEmpty() ? null : raw;
            }
        }
        return null;
    }

    /** The token's own text is URL-encoded; a driver may quote either form. */
    static String decoded(String value) {
        return value == null ? null : URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
