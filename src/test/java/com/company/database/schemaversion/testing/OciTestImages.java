package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.core.Digests;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Tiny OCI image layouts for the local ECS's tests, written by hand (ustar layers, gzip or not): what a registry
 * would serve, so the emulator's reader is tested against the format, not against a writer of ours it shares
 * code with.
 */
public final class OciTestImages {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tar entry: a file (type '0'), directory ('5') or symbolic link ('2'). */
    public record Entry(String name, char type, byte[] content, int mode, String link) {
        public static Entry file(String name, byte[] content) {
            return new Entry(name, '0', content, 0644, "");
        }

        public static Entry directory(String name) {
            return new Entry(name, '5', new byte[0], 0755, "");
        }

        public static Entry symlink(String name, String target) {
            return new Entry(name, '2', new byte[0], 0777, target);
        }
    }

    /** What one written image is: its digest reference, its layout, and its layers' blob files. */
    public record Written(String reference, Path layout, List<Path> layerBlobs) {
    }

    private OciTestImages() {
    }

    /** Writes an image with these layers and config into {@code layout} (created if needed). */
    public static Written write(Path layout, List<List<Entry>> layers, boolean gzip, List<String> entrypoint,
                                List<String> cmd, List<String> env) {
        try {
            Files.createDirectories(layout.resolve("blobs/sha256"));
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            ArrayNode layerDescriptors = JSON.createArrayNode();
            ArrayNode diffIds = JSON.createArrayNode();
            List<Path> blobs = new ArrayList<>();
            for (List<Entry> layer : layers) {
                byte[] tar = tar(layer);
                diffIds.add("sha256:" + Digests.sha256Hex(tar));
                byte[] blob = gzip ? gzip(tar) : tar;
                blobs.add(blob(layout, blob));
                layerDescriptors.add(descriptor(gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                        : "application/vnd.oci.image.layer.v1.tar", blob));
            }
            ObjectNode config = JSON.createObjectNode();
            config.put("architecture", "amd64");
            config.put("os", "linux");
            ObjectNode c = config.putObject("config");
            env.forEach(c.putArray("Env")::add);
            if (entrypoint != null) {
                entrypoint.forEach(c.putArray("Entrypoint")::add);
            }
            if (cmd != null) {
                cmd.forEach(c.putArray("Cmd")::add);
            }
            config.putObject("rootfs").put("type", "layers").set("diff_ids", diffIds);
            byte[] configBytes = JSON.writeValueAsBytes(config);
            blob(layout, configBytes);
            manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", configBytes));
            manifest.set("layers", layerDescriptors);
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            blob(layout, manifestBytes);
            ObjectNode index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.putArray("manifests").add(descriptor("application/vnd.oci.image.manifest.v1+json", manifestBytes));
            Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
            return new Written("123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner@sha256:"
                    + Digests.sha256Hex(manifestBytes), layout, blobs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image of this test JVM's class {@code main}, run as {@code java -cp /app/classes <main>}. */
    public static Written javaImage(Path layout, Class<?> main, List<String> env) {
        String resource = main.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (var in = main.getClassLoader().getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> layer = new ArrayList<>();
        layer.add(Entry.directory("app/"));
        layer.add(Entry.file("app/classes/" + resource, bytes));
        return write(layout, List.of(layer), true, List.of("java", "-cp", "/app/classes", main.getName()), List.of(), env);
    }

    /** What runs {@link #scriptImage}'s script, the same for every such image: a task definition may name it. */
    public static final List<String> SCRIPT_ENTRYPOINT = List.of("/bin/sh", "/app/run.sh");

    /** An image whose script is the file /app/run.sh, run by {@link #SCRIPT_ENTRYPOINT} (the host's shell). */
    public static Written scriptImage(Path layout, String script) {
        return write(layout, List.of(List.of(Entry.file("app/run.sh", (script + "\n").getBytes(StandardCharsets.UTF_8)))),
                false, SCRIPT_ENTRYPOINT, null, List.of("IMAGE_VARIABLE=from-image"));
    }

    /** An image whose entrypoint is {@code /bin/sh -c <script>} (the host's shell: the image has no base layer). */
    public static Written shellImage(Path layout, String script) {
        return write(layout, List.of(List.of(Entry.file("app/marker", "x".getBytes(StandardCharsets.UTF_8)))), false,
                List.of("/bin/sh", "-c", script), null, List.of("IMAGE_VARIABLE=from-image"));
    }

    private static ObjectNode descriptor(String mediaType, byte[] blob) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", "sha256:" + Digests.sha256Hex(blob));
        d.put("size", blob.length);
        return d;
    }

    private static Path blob(Path layout, byte[] bytes) throws IOException {
        Path p = layout.resolve("blobs/sha256").resolve(Digests.sha256Hex(bytes));
        Files.write(p, bytes);
        return p;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /** A ustar archive of the entries, names up to 100 bytes. */
    public static byte[] tar(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] h = new byte[512];
            put(h, 0, 100, e.name());
            put(h, 100, 8, String.format("%07o", e.mode()));
            put(h, 108, 8, "0000000");
            put(h, 116, 8, "0000000");
            put(h, 124, 12, String.format("%011o", e.content().length));
            put(h, 136, 12, String.format("%011o", 0));
            h[156] = (byte) e.type();
            put(h, 157, 100, e.link());
            put(h, 257, 6, "ustar");
            put(h, 263, 2, "00");
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, 8, String.format("%06o", sum));
            h[155] = ' ';
            out.writeBytes(h);
            out.writeBytes(e.content());
            out.writeBytes(new byte[(512 - e.content().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length > length) {
            throw new IllegalArgumentException("too long for a ustar field: " + value);
        }
        System.arraycopy(b, 0, h, offset, b.length);
    }
}
