package software.amazon.awssdk.regions;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Replaces the AWS SDK's class of the same name in the handler artifact (the shade plugin drops the SDK's copy;
 * see pom.xml). The SDK's version builds the endpoint metadata of all 304 services (one class each) in its
 * static initialiser, and the SDK initialises it the first time anything asks for a partition: the generated
 * HandlerWrapper.transform does, in every call (PartitionMetadata.of). This one loads a service's metadata
 * class the first time that service is asked for, which for this handler is never, and answers exactly as the
 * SDK's map would: the SDK names every class after its endpoint prefix (each dot- or dash-separated part
 * capitalised, then ServiceMetadata), s3 alone being EnhancedS3ServiceMetadata, and has no class for a prefix it
 * does not know. GeneratedServiceMetadataProviderTest checks that against every class of the SDK's package.
 */
public final class GeneratedServiceMetadataProvider implements ServiceMetadataProvider {
    private static final String PACKAGE = "software.amazon.awssdk.regions.servicemetadata.";
    private static final Pattern ENDPOINT_PREFIX = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");
    /** Empty for a prefix the SDK has no metadata for (a ConcurrentHashMap holds no null). */
    private static final Map<String, Optional<ServiceMetadata>> LOADED = new ConcurrentHashMap<>();

    @Override
    public ServiceMetadata serviceMetadata(String endpointPrefix) {
        if (endpointPrefix == null) {
            return null;
        }
        return LOADED.computeIfAbsent(endpointPrefix, GeneratedServiceMetadataProvider::load).orElse(null);
    }

    /** The SDK's class name for an endpoint prefix, or null for a string that is not one. */
    static String className(String endpointPrefix) {
        if (!ENDPOINT_PREFIX.matcher(endpointPrefix).matches()) {
            return null;
        }
        if (endpointPrefix.equals("s3")) {
            return PACKAGE + "EnhancedS3ServiceMetadata";
        }
        StringBuilder name = new StringBuilder(PACKAGE);
        for (String part : endpointPrefix.split("[.-]")) {
            name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
        }
        return name.append("ServiceMetadata").toString();
    }

    private static Optional<ServiceMetadata> load(String endpointPrefix) {
        String name = className(endpointPrefix);
        if (name == null) {
            return Optional.empty();
        }
        Class<?> type;
        try {
            type = Class.forName(name, true, GeneratedServiceMetadataProvider.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
        if (!ServiceMetadata.class.isAssignableFrom(type)) {
            return Optional.empty();
        }
        try {
            return Optional.of((ServiceMetadata) type.getConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create the SDK's endpoint metadata " + name, e);
        }
    }
}
