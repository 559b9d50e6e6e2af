package com.company.database.schemaversion.local;

import com.company.database.schemaversion.core.Digests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The local ECS's image store: one or more OCI image layout directories (oci-layout, index.json, blobs/sha256/..),
 * read only by digest, as a container runtime pulls an image named {@code <repository>@sha256:<hex>}. Every blob
 * (index, manifest, config, layer) is checked against its digest and descriptor size before use, and layers are
 * extracted so that no entry lands outside the container's root (no "..", no absolute names, no write through a
 * symbolic link an earlier entry planted). Uncompressed and gzip layers; OCI whiteouts are honoured.
 */
final class OciImages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIGEST_REFERENCE = Pattern.compile("^(.+)@sha256:([0-9a-f]{64})$");
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** What the image's config says the container runs with (its "config" object). */
    record Config(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir) {
    }

    record Image(String reference, String digest, Path layout, Config config, List<String> layerDigests) {
    }

    /** Why an image cannot be pulled: the text after "CannotPullContainerError: ". */
    static final class PullException extends Exception {
        PullException(String message) {
            super(message);
        }
    }

    private final List<Path> layouts;

    OciImages(List<Path> layouts) {
        this.layouts = List.copyOf(layouts);
    }

    /** The image a digest reference names, its manifest, config and layers checked against their digests. */
    Image resolve(String reference) throws PullException {
        Matcher m = DIGEST_REFERENCE.matcher(reference == null ? "" : reference);
        if (!m.matches()) {
            throw new PullException("pull image manifest has been retried 1 time(s): failed to resolve ref " + reference
                    + ": the local image store serves images named by digest only (<repository>@sha256:<hex>)");
        }
        String hex = m.group(2);
        for (Path layout : layouts) {
            Path blob = blob(layout, hex);
            if (Files.isRegularFile(blob)) {
                return read(reference, layout, hex);
            }
        }
        throw new PullException("pull image manifest has been retried 1 time(s): failed to resolve ref " + reference
                + ": not found");
    }

    private Image read(String reference, Path layout, String hex) throws PullException {
        JsonNode manifest = json(layout, hex, -1);
        String mediaType = manifest.path("mediaType").asText("");
        if (INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType) || (manifest.has("manifests") && !manifest.has("config"))) {
            JsonNode chosen = null;
            for (JsonNode d : manifest.path("manifests")) {
                JsonNode p = d.path("platform");
                if (chosen == null || ("linux".equals(p.path("os").asText()) && "amd64".equals(p.path("architecture").asText()))) {
                    chosen = d;
                }
            }
            if (chosen == null) {
                throw new PullException("image index " + reference + " lists no manifest");
            }
            hex = hexOf(chosen);
            manifest = json(layout, hex, chosen.path("size").asLong(-1));
        }
        JsonNode configDescriptor = manifest.path("config");
        JsonNode config = json(layout, hexOf(configDescriptor), configDescriptor.path("size").asLong(-1)).path("config");
        List<String> layers = new ArrayList<>();
        for (JsonNode d : manifest.path("layers")) {
            String layer = hexOf(d);
            verify(layout, layer, d.path("size").asLong(-1));
            layers.add(layer);
        }
        return new Image(reference, "sha256:" + hex, layout, new Config(strings(config.path("Env")),
                strings(config.path("Entrypoint")), strings(config.path("Cmd")), config.path("WorkingDir").asText("")),
                layers);
    }

    /** Extracts the image's layers, in order, into {@code root} (a fresh directory). */
    void extract(Image image, Path root) throws PullException, IOException {
        Files.createDirectories(root);
        Path realRoot = root.toRealPath();
        for (String layer : image.layerDigests()) {
            // verified once more: the store is a directory anyone with the host's rights may change meanwhile
            verify(image.layout(), layer, -1);
            try (InputStream in = decompressed(Files.newInputStream(blob(image.layout(), layer)))) {
                untar(in, realRoot);
            }
        }
    }

    // ---- blobs --------------------------------------------------------------------------------------------------

    private static Path blob(Path layout, String hex) {
        return layout.resolve("blobs").resolve("sha256").resolve(hex);
    }

    private static String hexOf(JsonNode descriptor) throws PullException {
        String digest = descriptor.path("digest").asText("");
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new PullException("unsupported or malformed digest \"" + digest + "\" in the image's manifest");
        }
        return digest.substring("sha256:".length());
    }

    private static JsonNode json(Path layout, String hex, long size) throws PullException {
        byte[] bytes = verify(layout, hex, size);
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new PullException("blob sha256:" + hex + " is not JSON");
        }
    }

    /** The blob's bytes if small (manifests, configs), after checking its size and SHA-256; null for layers. */
    private static byte[] verify(Path layout, String hex, long size) throws PullException {
        Path blob = blob(layout, hex);
        if (!Files.isRegularFile(blob)) {
            throw new PullException("failed to copy: blob sha256:" + hex + " not found in " + layout);
        }
        try {
            long actualSize = Files.size(blob);
            if (size >= 0 && actualSize != size) {
                throw new PullException("failed to copy: blob sha256:" + hex + " is " + actualSize
                        + " bytes, its descriptor says " + size);
            }
            MessageDigest digest = Digests.sha256();
            ByteArrayOutputStream small = actualSize <= 4 * 1024 * 1024 ? new ByteArrayOutputStream() : null;
            try (InputStream in = new DigestInputStream(Files.newInputStream(blob), digest)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (small != null) {
                        small.write(buf, 0, n);
                    }
                }
            }
            String actual = Digests.hex(digest.digest());
            if (!actual.equals(hex)) {
                throw new PullException("failed to copy: failed to verify blob sha256:" + hex
                        + ": unexpected commit digest sha256:" + actual + ", expected sha256:" + hex
                        + ": failed precondition");
            }
            return small == null ? null : small.toByteArray();
        } catch (IOException e) {
            throw new PullException("failed to read blob sha256:" + hex + ": " + e.getMessage());
        }
    }

    private static InputStream decompressed(InputStream raw) throws IOException, PullException {
        BufferedInputStream in = new BufferedInputStream(raw);
        in.mark(4);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(in);
        }
        if (b0 == 0x28 && b1 == 0xb5) {
            in.close();
            throw new PullException("zstd layers are not supported by the local image store");
        }
        return in;
    }

    // ---- tar ---------------------------------------------------------------------------------------------------

    private static void untar(InputStream in, Path root) throws IOException, PullException {
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        byte[] header = new byte[512];
        while (true) {
            if (!readBlock(in, header)) {
                return;
            }
            if (allZero(header)) {
                return;
            }
            char type = (char) header[156];
            long size = octal(header, 124, 12);
            String name = longName != null ? longName : pax.getOrDefault("path", name(header));
            String link = longLink != null ? longLink : pax.getOrDefault("linkpath", string(header, 157, 100));
            switch (type) {
                case 'x' -> {
                    pax = paxHeaders(readBytes(in, size));
                    continue;
                }
                case 'g' -> {
                    readBytes(in, size);
                    continue;
                }
                case 'L' -> {
                    longName = trimNul(new String(readBytes(in, size), StandardCharsets.UTF_8));
                    continue;
                }
                case 'K' -> {
                    longLink = trimNul(new String(readBytes(in, size), StandardCharsets.UTF_8));
                    continue;
                }
                default -> {
                }
            }
            pax = new HashMap<>();
            longName = null;
            longLink = null;
            Path target = inside(root, name);
            String base = target.getFileName() == null ? "" : target.getFileName().toString();
            if (base.equals(".wh..wh..opq")) {
                clear(target.getParent());
                skip(in, size);
                continue;
            }
            if (base.startsWith(".wh.")) {
                delete(target.resolveSibling(base.substring(".wh.".length())));
                skip(in, size);
                continue;
            }
            if (target.equals(root)) {
                skip(in, size);
                continue;
            }
            createParents(root, target);
            switch (type) {
                case '5' -> {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(target);
                        Files.createDirectory(target);
                    }
                }
                case '2' -> {
                    delete(target);
                    Files.createSymbolicLink(target, Path.of(link));
                }
                case '1' -> {
                    Path source = inside(root, link);
                    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS) || !source.toRealPath().startsWith(root)) {
                        throw new PullException("layer entry " + name + " links to " + link + ", which is no file of the image");
                    }
                    delete(target);
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                case '0', '\0', '7' -> {
                    delete(target);
                    try (var out = Files.newOutputStream(target)) {
                        copy(in, out, size);
                    }
                    skip(in, padding(size));
                    if ((octal(header, 100, 8) & 0111) != 0) {
                        Set<PosixFilePermission> p = EnumSet.copyOf(Files.getPosixFilePermissions(target));
                        p.add(PosixFilePermission.OWNER_EXECUTE);
                        p.add(PosixFilePermission.GROUP_EXECUTE);
                        p.add(PosixFilePermission.OTHERS_EXECUTE);
                        Files.setPosixFilePermissions(target, p);
                    }
                    continue;
                }
                default -> {
                    // devices, FIFOs: nothing a process of the image needs here
                }
            }
            skip(in, size + padding(size));
        }
    }

    /** The entry's path under root; refuses any name that would leave it. */
    private static Path inside(Path root, String name) throws PullException {
        String relative = name;
        while (relative.startsWith("/") || relative.startsWith("./")) {
            relative = relative.startsWith("/") ? relative.substring(1) : relative.substring(2);
        }
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root)) {
            throw new PullException("layer entry \"" + name + "\" points outside the container's root file system");
        }
        return target;
    }

    /**
     * Creates the entry's parent directories, refusing a parent that is (or runs through) a symbolic link out of
     * the root: an earlier entry could plant "dir -> /etc" for a later "dir/passwd".
     */
    private static void createParents(Path root, Path target) throws IOException, PullException {
        Path parent = target.getParent();
        Path walked = root;
        for (Path part : root.relativize(parent)) {
            walked = walked.resolve(part);
            if (Files.isSymbolicLink(walked)) {
                Path real = walked.toRealPath();
                if (!real.startsWith(root)) {
                    throw new PullException("layer entry " + root.relativize(target) + " would be written through the"
                            + " symbolic link " + root.relativize(walked) + ", which leaves the container's root");
                }
            } else if (!Files.exists(walked, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(walked);
            }
        }
        if (!parent.toRealPath().startsWith(root)) {
            throw new PullException("layer entry " + root.relativize(target) + " leaves the container's root");
        }
    }

    private static void delete(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    private static void clear(Path dir) throws IOException {
        if (dir != null && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(dir)) {
                for (Path c : children.toList()) {
                    delete(c);
                }
            }
        }
    }

    /** PAX records: "<length> <key>=<value>\n", the length counted in bytes over the whole record. */
    private static Map<String, String> paxHeaders(byte[] bytes) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < bytes.length) {
            int space = i;
            while (space < bytes.length && bytes[space] != ' ') {
                space++;
            }
            if (space >= bytes.length) {
                break;
            }
            int length = Integer.parseInt(new String(bytes, i, space - i, StandardCharsets.US_ASCII).trim());
            if (length <= 0) {
                break;
            }
            String record = new String(bytes, space + 1, Math.max(0, i + length - space - 2), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                out.put(record.substring(0, eq), record.substring(eq + 1));
            }
            i += length;
        }
        return out;
    }

    private static String name(byte[] header) {
        String name = string(header, 0, 100);
        if ("ustar".equals(string(header, 257, 5))) {
            String prefix = string(header, 345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private static String string(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static long octal(byte[] b, int offset, int length) {
        if ((b[offset] & 0x80) != 0) {
            long v = b[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                v = (v << 8) | (b[offset + i] & 0xff);
            }
            return v;
        }
        String s = string(b, offset, length).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int read = in.readNBytes(block, 0, block.length);
        if (read == 0) {
            return false;
        }
        if (read < block.length) {
            throw new EOFException("truncated tar header");
        }
        return true;
    }

    private static byte[] readBytes(InputStream in, long size) throws IOException {
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) {
            throw new EOFException("truncated tar entry");
        }
        skip(in, padding(size));
        return b;
    }

    private static void copy(InputStream in, java.io.OutputStream out, long size) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new EOFException("truncated tar entry");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    private static long padding(long size) {
        return (512 - size % 512) % 512;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
