package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Digests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;

/**
 * The task runner's image: the runner package (the files of the Lambda runner's zip, without the extra CA entry)
 * as one OCI image layer under {@value #CODE_ROOT}, with a config whose entry point runs {@link RunnerTask}, written
 * reproducibly by plain Java (no Docker, no registry client): the same handler artifact gives the same bytes, the
 * same layer digest and the same manifest digest.
 *
 * <p>The image has no base layers. The admin adds the base (a JRE image named by digest, such as Amazon Corretto
 * 17 headless) when pushing it, e.g. {@code crane append -b <jre>@sha256:... -f app-layer.tar.gz -t <repo>:<tag>};
 * the type configuration names the pushed image by digest, and the handler's task definition sets the entry point
 * ({@link #entrypoint()}), so the base's own does not matter. The local ECS stands in for the base with the host's java ({@link #read}).
 *
 * <p>Why the identity the runner checks survives that re-packing: the runner does not trust any digest of the
 * image (the pushed image's manifest and config digests differ from this layout's as soon as a base is added, and
 * a registry or tool may re-compress the layer). It checks the code id ({@link LambdaRunnerPackage#codeId()}): a
 * digest over the names, sizes and CRC-32s of the files under its class-path root, which it computes at start
 * from the files it is about to run ({@link RunnerTask#ownCodeId}) and compares with the id the handler computed
 * from its own code and armed in the step record. Tar headers, entry order, times, owners, compression, the
 * layer's position and the base's files outside {@value #CODE_ROOT} do not enter it; a changed, missing or extra
 * file under {@value #CODE_ROOT} (an extra one too, which the id would not name) makes the runner refuse the step.
 * The label {@value #CODE_LABEL} says which code an image carries, for the admin; nothing trusts it.
 *
 * <p>The layer is a POSIX ustar archive: entries in name order (each directory before what it holds), mtime
 * 1980-01-01, uid/gid 0 without names, modes 0644 and 0755, and a PAX record only for a path ustar cannot hold
 * (its "path", never a time), so nothing depends on the build machine. It is compressed with a fixed gzip header (no time, no name, OS unknown); the deflate stream is the
 * JDK's zlib's at the default level, so one JDK gives the same bytes every time.
 */
