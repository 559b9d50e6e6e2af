package com.company.database.schemaversion.core;

import java.time.Instant;
import java.util.List;

/**
 * What the engine sees in the database and the baked set, before anything is changed.
 *
 * @param appliedVersion highest successfully applied version, null when none
 * @param appliedCount   applied versioned migrations of the set
 * @param pending        resolved migrations not applied yet, in order
 * @param available      every versioned migration of the set, in order
 * @param checksum       digest of (version, checksum) of the applied migrations, null when none
 * @param lastAppliedAt  when the newest applied migration ran, null when none
 * @param drift          one line per applied migration that differs from the set (checksum, missing script)
 * @param failed         applied-but-failed entries in the history (non-transactional leftovers)
 */
public record Observation(
        Version appliedVersion,
        int appliedCount,
        List<Migration> pending,
        List<Migration> available,
        String checksum,
        Instant lastAppliedAt,
        List<String> drift,
        List<String> failed) {

    public Observation {
        pending = List.copyOf(pending);
        available = List.copyOf(available);
        drift = List.copyOf(drift);
        failed = List.copyOf(failed);
    }

    public Version latestAvailable() {
        return available.isEmpty() ? null : available.get(available.size() - 1).version();
    }
}
