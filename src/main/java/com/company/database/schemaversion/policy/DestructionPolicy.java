package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.DestructionScopes;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.LoginBindings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where a template may make the type drop or rewrite what a database schema holds: OnDelete Clean (drops every
 * object), Adoption (baselines a schema that has objects but no history, then migrates above it) and Repair
 * (removes a failed row from the history). A template author names any host, database and schema their
 * credentials reach, so each of these is off unless the account admin enables it for a scope in the type
 * configuration (Destruction.*), and Retain always works.
 *
 * <p>A scope is HOST/DATABASE/SCHEMA, matched against Database.Host, Database.Name and Schema; in each part
 * {@code *} stands for any run of characters. Hosts compare case-insensitively (a trailing dot ignored); database
 * and schema names exactly, as PostgreSQL keeps them. The port is not part of a scope.
 *
 * <p>The checks run where a template asks (Create, and an Update that asks anew, before anything is read or
 * claimed) and again where the type acts (HistoryActions, Delete): a resource recorded before the admin narrowed
 * the scopes gets no pass. A Delete whose recorded Clean is no longer allowed keeps the data and succeeds, so a
 * stack never sticks in DELETE_FAILED over it.
 */
public final class DestructionPolicy {
    static final String CLEAN_SETTING = "Destruction.Clean";
    static final String NOT_CREATED_SETTING = "Destruction.CleanWhatItDidNotCreate";
    static final String ADOPTION_SETTING = "Destruction.Adoption";
    static final String REPAIR_SETTING = "Destruction.Repair";
    private static final String HOW_TO_CHANGE = "the account admin changes it with aws cloudformation"
            + " set-type-configuration --type RESOURCE --type-name Company::Database::SchemaVersion";

    private final List<String> clean;
    private final List<String> cleanNotCreated;
    private final List<String> adoption;
    private final List<String> repair;

    private DestructionPolicy(DestructionScopes scopes) {
        clean = sorted(scopes == null ? null : scopes.getClean());
        cleanNotCreated = sorted(scopes == null ? null : scopes.getCleanWhatItDidNotCreate());
        adoption = sorted(scopes == null ? null : scopes.getAdoption());
        repair = sorted(scopes == null ? null : scopes.getRepair());
    }

    /** The admin's scopes, or the default (nowhere) when the configuration sets none. */
    public static DestructionPolicy of(TypeConfigurationModel typeConfiguration) {
        return new DestructionPolicy(typeConfiguration == null ? null : typeConfiguration.getDestruction());
    }

    public static DestructionPolicy defaults() {
        return new DestructionPolicy(null);
    }

    /** Whether OnDelete Clean may drop the objects of this resource's schema. */
    public boolean mayClean(ResourceModel recorded) {
        return inScope(recorded, clean);
    }

    /**
     * Whether Clean may drop this resource's schema although the resource did not create its objects (it adopted
     * them, or they were there when it claimed the schema): only where the admin enabled exactly that, on top of
     * Clean itself.
     */
    public boolean mayCleanWhatItDidNotCreate(ResourceModel recorded) {
        return mayClean(recorded) && inScope(recorded, cleanNotCreated);
    }

    public boolean mayAdopt(ResourceModel model) {
        return inScope(model, adoption);
    }

    public boolean mayRepair(ResourceModel model) {
        return inScope(model, repair);
    }

    /** A Create's OnDelete Clean, Adoption and Repair, before anything is read, claimed or created. */
    void checkCreate(ResourceModel model) {
        if (Translator.cleansOnDelete(model)) {
            checkClean(model);
        }
        if (model.getAdoption() != null && model.getAdoption().getBaselineVersion() != null) {
            checkAdoption(model);
        }
        if (model.getRepair() != null) {
            checkRepair(model);
        }
    }

    /**
     * What an Update asks anew: OnDelete Clean where the record does not already say Clean, and a Repair that
     * differs from the previous one (the only kind HistoryActions runs). Properties left as they were pass, so a
     * stack rollback to the recorded properties is never refused; the Delete checks Clean again anyway.
     */
    void checkUpdate(ResourceModel desired, ResourceModel recorded, ResourceModel previous) {
        if (Translator.cleansOnDelete(desired) && !Translator.cleansOnDelete(recorded)) {
            checkClean(desired);
        }
        ResourceModel before = previous != null && previous.getDatabase() != null ? previous : recorded;
        if (desired.getRepair() != null && !Objects.equals(desired.getRepair(), before.getRepair())) {
            checkRepair(desired);
        }
    }