public final class RunnerImage {
    /** Where the runner package lies in the image, and the class path of the entry point. */
    public static final String CODE_ROOT = "/opt/schemaversion-runner";
    public static final String CODE_LABEL = "com.company.database.schemaversion.runner-code";
    public static final String PROTOCOL_LABEL = "com.company.database.schemaversion.runner-protocol";
    public static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** The file name of the layer beside the layout ({@link #writeAppLayer}), for crane append -f. */
    public static final String APP_LAYER_FILE = "app-layer.tar.gz";
    private static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String DOCKER_LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final String PLAIN_LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    /** The zip's fixed time (1980-01-01T00:00:00Z), in seconds: the same in every time zone. */
    private static final long MTIME = 315_532_800L;
    private static final int BLOCK = 512;
    /** Where the PAX header of a long path is named (the name of a PAX header's own entry is not extracted). */
    private static final String PAX_HEADERS = "PaxHeaders/";
    private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");

    private final String codeId;
    private final byte[] layerTar;
    private final byte[] layerTarGz;
    private final byte[] config;
    private final byte[] manifest;

    private RunnerImage(String codeId, byte[] layerTar) {
        this.codeId = codeId;
        this.layerTar = layerTar;
        this.layerTarGz = gzip(layerTar);
        this.config = config(codeId, "sha256:" + Digests.sha256Hex(layerTar));
        this.manifest = manifest(config, layerTarGz);
    }

    /** The image of a runner package: its files as the Lambda runner's zip has them, without extra CA certificates. */
    public static RunnerImage of(LambdaRunnerPackage runnerPackage) {
        if (runnerPackage.extraCaDigest() != null) {
            throw new IllegalArgumentException("the task runner's image carries no extra CA certificates (the task gets"
                    + " them in " + RunnerTask.EXTRA_CA_VARIABLE + "): build it from the package without them");
        }
        TreeMap<String, RunnerPackageBuilder.FileEntry> files = runnerPackage.files();
        return new RunnerImage(RunnerPackageBuilder.codeId(files), tar(files));
    }

    /** The code id of the files in the layer: what the runner computes from them and the handler arms steps for. */
    public String codeId() {
        return codeId;
    }

    /** "sha256:<hex>" of this layout's manifest. */
    public String manifestDigest() {
        return "sha256:" + Digests.sha256Hex(manifest);
    }

    /** "sha256:<hex>" of the compressed layer (the digest a registry names the blob by, if it keeps its bytes). */
    public String layerDigest() {
        return "sha256:" + Digests.sha256Hex(layerTarGz);
    }

    /** The layer as the admin appends it to a JRE base image. */
    public byte[] appLayerTarGz() {
        return layerTarGz.clone();
    }

    /** The uncompressed layer (its digest is the config's diff_id). */
    public byte[] appLayerTar() {
        return layerTar.clone();
    }

    /** The entry point of the image: the runner task on the package's class path, with the JRE's java. */
    public static List<String> entrypoint() {
        return List.of("java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=75", "-cp", CODE_ROOT,
                RunnerTask.class.getName());
    }

    /**
     * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) to {@code dir}, created if missing. The
     * index names the manifest with the reference name "runner-" and the first 16 hex digits of the code id.
     */
    public void writeLayout(Path dir) {
        ObjectNode index = RunnerProtocol.JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX_TYPE);
        ObjectNode descriptor = descriptor(index.putArray("manifests").addObject(), MANIFEST_TYPE, manifest);
        descriptor.putObject("platform").put("architecture", "amd64").put("os", "linux");
        descriptor.putObject("annotations").put("org.opencontainers.image.ref.name", refName());
        try {
            Path blobs = dir.resolve("blobs").resolve("sha256");
            Files.createDirectories(blobs);
            for (byte[] blob : List.of(layerTarGz, config, manifest)) {
                Files.write(blobs.resolve(Digests.sha256Hex(blob)), blob);
            }
            Files.write(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            Files.write(dir.resolve("index.json"), RunnerProtocol.bytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the runner image layout to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the layer alone ({@link #appLayerTarGz()}) to a file: what crane append -f takes. */
    public void writeAppLayer(Path file) {
        try {
            Files.write(file, layerTarGz);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the runner image's layer to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The reference name the layout's index gives the image (e.g. for skopeo's oci:DIR:NAME). */
    public String refName() {
        return "runner-" + codeId.substring(0, 16);
    }

    private static byte[] config(String codeId, String diffId) {
        ObjectNode n = RunnerProtocol.JSON.createObjectNode();
        n.put("architecture", "amd64");
        n.put("os", "linux");
        ObjectNode c = n.putObject("config");
        c.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        entrypoint().forEach(c.putArray("Entrypoint")::add);
        c.put("WorkingDir", CODE_ROOT);
        ObjectNode labels = c.putObject("Labels");
        labels.put(CODE_LABEL, codeId);
        labels.put(PROTOCOL_LABEL, Integer.toString(RunnerProtocol.VERSION));
        ObjectNode rootfs = n.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        n.putArray("history").addObject().put("created_by", "schemaversion runner-image: the runner package, code " + codeId);
        return RunnerProtocol.bytes(n);
    }

    private static byte[] manifest(byte[] config, byte[] layer) {
        ObjectNode n = RunnerProtocol.JSON.createObjectNode();
        n.put("schemaVersion", 2);
        n.put("mediaType", MANIFEST_TYPE);
        descriptor(n.putObject("config"), CONFIG_TYPE, config);
        descriptor(n.putArray("layers").addObject(), LAYER_TYPE, layer);
        return RunnerProtocol.bytes(n);
    }

    private static ObjectNode descriptor(ObjectNode into, String mediaType, byte[] blob) {
        into.put("mediaType", mediaType);
        into.put("digest", "sha256:" + Digests.sha256Hex(blob));
        into.put("size", blob.length);
        return into;
    }

    // ---- the layer: ustar, then gzip ----

    private static byte[] tar(TreeMap<String, RunnerPackageBuilder.FileEntry> files) {
        String root = CODE_ROOT.substring(1) + "/";
        TreeSet<String> directories = new TreeSet<>();
        for (String name : files.keySet()) {
            String path = root + name;
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                directories.add(path.substring(0, slash + 1));
            }
        }
        // One sorted sequence of directories and files, so that every directory comes before what it holds.
        TreeMap<String, byte[]> entries = new TreeMap<>();
        directories.forEach(d -> entries.put(d, null));
        RunnerPackageBuilder.read(files, (name, content) -> entries.put(root + name, content));
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024 * 1024);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] content = e.getValue();
            byte[] pax = paxPath(e.getKey());
            if (pax != null) {
                out.writeBytes(header(PAX_HEADERS + e.getKey().substring(e.getKey().lastIndexOf('/', e.getKey().length() - 2) + 1),
                        pax.length, 'x'));
                out.writeBytes(pax);
                out.writeBytes(new byte[pad(pax.length)]);
            }
            out.writeBytes(header(e.getKey(), content == null ? 0 : content.length, content == null ? '5' : '0'));
            if (content != null) {
                out.writeBytes(content);
                out.writeBytes(new byte[pad(content.length)]);
            }
        }
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    private static int pad(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    /**
     * Where a ustar header cannot hold a path: at the slash that splits it into at most 155 bytes before and 100
     * after (ustar's prefix and name), or -1.
     */
    private static int ustarSplit(byte[] full) {
        for (int i = 0; i < full.length && i <= 155; i++) {
            if (full[i] == '/' && full.length - i - 1 <= 100 && full.length - i - 1 > 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The PAX extended header records for a path ustar cannot hold (a file name of more than 100 bytes, as some
     * of Flyway's nested classes have), or null: only "path", never a time, so the bytes stay the same.
     */
    private static byte[] paxPath(String path) {
        byte[] full = path.getBytes(StandardCharsets.UTF_8);
        if (full.length <= 100 || ustarSplit(full) >= 0) {
            return null;
        }
        int body = (" path=" + path + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++;
        }
        return (length + " path=" + path + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] header(String path, long size, char type) {
        byte[] h = new byte[BLOCK];
        byte[] full = path.getBytes(StandardCharsets.UTF_8);
        if (full.length <= 100) {
            System.arraycopy(full, 0, h, 0, full.length);
        } else {
            int split = ustarSplit(full);
            if (split >= 0) {
                System.arraycopy(full, split + 1, h, 0, full.length - split - 1);
                System.arraycopy(full, 0, h, 345, split);
            } else {
                // The PAX record before this header has the path; this one keeps as much of it as fits.
                int slash = path.lastIndexOf('/');
                byte[] dir = path.substring(0, slash).getBytes(StandardCharsets.UTF_8);
                byte[] base = path.substring(slash + 1).getBytes(StandardCharsets.UTF_8);
                if (dir.length > 155) {
                    throw new IllegalStateException("the runner package's path " + path + " is too long for a tar header");
                }
                System.arraycopy(base, 0, h, 0, Math.min(100, base.length));
                System.arraycopy(dir, 0, h, 345, dir.length);
            }
        }
        boolean directory = type == '5';
        octal(h, 100, 8, directory ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, MTIME);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] checksum = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(checksum, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    /** A zero-padded octal number of length-1 digits, then NUL. */
    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new IllegalStateException("value " + value + " does not fit a ustar field");
        }
        byte[] text = ("0".repeat(length - 1 - digits.length()) + digits).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, h, offset, text.length);
        h[offset + length - 1] = 0;
    }

    /**
     * gzip (RFC 1952) with a fixed header: no modification time, no file name, OS 255 (unknown), so that neither the
     * clock nor the JDK's own header (whose OS byte changed between versions) enters the bytes.
     */
    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2);
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(new NonClosing(out), deflater, 64 * 1024)) {
            deflate.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        littleEndian(out, crc.getValue());
        littleEndian(out, data.length & 0xffffffffL);
        return out.toByteArray();
    }

    private static void littleEndian(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    // ---- reading a layout: for the local ECS, which runs a task from the image's files ----

    /** A layout's image that does not hold what its digests say, or that this reader cannot run. */
    public static final class LayoutException extends RuntimeException {
        public LayoutException(String message) {
            super(message);
        }
    }

    /** One layer of an image read from a layout: its blob, whose digest and size were checked against the manifest. */
    public record Layer(String digest, String diffId, String mediaType, Path blob) {
    }

    /**
     * An image read from a layout by manifest digest: every blob's SHA-256 and size checked against the descriptor
     * that names it, the manifest's against the digest asked for.
     */
    public record Image(String manifestDigest, List<Layer> layers, List<String> entrypoint, List<String> cmd,
                        List<String> env, String workingDir, Map<String, String> labels) {
        /**
         * Extracts the layers in order into {@code rootfs} (a fresh directory): each layer's uncompressed digest is
         * checked against its diff_id before anything of it is written. Only regular files and directories, with
         * relative paths that stay inside rootfs: whiteouts, links and devices are refused.
         */
        public void extractTo(Path rootfs) {
            try {
                Files.createDirectories(rootfs);
                for (Layer layer : layers) {
                    String uncompressed = "sha256:" + Digests.hex(digestOf(layer));
                    if (!uncompressed.equals(layer.diffId())) {
                        throw new LayoutException("layer " + layer.digest() + " unpacks to " + uncompressed
                                + " but the image config's diff_id is " + layer.diffId());
                    }
                    try (InputStream in = open(layer)) {
                        untar(in, rootfs, layer.digest());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract the image to " + rootfs + ": " + e.getMessage(), e);
            }
        }
    }

    /** Reads the image with this manifest digest from an OCI image layout, checking every blob it uses. */
    public static Image read(Path layout, String manifestDigest) {
        if (manifestDigest == null || !DIGEST.matcher(manifestDigest).matches()) {
            throw new LayoutException("the image is named by a sha256 digest (sha256: and 64 hex digits), not '"
                    + manifestDigest + "'");
        }
        JsonNode manifest = json(verifiedBlob(layout, manifestDigest, -1, "manifest"), "manifest");
        String type = manifest.path("mediaType").asText(MANIFEST_TYPE);
        if (manifest.path("schemaVersion").asInt() != 2 || !(type.equals(MANIFEST_TYPE) || type.equals(DOCKER_MANIFEST_TYPE))) {
            throw new LayoutException("blob " + manifestDigest + " is not an image manifest (" + type + ")");
        }
        JsonNode configDescriptor = manifest.path("config");
        JsonNode config = json(verifiedBlob(layout, configDescriptor.path("digest").asText(),
                configDescriptor.path("size").asLong(-1), "config"), "config");
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        JsonNode layerDescriptors = manifest.path("layers");
        if (!layerDescriptors.isArray() || layerDescriptors.size() != diffIds.size()) {
            throw new LayoutException("the manifest names " + layerDescriptors.size() + " layers but the config "
                    + diffIds.size() + " diff_ids");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerDescriptors.size(); i++) {
            JsonNode d = layerDescriptors.get(i);
            String mediaType = d.path("mediaType").asText();
            if (!List.of(LAYER_TYPE, DOCKER_LAYER_TYPE, PLAIN_LAYER_TYPE).contains(mediaType)) {
                throw new LayoutException("layer " + d.path("digest").asText() + " has media type " + mediaType
                        + ", which this reader does not unpack");
            }
            Path blob = verifiedBlobFile(layout, d.path("digest").asText(), d.path("size").asLong(-1), "layer");
            layers.add(new Layer(d.path("digest").asText(), diffIds.get(i).asText(), mediaType, blob));
        }
        JsonNode c = config.path("config");
        Map<String, String> labels = new LinkedHashMap<>();
        c.path("Labels").fields().forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
        return new Image(manifestDigest, List.copyOf(layers), strings(c.path("Entrypoint")), strings(c.path("Cmd")),
                strings(c.path("Env")), c.path("WorkingDir").asText(""), Collections.unmodifiableMap(labels));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asText()));
        return List.copyOf(out);
    }

    private static JsonNode json(byte[] bytes, String what) {
        try {
            JsonNode n = RunnerProtocol.JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new LayoutException("the image's " + what + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new LayoutException("the image's " + what + " is not JSON");
        }
    }

    private static byte[] verifiedBlob(Path layout, String digest, long size, String what) {
        try {
            return Files.readAllBytes(verifiedBlobFile(layout, digest, size, what));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The blob's file, once its content's SHA-256 (and size, when the descriptor gives one) match its name. */
    private static Path verifiedBlobFile(Path layout, String digest, long size, String what) {
        if (!DIGEST.matcher(digest).matches()) {
            throw new LayoutException("the image's " + what + " is named by '" + digest + "', not a sha256 digest");
        }
        Path file = layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
        if (!Files.isRegularFile(file)) {
            throw new LayoutException("the layout at " + layout + " has no blob " + digest + " (the image's " + what + ")");
        }
        MessageDigest sha = Digests.sha256();
        long read = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                read += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String actual = "sha256:" + Digests.hex(sha.digest());
        if (!actual.equals(digest)) {
            throw new LayoutException("blob " + digest + " (the image's " + what + ") holds content whose digest is "
                    + actual + ": the layout was changed or damaged");
        }
        if (size >= 0 && read != size) {
            throw new LayoutException("blob " + digest + " (the image's " + what + ") is " + read + " bytes, its"
                    + " descriptor says " + size);
        }
        return file;
    }

    private static InputStream open(Layer layer) throws IOException {
        InputStream in = Files.newInputStream(layer.blob());
        return layer.mediaType().equals(PLAIN_LAYER_TYPE) ? in : new GZIPInputStream(in, 64 * 1024);
    }

    private static byte[] digestOf(Layer layer) throws IOException {
        MessageDigest sha = Digests.sha256();
        try (InputStream in = new DigestInputStream(open(layer), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return sha.digest();
    }

    private static void untar(InputStream in, Path rootfs, String layer) throws IOException {
        Path root = rootfs.toAbsolutePath().normalize();
        String paxPath = null;
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length < BLOCK) {
                throw new LayoutException("layer " + layer + " ends inside a tar header");
            }
            if (allZero(h)) {
                return;
            }
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
            }
            if (sum != parseOctal(h, 148, 8)) {
                throw new LayoutException("layer " + layer + " has a tar header whose checksum is wrong");
            }
            String name = paxPath != null ? paxPath : headerPath(h);
            paxPath = null;
            long size = parseOctal(h, 124, 12);
            int mode = (int) parseOctal(h, 100, 8);
            char type = (char) h[156];
            if (type == 'x' || type == 'g') {
                byte[] records = in.readNBytes((int) size);
                in.skipNBytes(pad(size));
                if (type == 'x') {
                    paxPath = paxValue(records, "path");
                }
                continue;
            }
            String base = name.substring(name.lastIndexOf('/', name.length() - 2) + 1);
            if (base.startsWith(".wh.")) {
                throw new LayoutException("layer " + layer + " has a whiteout (" + name + "), which this reader does not apply");
            }
            Path target = root.resolve(name).normalize();
            if (name.startsWith("/") || !target.startsWith(root) || target.equals(root) && type != '5') {
                throw new LayoutException("layer " + layer + " has an entry outside the image's root: " + name);
            }
            if (type == '5') {
                Files.createDirectories(target);
            } else if (type == '0' || type == 0) {
                Files.createDirectories(target.getParent());
                try (OutputStream out = Files.newOutputStream(target)) {
                    copy(in, out, size);
                }
                in.skipNBytes(pad(size));
                if ((mode & 0111) != 0 && target.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            } else {
                throw new LayoutException("layer " + layer + " has an entry of tar type '" + type + "' (" + name
                        + "): this reader unpacks only files and directories");
            }
        }
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new LayoutException("a layer ends inside a file");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static boolean allZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String headerPath(byte[] h) {
        String name = cString(h, 0, 100);
        // POSIX ustar ("ustar" NUL) has a prefix field there; GNU's old format ("ustar  ") keeps other fields there.
        boolean ustar = new String(h, 257, 6, StandardCharsets.US_ASCII).equals("ustar\0");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] h, int offset, int length) {
        String text = cString(h, offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new LayoutException("a tar header has a field that is not octal: '" + text + "'");
        }
    }

    /** A value of a PAX extended header's records ("<length> <key>=<value>\n"), or null. */
    private static String paxValue(byte[] records, String key) {
        String text = new String(records, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            int equals = record.indexOf('=');
            if (space > 0 && equals > space && record.substring(space + 1, equals).equals(key)) {
                return record.substring(equals + 1);
            }
        }
        return null;
    }

    /**
     * Writes the image of the given handler artifact (or of the code this JVM runs): the layout to {@code dir}, and
     * the layer alone beside it as app-layer.tar.gz.
     * Usage: java -cp target/company-database-schemaversion-1.0.0.jar
     * com.company.database.schemaversion.runner.RunnerImage [handler jar] DIR
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: RunnerImage [handler jar or directory] <layout directory>");
            System.exit(2);
        }
        Path root = args.length == 2 ? Path.of(args[0]) : RunnerPackageBuilder.codeRoot();
        RunnerImage image = of(LambdaRunnerPackage.of(root));
        Path dir = Path.of(args[args.length - 1]);
        image.writeLayout(dir);
        image.writeAppLayer(dir.resolve(APP_LAYER_FILE));
        image.describe(dir, System.out);
    }

    /** What the layout holds and what the admin does with it. */
    public void describe(Path dir, PrintStream out) {
        out.println("runner image layout " + dir + " (reference " + refName() + ")");
        out.println("  runner code id   " + codeId);
        out.println("  manifest         " + manifestDigest());
        out.println("  app layer        " + layerDigest() + " (" + layerTarGz.length + " bytes), also as "
                + dir.resolve(APP_LAYER_FILE));
        out.println("  entrypoint       " + String.join(" ", entrypoint()));
    }
}
