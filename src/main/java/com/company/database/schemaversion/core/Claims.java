package com.company.database.schemaversion.core;

/** The rule for OnDelete: Clean, in one place for the handler, the engine and the VPC runner. */
public final class Claims {
    private Claims() {
    }

    /**
     * Why {@code claimant} may not clean the schema whose claim is {@code claim}, for a message; null when it may:
     * the database records the claim as the claimant's, with OnDelete Clean (the last one it declared), and the
     * claim started the schema's history, unless the account admin allows cleaning what a resource did not create.
     */
    public static String cleanRefusal(Claim claim, Claimant claimant, boolean mayCleanWhatItDidNotCreate) {
        if (claim == null) {
            return "the database records no claim on this schema by this resource (it was created before claims were"
                    + " recorded in the database, or its claim was removed), so it cannot show that the resource created"
                    + " the schema.";
        }
        if (!claimant.holds(claim)) {
            return "another resource holds the claim on this schema.";
        }
        if (!claim.cleansOnDelete()) {
            return "the claim in the database records OnDelete " + claim.onDelete() + ", the value this resource last"
                    + " deployed successfully (the resource record says Clean: an older record put back, or an update"
                    + " that did not finish).";
        }
        if (!claim.createdHistory() && !mayCleanWhatItDidNotCreate) {
            return "this resource did not create the schema: it already had objects or a history when the resource"
                    + " claimed it (adopted, or kept by an earlier resource's OnDelete: Retain), and the account admin"
                    + " has not allowed OnDelete: Clean to drop what a resource did not create.";
        }
        return null;
    }
}