    void checkClean(ResourceModel model) {
        if (!mayClean(model)) {
            throw refused("OnDelete: Clean", "drops every object in the schema when the resource is deleted",
                    model, CLEAN_SETTING, clean, "Use OnDelete: Retain (the default)");
        }
    }

    public void checkAdoption(ResourceModel model) {
        if (!mayAdopt(model)) {
            throw refused("Adoption.BaselineVersion", "takes over a schema someone else filled, and runs the migrations"
                    + " above the baseline in it", model, ADOPTION_SETTING, adoption, "Remove Adoption");
        }
    }

    public void checkRepair(ResourceModel model) {
        if (!mayRepair(model)) {
            throw refused("Repair", "deletes a row from the schema's Flyway history", model, REPAIR_SETTING, repair,
                    "Remove Repair (a database owner can run flyway repair by hand)");
        }
    }

    /**
     * Why Delete keeps the data of a resource recorded with OnDelete Clean, or null when it cleans (or the record
     * says Retain). For the Delete's message: the stack event says what happened and what to change.
     */
    public String cleanRefusal(ResourceModel recorded) {
        if (!Translator.cleansOnDelete(recorded) || mayClean(recorded)) {
            return null;
        }
        return "OnDelete is Clean, but this account no longer allows Clean on " + scopeOf(recorded)
                + " (type configuration " + CLEAN_SETTING + ": " + describe(clean) + "), so nothing was dropped."
                + " Drop the schema by hand if it is no longer needed";
    }

    /** HOST/DATABASE/SCHEMA of a model, as scopes name it. */
    static String scopeOf(ResourceModel m) {
        return LoginBindings.normalizeHost(m.getDatabase().getHost()) + "/" + m.getDatabase().getName() + "/" + Translator.schema(m);
    }

    private static ReconcileException refused(String property, String what, ResourceModel model, String setting,
                                              List<String> scopes, String instead) {
        return new ReconcileException(Reason.INVALID_INPUT, property + " is not allowed on " + scopeOf(model)
                + " in this account (type configuration " + setting + ": " + describe(scopes) + "): it " + what
                + ", so the account admin enables it only where that is wanted. " + instead + ", or " + HOW_TO_CHANGE
                + ". Nothing was changed.");
    }

    private static String describe(List<String> scopes) {
        return scopes.isEmpty() ? "not set, so nowhere, the default" : scopes.toString();
    }

    static boolean inScope(ResourceModel m, Collection<String> scopes) {
        if (m == null || m.getDatabase() == null || m.getDatabase().getHost() == null || m.getDatabase().getName() == null) {
            return false;
        }
        return inScope(m.getDatabase().getHost(), m.getDatabase().getName(), Translator.schema(m), scopes);
    }

    /** Whether a host, database and schema fall under one of the HOST/DATABASE/SCHEMA scopes. */
    static boolean inScope(String host, String database, String schema, Collection<String> scopes) {
        for (String scope : scopes) {
            String[] parts = scope.split("/", -1);
            if (parts.length == 3 && matches(LoginBindings.normalizeHost(parts[0]), LoginBindings.normalizeHost(host))
                    && matches(parts[1], database) && matches(parts[2], schema)) {
                return true;
            }
        }
        return false;
    }

    /** A pattern in which each * stands for any run of characters (none included); everything else is literal. */
    static boolean matches(String pattern, String value) {
        if (pattern.isEmpty() || value == null) {
            return false;
        }
        String[] pieces = pattern.split("\\*", -1);
        if (pieces.length == 1) {
            return pattern.equals(value);
        }
        if (!value.startsWith(pieces[0])) {
            return false;
        }
        int at = pieces[0].length();
        for (int i = 1; i < pieces.length - 1; i++) {
            int found = value.indexOf(pieces[i], at);
            if (found < 0) {
                return false;
            }
            at = found + pieces[i].length();
        }
        String last = pieces[pieces.length - 1];
        return value.length() - at >= last.length() && value.endsWith(last);
    }

    private static List<String> sorted(Collection<String> values) {
        return values == null ? List.of() : new ArrayList<>(new TreeSet<>(values));
    }
}
