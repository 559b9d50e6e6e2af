package com.company.database.schemaversion;

import com.company.database.schemaversion.policy.RunnerModes;
import com.company.database.schemaversion.core.Fact;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.cloudformation.proxy.HandlerErrorCode;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The error rules of the type, as two tables: what each reason answers CloudFormation (its HandlerErrorCode,
 * whether it is worth waiting for, and what to check when the wait runs out), and the operator's advice for
 * what a fact says, per execution mode. Engines and adapters state facts; only these tables name the template's
 * and the type configuration's properties, so the same fact reads right in Direct and in VpcRunner mode.
 */
final class ErrorRules {

    /** Where the failing work ran: the advice for the same fact differs. */
    enum Mode {
        DIRECT, VPC_RUNNER;

        static Mode of(ResourceModel model) {
            return RunnerModes.usesRunnerFunction(model) ? VPC_RUNNER : DIRECT;
        }
    }

    /**
     * @param code         the answer once the resource fails
     * @param worthWaiting answer IN_PROGRESS and try again until Timeouts.ConnectWaitMinutes run out
     * @param whenGivenUp  what to check once the wait ran out (only for what is worth waiting for)
     */
    record Rule(HandlerErrorCode code, boolean worthWaiting, String whenGivenUp) {
        static Rule fail(HandlerErrorCode code) {
            return new Rule(code, false, null);
        }

        static Rule waitThenFail(HandlerErrorCode code, String whenGivenUp) {
            return new Rule(code, true, whenGivenUp);
        }
    }

    private static final Map<Reason, Rule> RULES = Collections.unmodifiableMap(new EnumMap<>(Map.ofEntries(
            Map.entry(Reason.INVALID_INPUT, Rule.fail(HandlerErrorCode.InvalidRequest)),
            Map.entry(Reason.NOT_UPDATABLE, Rule.fail(HandlerErrorCode.NotUpdatable)),
            Map.entry(Reason.CREDENTIALS_NOT_FOUND, Rule.fail(HandlerErrorCode.InvalidRequest)),
            Map.entry(Reason.INVALID_CREDENTIALS, Rule.fail(HandlerErrorCode.InvalidCredentials)),
            Map.entry(Reason.ACCESS_DENIED, Rule.fail(HandlerErrorCode.AccessDenied)),
            Map.entry(Reason.DATABASE_UNREACHABLE, Rule.waitThenFail(HandlerErrorCode.NetworkFailure,
                    "Check that the database is running and that its security group and network allow this connection.")),
            Map.entry(Reason.LOCKED, Rule.waitThenFail(HandlerErrorCode.ResourceConflict,
                    "Check that the database is running and that its security group and network allow this connection;"
                            + " if another deployment still holds the lock, find its session in pg_locks.")),
            Map.entry(Reason.MIGRATION_FAILED, Rule.fail(HandlerErrorCode.GeneralServiceException)),
            Map.entry(Reason.HISTORY_CONFLICT, Rule.fail(HandlerErrorCode.ResourceConflict)),
            Map.entry(Reason.TOO_LONG_FOR_CALL, Rule.fail(HandlerErrorCode.InvalidRequest)),
            Map.entry(Reason.ALREADY_OWNED, Rule.fail(HandlerErrorCode.AlreadyExists)),
            Map.entry(Reason.NOT_FOUND, Rule.fail(HandlerErrorCode.NotFound)),
            Map.entry(Reason.THROTTLED, Rule.waitThenFail(HandlerErrorCode.Throttling,
                    "The AWS API kept throttling: deploy again later, or raise the account's request quota.")),
            Map.entry(Reason.SERVICE_UNREACHABLE, Rule.waitThenFail(HandlerErrorCode.NetworkFailure,
                    "Check that the AWS API's endpoint can be reached from where the call runs (a VPC endpoint or a"
                            + " NAT gateway for the runner's subnets).")),
            Map.entry(Reason.RUNNER_FAILED, Rule.fail(HandlerErrorCode.GeneralServiceException)),
            Map.entry(Reason.INTERNAL, Rule.fail(HandlerErrorCode.InternalFailure)))));

