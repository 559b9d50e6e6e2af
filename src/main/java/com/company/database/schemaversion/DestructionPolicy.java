package com.company.database.schemaversion;

/** What the account admin lets a resource destroy (a stand-in until the type configuration carries it). */
final class DestructionPolicy {

    static DestructionPolicy of(BaseHandlerStd.Services services) {
        return new DestructionPolicy();
    }

    /** Whether OnDelete: Clean may drop a schema the resource's claim did not start the history of. */
    boolean mayCleanWhatItDidNotCreate(ResourceModel recorded) {
        return false; // the type configuration decides it
    }
}
