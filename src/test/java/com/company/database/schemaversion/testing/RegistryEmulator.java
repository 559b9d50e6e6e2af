package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.local.RegistryEndpoint;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tests' CloudFormation registry and S3 ({@link RegistryEndpoint}: exactly the calls the release command
 * makes), with the errors the services answer injected on demand: an action ("RegisterType", "PutObject", ...)
 * answers a given error until cleared, and a registration can be made to fail as CloudFormation's validation of
 * a package fails it.
 */
public final class RegistryEmulator extends RegistryEndpoint {
    private final Map<String, Fault> failures = new ConcurrentHashMap<>();
    private volatile String registrationFailure;

    public RegistryEmulator(String region) throws IOException {
        super(region, DEFAULT_MAX_VERSIONS);
    }

    public RegistryEmulator(String region, int maxVersions) throws IOException {
        super(region, maxVersions);
    }

    /** The next calls of {@code action} answer this error (HTTP status, code, message) until cleared. */
    public void failWith(String action, int status, String code, String message) {
        failures.put(action, new Fault(status, code, message));
    }

    /** Registrations end FAILED with this Description (null: as the package decides). */
    public void failRegistrations(String description) {
        registrationFailure = description;
    }

    public void clearFailures() {
        failures.clear();
        registrationFailure = null;
    }

    @Override
    protected Fault intercept(String service, String action, Map<String, String> params) {
        return failures.get(action);
    }

    @Override
    protected String rejectPackage(String typeName, Map<String, String> registerParams) {
        return registrationFailure;
    }
}
