package com.company.database.schemaversion.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The claim on a database schema (guides/security.md, "Claims"): who holds it, and when OnDelete: Clean may drop
 * the schema. The security tests check the same through the handlers and the VPC runner against PostgreSQL.
 */
class ClaimRulesTest {
    private static final String REQUEST = "a".repeat(64);
    private static final String OTHER_REQUEST = "b".repeat(64);
    private static final String STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/orders/1";

    private static Claimant claimant(String onDelete) {
        return new Claimant("orders.public.0123456789ab", STACK, "Schema", REQUEST, onDelete);
    }

    private static Claim claimOf(Claimant c, boolean createdHistory, String onDelete) {
        return new Claim(c.resourceId(), c.stackId(), c.logicalId(), c.createRequest(), createdHistory, onDelete, null);
    }

    private static void refusedAsInvalid(Runnable r, String what) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ReconcileException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT)).hasMessage("Invalid claim: malformed " + what + ".");
    }

    @Test
    void aClaimantIsWellFormedOrRefused() {
        refusedAsInvalid(() -> new Claimant("", STACK, "Schema", REQUEST, "Retain"), "resource id");
        refusedAsInvalid(() -> new Claimant("x".repeat(257), STACK, "Schema", REQUEST, "Retain"), "resource id");
        refusedAsInvalid(() -> new Claimant("id", "s".repeat(2049), "Schema", REQUEST, "Retain"), "stack id");
        refusedAsInvalid(() -> new Claimant("id", STACK, "l".repeat(513), REQUEST, "Retain"), "logical id");
        refusedAsInvalid(() -> new Claimant("id", STACK, "Schema", "A".repeat(64), "Retain"), "create request");
        refusedAsInvalid(() -> new Claimant("id", STACK, "Schema", REQUEST, "Delete"), "OnDelete");
        assertThat(new Claimant("id", null, null, null, "Clean").stackId()).as("created through Cloud Control").isNull();
    }

    @Test
    void aClaimIsHeldOnlyByTheResourceAndTheCreateRequestThatMadeIt() {
        Claimant me = claimant("Retain");
        assertThat(me.holds(claimOf(me, true, "Retain"))).isTrue();
        assertThat(withOnDelete(me, "Clean").holds(claimOf(me, true, "Retain"))).as("OnDelete is not identity").isTrue();
        assertThat(me.holds(null)).isFalse();
        Claimant retry = new Claimant(me.resourceId(), STACK, "Schema", OTHER_REQUEST, "Retain");
        assertThat(retry.holds(claimOf(me, true, "Retain"))).as("another request to create the same resource").isFalse();
        Claimant otherStack = new Claimant(me.resourceId(), STACK + "x", "Schema", REQUEST, "Retain");
        assertThat(otherStack.holds(claimOf(me, true, "Retain"))).isFalse();
        Claimant cloudControl = new Claimant(me.resourceId(), null, null, REQUEST, "Retain");
        assertThat(cloudControl.holds(claimOf(cloudControl, true, "Retain"))).isTrue();
        assertThat(cloudControl.holds(claimOf(me, true, "Retain"))).isFalse();
    }

    @Test
    void theResourceIdNamesTheSchemaWhateverTheHostsCase() {
        String id = Claimant.resourceIdOf("DB.example.com", 5432, "orders", "public");
        assertThat(id).matches("orders\\.public\\.[0-9a-f]{12}");
        assertThat(Claimant.resourceIdOf("db.example.com", 5432, "orders", "public")).isEqualTo(id);
        assertThat(Claimant.resourceIdOf("db.example.com", 5433, "orders", "public")).isNotEqualTo(id);
        assertThat(Claimant.resourceIdOf("db.example.com", 5432, "orders", "sales")).isNotEqualTo(id)
                .startsWith("orders.sales.");
    }

    @Test
    void cleanIsAllowedOnlyToTheHolderWhoseClaimSaysCleanAndStartedTheHistory() {
        Claimant me = claimant("Clean");
        assertThat(Claims.cleanRefusal(claimOf(me, true, "Clean"), me, false)).isNull();
        assertThat(Claims.cleanRefusal(null, me, true)).contains("records no claim on this schema by this resource");
        Claimant other = new Claimant("other", STACK, "Other", REQUEST, "Clean");
        assertThat(Claims.cleanRefusal(claimOf(other, true, "Clean"), me, true)).isEqualTo("another resource holds the claim on this schema.");
        assertThat(Claims.cleanRefusal(claimOf(me, true, "Retain"), me, true))
                .contains("records OnDelete Retain, the value this resource last deployed successfully");
        assertThat(Claims.cleanRefusal(claimOf(me, false, "Clean"), me, false))
                .contains("this resource did not create the schema").contains("account admin");
        assertThat(Claims.cleanRefusal(claimOf(me, false, "Clean"), me, true)).as("the admin allows it").isNull();
    }

    @Test
    void theEngineClaimsAnEmptySchemaAsCreatedAndRefusesAnyoneElse() {
        FakeSchemaEngine engine = new FakeSchemaEngine().versioned("1");
        Claimant me = claimant("Retain");
        Claim claim = engine.claim(me);
        assertThat(claim.createdHistory()).isTrue();
        assertThat(engine.claim(withOnDelete(me, "Clean")).onDelete()).as("its own claim takes the new OnDelete").isEqualTo("Clean");
        assertThat(engine.claim(me).createdHistory()).as("repeating changes nothing more").isTrue();

        Claimant other = new Claimant("orders.public.0123456789ab", STACK, "Other", REQUEST, "Retain");
        assertThatThrownBy(() -> engine.claim(other)).isInstanceOfSatisfying(ReconcileException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_OWNED));
        assertThat(engine.release(other)).isFalse();
        assertThat(engine.claimOf()).contains(engine.claim(me));
        assertThat(engine.release(me)).isTrue();
        assertThat(engine.claimOf()).isEmpty();
        assertThat(engine.release(me)).isFalse();

        FakeSchemaEngine built = new FakeSchemaEngine().versioned("1").objectsBuiltByHand(2);
        assertThat(built.claim(me).createdHistory()).as("a schema with objects was not created by the claimant").isFalse();
    }

    @Test
    void cleanWithAClaimantDropsNothingUnlessTheDatabaseAgrees() {
        Claimant me = claimant("Clean");
        FakeSchemaEngine unclaimed = new FakeSchemaEngine().versioned("1").applied("1");
        assertThatThrownBy(() -> unclaimed.clean(me, true)).isInstanceOfSatisfying(ReconcileException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED)).hasMessageStartingWith("Nothing was dropped: ");
        assertThat(unclaimed.cleaned).isZero();

        FakeSchemaEngine adopted = new FakeSchemaEngine().versioned("1").objectsBuiltByHand(1);
        adopted.claim(me);
        assertThatThrownBy(() -> adopted.clean(me, false)).hasMessageContaining("did not create the schema");
        adopted.clean(me, true);
        assertThat(adopted.cleaned).isEqualTo(1);

        FakeSchemaEngine created = new FakeSchemaEngine().versioned("1");
        created.claim(withOnDelete(me, "Retain"));
        new Reconciler().step(created, "latest", new Budget(created.clock, java.time.Duration.ofSeconds(25),
                java.time.Duration.ofSeconds(50)));
        assertThatThrownBy(() -> created.clean(me, false)).hasMessageContaining("records OnDelete Retain");
        created.claim(me);
        created.clean(me, false);
        assertThat(created.history()).isEmpty();
    }

    private static Claimant withOnDelete(Claimant c, String onDelete) {
        return new Claimant(c.resourceId(), c.stackId(), c.logicalId(), c.createRequest(), onDelete);
    }
}
