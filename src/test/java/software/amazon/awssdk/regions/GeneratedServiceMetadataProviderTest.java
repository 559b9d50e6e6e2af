package software.amazon.awssdk.regions;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our lazy GeneratedServiceMetadataProvider must answer every endpoint prefix as the SDK's own would. The SDK's
 * copy is read from its jar in a separate class loader (ours shadows it on this class path), and its map of
 * prefix to metadata class is compared with ours, entry by entry: an SDK upgrade that names a class against
 * the convention fails here rather than in a Lambda.
 */
class GeneratedServiceMetadataProviderTest {
    /** Defines the SDK's own GeneratedServiceMetadataProvider, read from its jar; everything else as usual. */
    private static final class SdksOwnProvider extends ClassLoader {
        private static final String NAME = GeneratedServiceMetadataProvider.class.getName();

        SdksOwnProvider() {
            super(GeneratedServiceMetadataProviderTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!NAME.equals(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                URL regionsJar = ServiceMetadata.class.getProtectionDomain().getCodeSource().getLocation();
                assertThat(regionsJar).as("the SDK's regions jar, not our classes")
                        .isNotEqualTo(GeneratedServiceMetadataProvider.class.getProtectionDomain().getCodeSource().getLocation());
                try (InputStream in = new URL("jar:" + regionsJar + "!/" + name.replace('.', '/') + ".class").openStream()) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sdkMap() throws Exception {
        Class<?> original = new SdksOwnProvider().loadClass(GeneratedServiceMetadataProvider.class.getName());
        assertThat(original).isNotSameAs(GeneratedServiceMetadataProvider.class);
        Field map = original.getDeclaredField("SERVICE_METADATA");
        map.setAccessible(true);
        return Map.copyOf((Map<String, Object>) map.get(null));
    }

    @Test
    void answersEveryPrefixWithTheSdksOwnMetadataClass() throws Exception {
        Map<String, Object> sdk = sdkMap();
        assertThat(sdk).hasSizeGreaterThan(250).containsKeys("ssm", "kms", "lambda", "s3", "api.ecr", "acm-pca");
        GeneratedServiceMetadataProvider lazy = new GeneratedServiceMetadataProvider();
        sdk.forEach((prefix, metadata) -> {
            assertThat(GeneratedServiceMetadataProvider.className(prefix)).as(prefix).isEqualTo(metadata.getClass().getName());
            ServiceMetadata ours = lazy.serviceMetadata(prefix);
            assertThat(ours).as(prefix).isNotNull();
            assertThat(ours.getClass().getName()).as(prefix).isEqualTo(metadata.getClass().getName());
        });
    }

    @Test
    void knowsNothingTheSdkDoesNotKnow() {
        GeneratedServiceMetadataProvider lazy = new GeneratedServiceMetadataProvider();
        assertThat(lazy.serviceMetadata("no-such-service")).isNull();
        assertThat(lazy.serviceMetadata("SSM")).isNull();
        assertThat(lazy.serviceMetadata("")).isNull();
        assertThat(lazy.serviceMetadata(null)).isNull();
        assertThat(lazy.serviceMetadata("../ssm")).isNull();
        // ServiceMetadata.of falls back to the SDK's default for an unknown prefix, as before.
        assertThat(ServiceMetadata.of("no-such-service")).isNotNull();
    }

    @Test
    void theSsmMetadataIsTheSdksAndWorks() {
        assertThat(ServiceMetadata.of("ssm").endpointFor(Region.US_EAST_1).toString()).isEqualTo("ssm.us-east-1.amazonaws.com");
        assertThat(PartitionMetadata.of(Region.CN_NORTH_1).dnsSuffix()).isEqualTo("amazonaws.com.cn");
    }
}
