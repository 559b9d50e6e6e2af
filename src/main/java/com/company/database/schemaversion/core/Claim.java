package com.company.database.schemaversion.core;

import java.time.Instant;

/**
 * The claim on one database schema as the database itself records it (see guides/security.md, "Claims"):
 * whoever names the server by another host name finds the same claim.
 *
 * @param createdHistory the claim started the schema's history on an empty or missing schema: its objects are
 *                       this resource's to drop (OnDelete: Clean)
 * @param onDelete       the OnDelete the resource last declared in an operation that succeeded
 */
public record Claim(String resourceId, String stackId, String logicalId, String createRequest,
                    boolean createdHistory, String onDelete, Instant claimedAt) {

    public boolean cleansOnDelete() {
        return "Clean".equals(onDelete);
    }
}
