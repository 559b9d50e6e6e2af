package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the engine's failures say, by type and SQLSTATE, without a database. */
class EngineErrorsTest {
    private static final ConnectionSpec CONN = new ConnectionSpec("db.example", 5432, "orders", "verify-full", "app",
            "secret-password", null, "the parameters /app/user and /app/password");
    private static final EngineSettings SETTINGS = new EngineSettings("public", MigrationSource.baked("orders"), Map.of(),
            10, 40);
    private static final Fact.Place WHERE = new Fact.Place("db.example", 5432, "orders", "public");

    @Test
    void aHostNameTheCertificateDoesNotNameIsToldByTheCheckersType() {
        ReconcileException e = EngineErrors.translate(new PSQLException("Something unusual has occurred",
                PSQLState.UNEXPECTED_ERROR, new HostNameCheck.Mismatch("db.example")), CONN, SETTINGS);
        assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
        assertThat(e.fact()).isEqualTo(new Fact.Database(Fact.Condition.TLS_HOST_NAME_MISMATCH, WHERE,
                PSQLState.UNEXPECTED_ERROR.getState(), "verify-full"));
        assertThat(e.getMessage()).contains("does not name the host 'db.example'").doesNotContain("Database.");
    }

    @Test
    void anUntrustedCertificateIsToldByTheHandshakesType() {
        ReconcileException e = EngineErrors.translate(new PSQLException("SSL error", PSQLState.CONNECTION_FAILURE,
                new SSLHandshakeException("PKIX path building failed")), CONN, SETTINGS);
        assertThat(e.fact()).isEqualTo(new Fact.Database(Fact.Condition.TLS_UNTRUSTED_CERTIFICATE, WHERE, "08006", "verify-full"));
        assertThat(e.getMessage()).contains("not signed by a CA in the RDS CA bundle");
    }

    @Test
    void anUnansweredConnectionIsUnreachableAndWorthWaiting() {
        ReconcileException e = EngineErrors.translate(new PSQLException("Connection refused",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused")), CONN, SETTINGS);
        assertThat(e.reason()).isEqualTo(Reason.DATABASE_UNREACHABLE);
        assertThat(e.fact().worthWaiting()).isEqualTo(Fact.Wait.UNREACHABLE);
        assertThat(e.getMessage()).contains("db.example:5432");
    }

    @Test
    void aMissingDatabaseIsItsSqlStateAndTheAdviceIsLeftToTheContract() {
        ReconcileException e = EngineErrors.translate(new PSQLException("database \"orders\" does not exist",
                PSQLState.UNKNOWN_STATE) {
            @Override
            public String getSQLState() {
                return "3D000";
            }
        }, CONN, SETTINGS);
        assertThat(e.fact()).isEqualTo(new Fact.Database(Fact.Condition.NO_SUCH_DATABASE, WHERE, "3D000", null));
        assertThat(e.getMessage()).contains("'orders' does not exist").doesNotContain("Database.Name");
    }

    @Test
    void onlyAFlywayFailureWithoutADatabaseErrorMayBeTheLockGivingUp() {
        assertThat(EngineErrors.withoutDatabaseError(new FlywayException("gave up"))).isTrue();
        assertThat(EngineErrors.withoutDatabaseError(new FlywayException("x",
                new PSQLException("y", PSQLState.CONNECTION_FAILURE)))).isFalse();
        assertThat(EngineErrors.withoutDatabaseError(new ReconcileException(Reason.LOCKED, "z"))).isFalse();
        assertThat(EngineErrors.withoutDatabaseError(new IllegalStateException("w"))).isFalse();
    }

    @Test
    void theLoginNeverReachesTheMessageAndTheFactSurvivesRedaction() {
        ReconcileException e = EngineErrors.translate(new PSQLException("Connection to db.example refused for secret-password",
                PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("secret-password")), CONN, SETTINGS);
        assertThat(e.getMessage()).doesNotContain("secret-password");
        assertThat(e.fact()).isNotNull();
    }
}
