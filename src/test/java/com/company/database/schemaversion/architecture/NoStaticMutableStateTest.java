package com.company.database.schemaversion.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No state outlives a request but what its owner holds: everything a request uses comes from the handler
 * environment or the request's services, the runner function's from its handler instance. A static field is
 * shared by every environment in the JVM (the tests' many, the local runner's), so the classes of src/main and
 * src/local have none that can change:
 * <ul>
 * <li>no static field that is not final;</li>
 * <li>no static final field whose value can change: an array, an atomic, a thread-local, a cache, or a collection
 * or map (those are allowed only when the value itself is unmodifiable, as Set.of, Map.of, List.copyOf and
 * Collections.unmodifiable* make them: the rule reads the value to tell).</li>
 * </ul>
 * Constants of other types are fine: a compiled {@link Pattern} is immutable; an ObjectMapper is configured once
 * in its initialiser and is thread-safe for reading and writing, so sharing it shares no state a request changes;
 * a TypeReference, a Duration, a formatter are immutable.
 */
class NoStaticMutableStateTest {
    private static final String ROOT = "com.company.database.schemaversion";

    /**
     * The one static field allowed to change, and why: Flyway builds its loggers process-wide from a class name
     * (FluentConfiguration.loggers), so the only way to send a Flyway line to the log of the call that caused it is
     * the calling thread. The route is set and removed by that call (try-with-resources in the handler and the
     * runner), so nothing outlives a call. Each entry must still exist, so the list can only shrink.
     */
    private static final Set<String> ALLOWED = Set.of(ROOT + ".engine.FlywayLog.ROUTE");

    /** The types a static final field must not have, whatever its value. */
    private static final List<String> MUTABLE_TYPES = List.of("java.util.concurrent.atomic.", "java.lang.ThreadLocal",
            "java.lang.InheritableThreadLocal", "java.lang.StringBuilder", "java.lang.StringBuffer");

    static ArchRule noStaticMutableField(Set<String> allowed) {
        return fields().that().areStatic().should(holdNoMutableState(allowed))
                .because("a request's state lives in its HandlerEnvironment or Services, never in a static field");
    }

    @Test
    void mainAndLocalClassesHoldNoStaticMutableState() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(ROOT);
        assertThat(classes.contain(ROOT + ".HandlerEnvironment")).as("src/main imported").isTrue();
        assertThat(classes.contain(ROOT + ".local.Session")).as("src/local imported").isTrue();

        noStaticMutableField(ALLOWED).check(classes);

        Set<String> present = new HashSet<>();
        for (JavaClass c : classes) {
            c.getFields().forEach(f -> present.add(c.getName() + "." + f.getName()));
        }
        assertThat(present).as("fields the allowance names: delete the line of one that is gone")
                .containsAll(ALLOWED);
    }

    @Test
    void theRuleCatchesEachKindOfStaticMutableState() {
        JavaClasses probe = new ClassFileImporter().importClasses(Violations.class, Allowed.class);

        EvaluationResult result = noStaticMutableField(Set.of()).evaluate(probe);

        List<String> reported = result.getFailureReport().getDetails();
        assertThat(reported).hasSize(7);
        for (String field : List.of("counter", "SEEN", "TYPED_AS_SET", "BYTES", "NEXT", "LOCAL", "COPY_OF_MUTABLE")) {
            assertThat(reported).as(field).anyMatch(line -> line.contains(Violations.class.getName() + "." + field + " "));
        }
        assertThat(reported).noneMatch(line -> line.contains(Allowed.class.getName()));
    }

    private static ArchCondition<JavaField> holdNoMutableState(Set<String> allowed) {
        return new ArchCondition<>("be final and hold no mutable value") {
            @Override
            public void check(JavaField field, ConditionEvents events) {
                String name = field.getOwner().getName() + "." + field.getName();
                if (allowed.contains(name) || field.getModifiers().contains(JavaModifier.SYNTHETIC)
                        || field.getOwner().isEnum() && field.getRawType().equals(field.getOwner())) {
                    return;
                }
                String problem = problem(field);
                if (problem != null) {
                    events.add(SimpleConditionEvent.violated(field, name + " " + problem));
                }
            }
        };
    }

    /** What makes this static field mutable state, or null. */
    private static String problem(JavaField field) {
        if (!field.getModifiers().contains(JavaModifier.FINAL)) {
            return "is static and not final";
        }
        JavaClass type = field.getRawType();
        if (type.isArray()) {
            return "is an array (its elements can change)";
        }
        if (MUTABLE_TYPES.stream().anyMatch(type.getName()::startsWith) || type.getSimpleName().endsWith("Cache")) {
            return "is of type " + type.getName() + ", which changes";
        }
        // By reflection: the import does not resolve the JDK's type hierarchy (archunit.properties), so ArchUnit
        // alone would not know that a Set is a Collection.
        Class<?> declared = field.reflect().getType();
        if (Collection.class.isAssignableFrom(declared) || Map.class.isAssignableFrom(declared)) {
            Object value = valueOf(field);
            if (value == null || !unmodifiable(value)) {
                return "holds a modifiable " + (value == null ? type.getName() : value.getClass().getName())
                        + " (make it Set.of/List.of/Map.of/copyOf or Collections.unmodifiable*)";
            }
        }
        return null;
    }

    private static Object valueOf(JavaField field) {
        try {
            Field f = field.reflect();
            f.setAccessible(true);
            return f.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The JDK's unmodifiable implementations; anything else may be modified by whoever holds it. */
    private static boolean unmodifiable(Object value) {
        String type = value.getClass().getName();
        return type.startsWith("java.util.ImmutableCollections$") || type.startsWith("java.util.Collections$Unmodifiable")
                || type.startsWith("java.util.Collections$Empty") || type.startsWith("java.util.Collections$Singleton");
    }

    /** A class the rule must refuse, field by field (analysed explicitly: it is test code). */
    @SuppressWarnings("unused")
    static final class Violations {
        private static int counter;
        private static final Map<String, String> SEEN = new HashMap<>();
        private static final Set<String> TYPED_AS_SET = new HashSet<>();
        private static final byte[] BYTES = new byte[0];
        private static final AtomicLong NEXT = new AtomicLong();
        private static final ThreadLocal<String> LOCAL = new ThreadLocal<>();
        private static final List<String> COPY_OF_MUTABLE = new ArrayList<>(List.of("a"));
    }

    /** What the rule lets through: immutable values, and constants that are safe to share. */
    @SuppressWarnings("unused")
    static final class Allowed {
        private static final Set<String> NAMES = Set.of("a");
        private static final List<String> COPY = List.copyOf(new ArrayList<>(List.of("a")));
        private static final Map<String, Integer> WRAPPED = java.util.Collections.unmodifiableMap(new HashMap<>());
        private static final Pattern WORD = Pattern.compile("\\w+");
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
        private static final String NAME = "constant";
        private final List<String> perInstance = new ArrayList<>();
    }
}