    /**
     * Advice for a kind of fact, when the predicate holds: the first matching entry wins. {@code direct} and
     * {@code runner} are the sentences for each mode (the same one when the mode does not matter).
     */
    record Advice<F extends Fact>(Class<F> kind, Predicate<F> when, String direct, String runner) {
        boolean matches(Fact fact) {
            return kind.isInstance(fact) && when.test(kind.cast(fact));
        }

        String in(Mode mode) {
            return mode == Mode.VPC_RUNNER ? runner : direct;
        }
    }

    private static final List<Advice<?>> ADVICE = List.of(
            advice(Fact.MigrationFailed.class, f -> f.limit() == Fact.Limit.STATEMENT_TIMEOUT,
                    "In Direct mode one migration must finish within one handler call (under 50 s); run long"
                            + " migrations with Execution.Mode VpcRunner (up to 15 minutes each), or raise"
                            + " Timeouts.StatementTimeoutSeconds if the limit was yours.",
                    "In VpcRunner mode one migration must finish within the runner function's 15-minute limit and"
                            + " Timeouts.StatementTimeoutSeconds; raise StatementTimeoutSeconds if the limit was yours,"
                            + " or split the migration."),
            advice(Fact.MigrationFailed.class, f -> f.limit() == Fact.Limit.LOCK_TIMEOUT,
                    "The lock wait is limited by Timeouts.LockTimeoutSeconds; raise it, or deploy when that session is done."),
            advice(Fact.Database.class, f -> f.condition() == Fact.Condition.SCHEMA_WITHOUT_HISTORY,
                    "To take it over, set Adoption.BaselineVersion to the version of the set it already matches"
                            + " (Flyway's baseline); to build it with the migrations, use an empty schema."),
            advice(Fact.Database.class, f -> f.condition() == Fact.Condition.NO_SUCH_DATABASE,
                    "Create it first, or fix Database.Name."),
            advice(Fact.Database.class, f -> f.condition() == Fact.Condition.TLS_HOST_NAME_MISMATCH,
                    "Use the endpoint name the certificate was issued for as Database.Host (the RDS Endpoint.Address,"
                            + " not an IP or a CNAME); Database.SslMode verify-ca checks the CA without the name, where the"
                            + " account admin allows it."),
            advice(Fact.Database.class, f -> f.condition() == Fact.Condition.TLS_NOT_OFFERED,
                    "Turn TLS on in the server (Database.SslMode disable sends the password in cleartext; the account"
                            + " admin must allow it in the type configuration's Connections.AllowedSslModes)."),
            advice(Fact.Database.class, f -> f.condition() == Fact.Condition.TLS_UNTRUSTED_CERTIFICATE,
                    "For an RDS or Aurora endpoint this means Database.Host is not the RDS endpoint; for a database with"
                            + " a private CA (RDS Proxy, a self-managed server), the account admin adds that CA to the"
                            + " type configuration's Connections.ExtraCaCertificates."),
            advice(Fact.PlaceholderMissing.class, f -> true,
                    "Add it to Placeholders in the template; nothing was applied."));

    private ErrorRules() {
    }

    private static <F extends Fact> Advice<F> advice(Class<F> kind, Predicate<F> when, String both) {
        return new Advice<>(kind, when, both, both);
    }

    private static <F extends Fact> Advice<F> advice(Class<F> kind, Predicate<F> when, String direct, String runner) {
        return new Advice<>(kind, when, direct, runner);
    }

    static Rule rule(Reason reason) {
        return RULES.get(reason);
    }

    /** The advice the fact calls for in this mode, if any. */
    static Optional<String> advice(Fact fact, Mode mode) {
        if (fact == null) {
            return Optional.empty();
        }
        return ADVICE.stream().filter(a -> a.matches(fact)).findFirst().map(a -> a.in(mode));
    }

    /** What the operator reads: the failure's own words, then the advice its fact calls for in this mode. */
    static String explain(ReconcileException e, Mode mode) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return advice(e.fact(), mode).map(a -> message.isEmpty() ? a : message + " " + a).orElse(message);
    }
}
