package com.company.database.schemaversion.core;

import java.time.Instant;
import java.util.List;

/**
 * What the engine sees in the database and the baked set, before anything is changed.
 *
 * @param appliedVersion highest successfully applied version (a baseline counts), null when none
 * @param appliedCount   migrations of the set applied and current: versioned and baseline ones, and repeatables
 *                       whose last run has the set's checksum
 * @param pending        what Flyway would run for the latest target, in Flyway's order: versioned migrations
 *                       above the applied version, on a new database the baseline migration Flyway picks
 *                       (and not the versioned ones it covers), then repeatables never run or changed since
 * @param available      every migration of the set (versioned, baseline and repeatable), in Flyway's order
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

    /** The highest version of the set (versioned or baseline), null when it has none. */
    public Version latestAvailable() {
        Version latest = null;
        for (Migration m : available) {
            if (m.version() != null && (latest == null || m.version().compareTo(latest) > 0)) {
                latest = m.version();
            }
        }
        return latest;
    }

    /** The set's versioned and baseline migrations (what a TargetVersion can name). */
    public List<Migration> versioned() {
        return available.stream().filter(m -> !m.repeatable()).toList();
    }
}
