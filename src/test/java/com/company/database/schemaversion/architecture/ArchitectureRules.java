package com.company.database.schemaversion.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import java.util.Arrays;
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering the README's design describes, as ArchUnit rules. Each rule is built for a base package, so that
 * ArchitectureTest runs it against the type's classes and, once more, against the probe classes under
 * architecture/probe, which break it on purpose: a rule that stopped matching anything would show there.
 *
 * <p>The layers below {@code base}: the contract (the handlers and their helpers, beside the model that cfn
 * generate writes), policy, mode, core, engine, aws, runner and local.
 */
final class ArchitectureRules {
    /** What the core, the engines and the runner must not see of AWS: clients, the SDK's machinery, CloudFormation. */
    private static final String[] AWS_CLIENTS = {"software.amazon.awssdk.services..", "software.amazon.awssdk.awscore..",
            "software.amazon.awssdk.core..", "software.amazon.awssdk.regions..", "software.amazon.cloudformation..",
            "com.amazonaws.."};

    private final String base;
    /** Simple names of the classes cfn generate writes into the base package (the model, the wrapper). */
    private final Set<String> generated;

    ArchitectureRules(String base, Set<String> generated) {
        this.base = base;
        this.generated = generated;
    }

    private String pkg(String layer) {
        return base + "." + layer + "..";
    }

    /** The hand-written classes of the base package: the handlers and their helpers. */
    DescribedPredicate<JavaClass> contract() {
        return DescribedPredicate.describe("the contract (hand-written classes of " + base + ")",
                c -> c.getPackageName().equals(base) && !generated.contains(topLevelName(c)));
    }

    /** The five handlers, BaseHandlerStd, the wrapper, CallbackContext and the execution modes. */
    DescribedPredicate<JavaClass> handlerClasses() {
        return DescribedPredicate.describe("handler classes (the handlers, BaseHandlerStd, the wrapper,"
                + " CallbackContext, mode)", c -> (c.getPackageName().equals(base)
                && topLevelName(c).matches(".*Handler|BaseHandlerStd|HandlerWrapper.*|HandlerEntrypoint|CallbackContext"))
                || resideInAPackage(pkg("mode")).test(c));
    }

    /** The core reconciles against a SchemaEngine: no engine, AWS, JDBC, Flyway or CloudFormation type. */
    ArchRule coreIsPure() {
        return forbid(resideInAPackage(pkg("core")), DescribedPredicate.or(
                resideInAnyPackage(pkg("engine"), pkg("aws"), pkg("runner"), pkg("mode"), pkg("policy"), pkg("local"),
                        "java.sql..", "javax.sql..", "org.postgresql..", "org.flywaydb.."),
                resideInAnyPackage(AWS_CLIENTS), resideInAPackage(base)))
                .because("the reconcile rules must be testable against a fake engine, without a database or AWS");
    }

    /**
     * Engines talk to the database only. The SDK's SigV4 signer (http.auth, identity) stays allowed: the engine
     * signs IAM database authentication tokens offline, with no client and no call.
     */
    ArchRule enginesKnowNoAwsNorTheContract() {
        return forbid(resideInAPackage(pkg("engine")), DescribedPredicate.or(
                resideInAnyPackage(pkg("aws"), pkg("runner"), pkg("mode"), pkg("policy"), pkg("local")),
                resideInAnyPackage(AWS_CLIENTS), resideInAPackage(base)))
                .because("the same engine runs in the handler and in the VPC runner");
    }

    ArchRule theRunnerUsesNoHandlerClass() {
        return forbid(resideInAPackage(pkg("runner")), handlerClasses())
                .because("the runner function carries no handler: it gets its work from its invocation");
    }

    /**
     * What the runner package carries (runner/RunnerPackageBuilder's INCLUDED): core, engine, runner and
     * policy/AccountPolicy. A class of those packages that used anything else of the type would fail only in the
     * runner function, with a NoClassDefFoundError.
     */
    ArchRule theRunnerNeedsOnlyWhatItsPackageCarries() {
        String accountPolicy = base + ".policy.AccountPolicy";
        return forbid(resideInAnyPackage(pkg("core"), pkg("engine"), pkg("runner")), DescribedPredicate.describe(
                "classes of the type that the runner package does not carry", (JavaClass c) ->
                        (c.getPackageName().startsWith(base + ".") || c.getPackageName().equals(base))
                                && !resideInAnyPackage(pkg("core"), pkg("engine"), pkg("runner")).test(c)
                                && !topLevelQualifiedName(c).equals(accountPolicy)))
                .because("the runner package carries only core, engine, runner and policy/AccountPolicy");
    }

