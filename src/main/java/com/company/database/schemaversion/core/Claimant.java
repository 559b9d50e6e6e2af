package com.company.database.schemaversion.core;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A resource asking for (or holding) the claim on its database schema: its Id, the stack and logical id that
 * own it, the digest of the request that created it (so that a retry of that Create, and no other request,
 * finds the claim its own), and the OnDelete it declares. Null stack and logical id: created through Cloud
 * Control. Nothing here is a secret; none of it reaches SQL except as a bound parameter.
 */
public record Claimant(String resourceId, String stackId, String logicalId, String createRequest, String onDelete) {
    public static final Set<String> ON_DELETE = Set.of("Retain", "Clean");

    public Claimant {
        check(resourceId != null && !resourceId.isEmpty() && resourceId.length() <= 256, "resource id");
        check(stackId == null || stackId.length() <= 2048, "stack id");
        check(logicalId == null || logicalId.length() <= 512, "logical id");
        check(createRequest == null || createRequest.matches("^[0-9a-f]{64}$"), "create request");
        check(ON_DELETE.contains(onDelete), "OnDelete");
    }

    /** Whether a claim recorded in the database is this resource's. */
    public boolean holds(Claim claim) {
        return claim != null && resourceId.equals(claim.resourceId()) && Objects.equals(stackId, claim.stackId())
                && Objects.equals(logicalId, claim.logicalId()) && Objects.equals(createRequest, claim.createRequest());
    }

    /**
     * The resource Id of a database schema: database.schema.hash(host:port/database/schema). The handler derives
     * it from the model, the VPC runner from its configuration, so the runner can tell that a claim it is asked
     * to make names the schema it was configured for.
     */
    public static String resourceIdOf(String host, int port, String database, String schema) {
        String key = host.toLowerCase(Locale.ROOT) + ":" + port + "/" + database + "/" + schema;
        return database + "." + schema + "." + Digests.sha256Hex(key).substring(0, 12);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new ReconcileException(Reason.INVALID_INPUT, "Invalid claim: malformed " + what + ".");
        }
    }
}
