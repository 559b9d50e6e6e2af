package com.company.database.schemaversion;

import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.Test;
import software.amazon.cloudformation.resource.Serializer;

import static org.assertj.core.api.Assertions.assertThat;

/** The context goes through the wrapper's serializer between calls: every state must come back as it went. */
class CallbackContextTest {
    private final Serializer serializer = new Serializer();

    private CallbackContext roundTrip(CallbackContext ctx) throws Exception {
        return serializer.deserialize(serializer.serialize(ctx), new TypeReference<CallbackContext>() { });
    }

    @Test
    void aNewContextIsAtTheFirstCallAndComesBackSo() throws Exception {
        CallbackContext back = roundTrip(new CallbackContext());
        assertThat(back.getPhase()).isEqualTo(CallbackContext.Phase.NEW);
        assertThat(back.reached(CallbackContext.Phase.VALIDATED)).isFalse();
        assertThat(back.getRunner()).isNull();
        assertThat(back).isEqualTo(new CallbackContext());
    }

    @Test
    void thePhaseOnlyMovesForwardAndEveryFieldRoundTrips() throws Exception {
        CallbackContext ctx = new CallbackContext();
        ctx.advanceTo(CallbackContext.Phase.DATABASE_CLAIMED);
        ctx.advanceTo(CallbackContext.Phase.VALIDATED);
        assertThat(ctx.getPhase()).isEqualTo(CallbackContext.Phase.DATABASE_CLAIMED);
        assertThat(ctx.reached(CallbackContext.Phase.CLAIMED)).isTrue();
        assertThat(ctx.reached(CallbackContext.Phase.RECONCILING)).isFalse();
        ctx.setWaitingSince(1234L);
        ctx.setWaitAttempts(2);
        ctx.setClaimOnDelete("Clean");
        ctx.setDeleteNote("note");
        CallbackContext.Runner runner = ctx.runnerState();
        runner.setCreateAttempts(3);
        runner.setVersion("7");
        runner.setRemoval(CallbackContext.Removal.DELETE_REQUESTED);
        ctx.running(new com.company.database.schemaversion.core.Step("step-1", "arn:aws:ecs:eu-west-1:123456789012:task/c/abc",
                "5", "3", "4:abc", 99L, true));

        CallbackContext back = roundTrip(ctx);
        assertThat(back).isEqualTo(ctx);
        assertThat(back.running().id()).isEqualTo("step-1");
        assertThat(back.running()).isEqualTo(ctx.running());
        assertThat(back.getRunner().removalReached(CallbackContext.Removal.CLEANED)).isTrue();
        assertThat(back.getRunner().removalReached(CallbackContext.Removal.GONE)).isFalse();
        assertThat(serializer.serialize(ctx)).doesNotContain("calls").contains("\"phase\":\"DATABASE_CLAIMED\"");
    }
}