    /** Adapters wrap AWS calls for whoever uses them; what a request means is the contract's and the policy's. */
    ArchRule adaptersKnowNeitherContractNorPolicyNorMode(Set<String> temporarilyAllowed) {
        return forbid(resideInAPackage(pkg("aws")), DescribedPredicate.or(contract(),
                resideInAnyPackage(pkg("policy"), pkg("mode"), pkg("local"))), temporarilyAllowed)
                .because("the AWS adapters sit below the contract: a dependency back up is a cycle");
    }

    /** Flyway's internal classes change without notice: only the engine, behind its seam, may use them. */
    ArchRule flywayInternalsOnlyInTheEngine() {
        return forbid(DescribedPredicate.not(resideInAPackage(pkg("engine"))),
                resideInAPackage("org.flywaydb.core.internal.."))
                .because("an upgrade of Flyway must break at most the engine");
    }

    /**
     * The local runner (src/local) is compiled after the handler, so a handler class that used it would not even
     * compile in a clean build; this catches it in an incremental one, and names the class.
     */
    ArchRule nothingUsesTheLocalRunner() {
        return forbid(DescribedPredicate.not(resideInAPackage(pkg("local"))), resideInAPackage(pkg("local")))
                .because("the handler artifact leaves the local runner out");
    }

    /**
     * Slices: each package below the base. The base package (the handlers, the context the wrapper hands them and the
     * generated model) is the top layer: the modes and the policy read its model and context types, and the handlers
     * call them, by design. Below it, every dependency runs one way. {@code temporarilyAllowed}
     * names class dependencies ("Origin->Target", top-level qualified names) left out while another change
     * owns their removal.
     */
    ArchRule noCycles(Set<String> temporarilyAllowed) {
        com.tngtech.archunit.library.dependencies.SliceRule rule = slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String p = c.getPackageName();
                if (p.startsWith(base + ".")) {
                    return SliceIdentifier.of(p.substring(base.length() + 1).split("\\.")[0]);
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the packages of " + base;
            }
        }).should().beFreeOfCycles();
        for (String pair : temporarilyAllowed) {
            String[] ends = pair.split("->");
            rule = rule.ignoreDependency(ends[0], ends[1]);
        }
        return rule;
    }

    private static ArchRule forbid(DescribedPredicate<? super JavaClass> origins, DescribedPredicate<? super JavaClass> targets) {
        return forbid(origins, targets, Set.of());
    }

    /**
     * Classes matching {@code origins} depend on no class matching {@code targets}, except the pairs
     * "Origin->Target" (top-level qualified names) in {@code allowed}, which name known violations whose fix
     * another change owns.
     */
    private static ArchRule forbid(DescribedPredicate<? super JavaClass> origins, DescribedPredicate<? super JavaClass> targets,
                                   Set<String> allowed) {
        DescribedPredicate<Dependency> allowedDependency = DescribedPredicate.describe(
                "the target is not " + targets.getDescription()
                        + (allowed.isEmpty() ? "" : " (temporarily allowed: " + allowed + ")"),
                d -> !targets.test(d.getTargetClass()) || allowed.contains(
                        topLevelQualifiedName(d.getOriginClass()) + "->" + topLevelQualifiedName(d.getTargetClass())));
        return classes().that(origins).should(onlyHaveDependenciesWhere(allowedDependency));
    }

    static String topLevelQualifiedName(JavaClass c) {
        String name = c.getName();
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    static String topLevelName(JavaClass c) {
        String name = topLevelQualifiedName(c);
        return name.substring(name.lastIndexOf('.') + 1);
    }

    static Set<String> names(String... names) {
        return Set.copyOf(Arrays.asList(names));
    }
}
